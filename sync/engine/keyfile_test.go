package engine_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/server/servertest"
	"rathaus/sync/engine"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
)

// openPhoneKeys opens the secret store of the data folder dir as on a
// phone, where go-keyring has no backend: a key file.
func openPhoneKeys(t *testing.T, dir string) *secrets.Keychain {
	t.Helper()
	k, err := secrets.Open(dir, "rathaus-test", secrets.WithKeyring(secrets.NoKeyring))
	if err != nil {
		t.Fatal(err)
	}
	if k.Backend() != secrets.KeyFile {
		t.Fatalf("secret store = %v, want a key file", k.Backend())
	}
	return k
}

// TestSync_NoKeyringKeyFileRestart: without a keyring, the app is
// restarted (store closed, a new secret store opened from the same folder,
// a new engine). The draft written before reads back, the submission
// queued offline before goes out once, and the status of a case sent
// before the restart still arrives: the device kept its identity.
func TestSync_NoKeyringKeyFileRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	r := device(t, servertest.New(t))
	r.keys, r.path = openPhoneKeys(t, dir), filepath.Join(dir, "rathaus.db")
	r.open(t)

	// Online: a first case; the device registers.
	first := r.submitExample(t, "hundesteuer", nil)
	r.sync(t)
	device := r.deviceID(t)
	earlier := r.draft(t, first.ID)
	if earlier.State != citizen.DraftSent {
		t.Fatalf("first submission = %s, want sent", earlier.State)
	}
	cases, err := r.store.Cases(ctx)
	if err != nil || len(cases) != 1 {
		t.Fatalf("cases = %+v (%v), want one", cases, err)
	}

	// Offline: a draft is written and another submission waits.
	r.backend.Stop()
	draft := citizen.NewDraft(api.Service{ID: "hundesteuer", Form: first.Form}, r.clock.Now())
	draft.Values = map[string]any{"street": "Heidestraße 17"}
	if err := r.store.CreateDraft(ctx, draft); err != nil {
		t.Fatal(err)
	}
	queued := r.submitExample(t, "hundesteuer", func(v map[string]any) { v["dog_name"] = "Rex" })
	if err := r.engine.Sync(ctx); err == nil {
		t.Fatal("Sync with the backend down reported no error")
	}
	// Meanwhile the town hall moves the first case on.
	r.backend.SetCaseStatus(cases[0].ID, api.StatusInReview, api.Text{"de": "In Prüfung.", "en": "Under review."})

	// The restart.
	r.store.Close()
	r.keys = openPhoneKeys(t, dir)
	r.open(t)

	got := r.draft(t, draft.ID)
	if got.Locked || got.Values["street"] != "Heidestraße 17" {
		t.Fatalf("draft after restart: locked %v values %v, want it readable", got.Locked, got.Values)
	}

	r.backend.Start()
	r.sync(t)
	r.sync(t) // a second pass sends nothing twice
	if n := r.backend.Cases(); n != 2 {
		t.Errorf("backend cases = %d, want 2 (the first, and the queued one once)", n)
	}
	if sent := r.draft(t, queued.ID); sent.State != citizen.DraftSent || sent.CaseNumber == "" {
		t.Errorf("queued submission after restart = %s %q, want sent with a case number", sent.State, sent.CaseNumber)
	}
	reqs, _, _ := r.wire.snapshot()
	if reqs[api.PathDevices] != 0 {
		t.Errorf("the device registered again after the restart (%d requests)", reqs[api.PathDevices])
	}
	if got := r.deviceID(t); got != device {
		t.Errorf("device id after restart = %s, want %s", got, device)
	}
	cases, _ = r.store.Cases(ctx)
	for _, c := range cases {
		if c.DraftID == first.ID && c.Status != api.StatusInReview {
			t.Errorf("earlier case after restart = %s, want %s through the changes feed", c.Status, api.StatusInReview)
		}
	}
}

// failingSecrets is a secret store that can refuse to read or to write.
type failingSecrets struct {
	engine.Secrets
	mu               sync.Mutex
	failGet, failSet bool
}

var errStore = errors.New("secret store: not answering")

func (f *failingSecrets) fail(get, set bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failGet, f.failSet = get, set
}

func (f *failingSecrets) Get(name string) (string, error) {
	f.mu.Lock()
	fail := f.failGet
	f.mu.Unlock()
	if fail {
		return "", errStore
	}
	return f.Secrets.Get(name)
}

func (f *failingSecrets) Set(name, value string) error {
	f.mu.Lock()
	fail := f.failSet
	f.mu.Unlock()
	if fail {
		return errStore
	}
	return f.Secrets.Set(name, value)
}

// TestDevice_SecretStoreFailureKeepsIdentity: a secret store that cannot be
// read makes the pass wait, not register a second device; one that cannot
// take a new credential holds the submissions back (a case under a
// credential the next start would not find never gets its status) and the
// next pass stores the same credential instead of registering again.
func TestDevice_SecretStoreFailureKeepsIdentity(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	sec := &failingSecrets{Secrets: r.keys}
	r.engine = engine.New(r.store, portal.New(r.backend.URL, portal.WithTransport(r.wire), portal.WithTimeout(5*time.Second)),
		upload.New(r.backend.URL, upload.WithHTTPClient(&http.Client{Transport: r.wire})), sec, r.opts...)
	d := r.submitExample(t, "hundesteuer", nil)

	sec.fail(true, false)
	err := r.engine.Sync(ctx)
	if citizen.ErrorCode(err) != citizen.ESECRETS || !citizen.IsTransient(err) {
		t.Fatalf("Sync with an unreadable secret store = %v, want a transient %s error", err, citizen.ESECRETS)
	}
	if reqs, _, _ := r.wire.snapshot(); reqs[api.PathDevices] != 0 || r.backend.Cases() != 0 {
		t.Fatalf("unreadable secret store: %d registrations, %d cases; want none", reqs[api.PathDevices], r.backend.Cases())
	}

	sec.fail(false, true)
	if err := r.engine.Sync(ctx); citizen.ErrorCode(err) != citizen.ESECRETS {
		t.Fatalf("Sync with a read-only secret store = %v, want a %s error", err, citizen.ESECRETS)
	}
	if n := r.backend.Cases(); n != 0 {
		t.Fatalf("%d cases sent under a credential that was not kept, want 0", n)
	}

	sec.fail(false, false)
	r.sync(t)
	if reqs, _, _ := r.wire.snapshot(); reqs[api.PathDevices] != 1 {
		t.Errorf("device registrations = %d, want 1 (the credential of the first kept)", reqs[api.PathDevices])
	}
	if got := r.draft(t, d.ID); got.State != citizen.DraftSent || r.backend.Cases() != 1 {
		t.Errorf("draft = %s with %d cases, want sent once", got.State, r.backend.Cases())
	}
	if tok, err := r.keys.Get("device-token-" + r.store.InstallID()); err != nil || tok == "" {
		t.Errorf("credential in the store = %q, %v", tok, err)
	}
}
