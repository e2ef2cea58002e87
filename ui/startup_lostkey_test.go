package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

// TestStartProblem_KeyGoneStartsFresh: the secret store was wiped (the key
// file deleted), the database is still there. The app starts with the
// problem screen, not a crash and not an empty list: it says in German and
// English what happened, that the saved drafts can no longer be read and
// that starting afresh deletes them; "Start afresh" (confirmed) deletes the
// old database and opens a new one with a new key, with no drafts.
func TestStartProblem_KeyGoneStartsFresh(t *testing.T) {
	ctx := context.Background()
	a := test.NewTempApp(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "rathaus.db")
	var opened *store.Store
	open := func(fresh bool) error {
		k, err := secrets.Open(dir, "rathaus-ui-test", secrets.WithKeyring(secrets.NoKeyring))
		if err != nil {
			return err
		}
		var opts []store.Option
		if fresh {
			opts = append(opts, store.WithNewKeyIfLost())
		}
		st, err := store.Open(ctx, path, k, opts...)
		if err != nil {
			return err
		}
		t.Cleanup(func() { st.Close() })
		opened = st
		return nil
	}
	if err := open(false); err != nil {
		t.Fatal(err)
	}
	d := citizen.NewDraft(api.Service{ID: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 1}}, time.Now())
	d.Values = map[string]any{"given_name": "Erika"}
	if err := opened.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	oldID := opened.InstallID()
	opened.Close()
	opened = nil
	if err := os.Remove(filepath.Join(dir, secrets.FileName)); err != nil {
		t.Fatal(err)
	}

	err := open(false)
	if !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("open with the secret store wiped = %v, want ErrNotFound", err)
	}
	for _, code := range []string{"de", "en"} {
		if msg := translations(t, code)[citizen.ErrorMessage(err)]; msg == "" {
			t.Errorf("%s: no translation of %q", code, citizen.ErrorMessage(err))
		}
	}
	shown := false
	ps := newProblemScreen(a, err, StartProblem{DataDir: dir, Open: open, Opened: func() { shown = true },
		Discard: func() error { return store.Discard(path) }})
	settled := make(chan struct{}, 1)
	ps.settled = func() { settled <- struct{}{} }
	if got, want := ps.message.Text, kit.ErrorText(err); got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	if !ps.afresh.Visible() {
		t.Fatal("want Start afresh offered")
	}
	test.Tap(uitest.ButtonIn(t, ps.win.Content(), "Start afresh"))
	confirm := ps.win.Canvas().Overlays().Top()
	if !strings.Contains(uitest.Text(confirm), "The drafts and submissions saved on this device can no longer be read: they are deleted, and the app starts afresh with nothing saved. Applications already sent are with the town hall. This cannot be undone.") {
		t.Error("the confirmation does not say that the old data is deleted")
	}
	test.Tap(uitest.ButtonIn(t, confirm, "Yes"))
	<-settled
	if !shown || opened == nil {
		t.Fatalf("after Start afresh: main window shown %v, store open %v (message %q)", shown, opened != nil, ps.message.Text)
	}
	drafts, err := opened.Drafts(ctx)
	if err != nil || len(drafts) != 0 {
		t.Errorf("drafts after the fresh start = %v, %v; want none (not a list of locked ones)", drafts, err)
	}
	if opened.InstallID() == oldID {
		t.Error("the fresh start kept the old database")
	}
	if aside, _ := filepath.Glob(path + "*.discarded"); len(aside) != 0 {
		t.Errorf("left aside: %v", aside)
	}
}
