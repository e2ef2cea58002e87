package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/app/store"
)

var when = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// openKeyFile opens the secret store of dir as on a phone: no keyring, so
// a key file.
func openKeyFile(t *testing.T, dir string) *secrets.Keychain {
	t.Helper()
	k, err := secrets.Open(dir, "rathaus-test", secrets.WithKeyring(secrets.NoKeyring))
	if err != nil {
		t.Fatal(err)
	}
	if got := k.Backend(); got != secrets.KeyFile {
		t.Fatalf("backend = %v, want key file", got)
	}
	return k
}

// TestOpen_NoKeyringKeyFileOutlivesRestart: without a keyring the data key
// is in the key file, so a restart reads the drafts; a key that is gone
// from the file is reported, never silently replaced, until the citizen
// chooses to start afresh.
func TestOpen_NoKeyringKeyFileOutlivesRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "rathaus.db")
	st, err := store.Open(ctx, path, openKeyFile(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	d := citizen.NewDraft(dogTax, when)
	d.Values = map[string]any{"given_name": "Erika"}
	if err := st.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	id := st.InstallID()
	st.Close()

	// A restart: a new secret store from the same folder.
	keys := openKeyFile(t, dir)
	st, err = store.Open(ctx, path, keys)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.Draft(ctx, d.ID)
	if err != nil || got.Locked || got.Values["given_name"] != "Erika" {
		t.Fatalf("draft after restart = %+v (%v), want its values", got, err)
	}
	st.Close()

	// The key file lost its data key (wiped, or restored from an old backup).
	if err := keys.Delete("datakey-" + id); err != nil {
		t.Fatal(err)
	}
	_, err = store.Open(ctx, path, openKeyFile(t, dir))
	if got := citizen.ErrorCode(err); got != citizen.ELOCKED || !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("open without the key = %q (%v), want locked, key not found", got, err)
	}
	if _, err := openKeyFile(t, dir).DataKey(id); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("after the refused open the store holds a data key (%v): a new key was made silently", err)
	}

	st, err = store.Open(ctx, path, openKeyFile(t, dir), store.WithNewKeyIfLost())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if st.InstallID() != id {
		t.Errorf("install id after starting afresh = %s, want %s kept", st.InstallID(), id)
	}
	got, err = st.Draft(ctx, d.ID)
	if err != nil || !got.Locked {
		t.Errorf("old draft after starting afresh = %+v (%v), want locked", got, err)
	}
	fresh := citizen.NewDraft(dogTax, when)
	fresh.Values = map[string]any{"given_name": "Max"}
	if err := st.CreateDraft(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if got, err := st.Draft(ctx, fresh.ID); err != nil || got.Values["given_name"] != "Max" {
		t.Errorf("new draft = %+v (%v), want its values", got, err)
	}
}

// TestDiscard_LostKeyStartsFresh: the secret store is wiped (its key file
// deleted), the database still there. Open reports the loss (never a silent
// empty list); Discard deletes the old database with its WAL and shared
// memory, and the next Open starts fresh with a new key: no drafts, a new
// install id, none of the old files left beside it.
func TestDiscard_LostKeyStartsFresh(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "rathaus.db")
	st, err := store.Open(ctx, path, openKeyFile(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	d := citizen.NewDraft(dogTax, when)
	d.Values = map[string]any{"given_name": "Erika"}
	if err := st.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	oldID := st.InstallID()
	st.Close()
	if err := os.Remove(filepath.Join(dir, secrets.FileName)); err != nil {
		t.Fatal(err)
	}

	_, err = store.Open(ctx, path, openKeyFile(t, dir))
	if !errors.Is(err, secrets.ErrNotFound) || citizen.ErrorCode(err) != citizen.ELOCKED {
		t.Fatalf("open after the secret store was wiped = %v; want the loss reported (locked)", err)
	}
	if err := store.Discard(path); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(path + "*")
	if len(left) != 0 {
		t.Errorf("after Discard: %v left; want no database files", left)
	}
	st, err = store.Open(ctx, path, openKeyFile(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	drafts, err := st.Drafts(ctx)
	if err != nil || len(drafts) != 0 {
		t.Errorf("drafts after the fresh start = %v, %v; want none", drafts, err)
	}
	if st.InstallID() == oldID {
		t.Error("the fresh database kept the old install id")
	}
	// A crash between moving aside and deleting leaves files aside: the
	// next Discard deletes them.
	st.Close()
	aside := path + "-wal" + ".discarded"
	if err := os.WriteFile(aside, []byte("left by a crash"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := store.Discard(path); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(path + "*"); len(left) != 0 {
		t.Errorf("after a second Discard: %v left", left)
	}
}
