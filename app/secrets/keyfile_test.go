package secrets_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/zalando/go-keyring"

	"rathaus/app/citizen"
	"rathaus/app/secrets"
)

const service = "rathaus-test"

// fakeKeyring is a keyring that can be stopped (down: a Secret Service that
// is not running) or die after a number of calls (dieAfter: the app killed
// in the middle of a move; a dead keyring changes nothing any more).
type fakeKeyring struct {
	mu       sync.Mutex
	m        map[string]string
	down     bool
	calls    int
	dieAfter int // 0: never
}

func newFakeKeyring() *fakeKeyring { return &fakeKeyring{m: map[string]string{}} }

var errDown = errors.New("fake keyring: not running")

func (f *fakeKeyring) alive() bool {
	f.calls++
	return !f.down && (f.dieAfter == 0 || f.calls <= f.dieAfter)
}

func (f *fakeKeyring) Set(s, u, p string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.alive() {
		return errDown
	}
	f.m[s+"/"+u] = p
	return nil
}

func (f *fakeKeyring) Get(s, u string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.alive() {
		return "", errDown
	}
	v, ok := f.m[s+"/"+u]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (f *fakeKeyring) Delete(s, u string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.alive() {
		return errDown
	}
	if _, ok := f.m[s+"/"+u]; !ok {
		return keyring.ErrNotFound
	}
	delete(f.m, s+"/"+u)
	return nil
}

// set makes the keyring run (or not) from now on, and forgets any death.
func (f *fakeKeyring) set(down bool, dieAfter int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down, f.calls, f.dieAfter = down, 0, dieAfter
}

func (f *fakeKeyring) entries() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]string{}
	for k, v := range f.m {
		out[k] = v
	}
	return out
}

func mustOpen(t *testing.T, dir string, want secrets.Backend, opts ...secrets.Option) *secrets.Keychain {
	t.Helper()
	k, err := secrets.Open(dir, service, opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if got := k.Backend(); got != want {
		t.Fatalf("backend = %v (reason %v), want %v", got, k.Reason(), want)
	}
	return k
}

// secretsOf fills a store with what the app keeps there: a data key and a
// device credential.
func secretsOf(t *testing.T, k *secrets.Keychain) (key []byte, token string) {
	t.Helper()
	key, err := k.NewDataKey("install1")
	if err != nil {
		t.Fatal(err)
	}
	token = "device-token-value"
	if err := k.Set("device-token-install1", token); err != nil {
		t.Fatal(err)
	}
	return key, token
}

// wantSecrets checks that k holds the data key and the credential.
func wantSecrets(t *testing.T, k *secrets.Keychain, key []byte, token string) {
	t.Helper()
	got, err := k.DataKey("install1")
	if err != nil || !bytes.Equal(got, key) {
		t.Errorf("data key = %x (%v), want %x", got, err, key)
	}
	if tok, err := k.Get("device-token-install1"); err != nil || tok != token {
		t.Errorf("device credential = %q (%v), want %q", tok, err, token)
	}
}

func wantMode0600(t *testing.T, path string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("%s has mode %o, want 600", filepath.Base(path), got)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestKeyFile_NoKeyringOutlivesRestart: where no keyring answers (a phone),
// the secrets go to the key file (mode 0600) and a new Keychain on the same
// folder, as after a restart, has them all.
func TestKeyFile_NoKeyringOutlivesRestart(t *testing.T) {
	dir := t.TempDir()
	k := mustOpen(t, dir, secrets.KeyFile, secrets.WithKeyring(secrets.NoKeyring))
	if k.Reason() == nil || !k.Persistent() {
		t.Errorf("key file: reason %v persistent %v, want why not the keyring, and persistent", k.Reason(), k.Persistent())
	}
	path := filepath.Join(dir, secrets.FileName)
	wantMode0600(t, path)
	key, token := secretsOf(t, k)
	wantMode0600(t, path)

	again := mustOpen(t, dir, secrets.KeyFile, secrets.WithKeyring(secrets.NoKeyring))
	wantSecrets(t, again, key, token)
	if err := again.Delete("device-token-install1"); err != nil {
		t.Fatal(err)
	}
	third := mustOpen(t, dir, secrets.KeyFile, secrets.WithKeyring(secrets.NoKeyring))
	if _, err := third.Get("device-token-install1"); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("deleted credential after restart: %v, want ErrNotFound", err)
	}
	if names, _ := filepath.Glob(filepath.Join(dir, "*")); len(names) != 1 {
		t.Errorf("data folder holds %q, want only the key file", names)
	}
}

// TestKeyFile_WidenedModeIsTightened: a key file someone made readable by
// others is made 0600 again at the next start.
func TestKeyFile_WidenedModeIsTightened(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no mode bits")
	}
	dir := t.TempDir()
	mustOpen(t, dir, secrets.KeyFile, secrets.WithKeyring(secrets.NoKeyring))
	path := filepath.Join(dir, secrets.FileName)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	mustOpen(t, dir, secrets.KeyFile, secrets.WithKeyring(secrets.NoKeyring))
	wantMode0600(t, path)
}

// TestKeyFile_DamagedIsReportedNotOverwritten: a key file that is not what
// was written stops the start with a clear error and stays as it is, so
// that it can still be restored or examined.
func TestKeyFile_DamagedIsReportedNotOverwritten(t *testing.T) {
	src := t.TempDir()
	k := mustOpen(t, src, secrets.KeyFile, secrets.WithKeyring(secrets.NoKeyring))
	secretsOf(t, k)
	good := readFile(t, filepath.Join(src, secrets.FileName))
	flipped := bytes.Clone(good)
	i := bytes.Index(flipped, []byte(`"datakey-install1": "`)) + len(`"datakey-install1": "`)
	flipped[i] ^= 0x01 // one bit of the key: still valid JSON and base64

	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"one bit of the key", flipped},
		{"truncated", good[:len(good)/2]},
		{"empty", nil},
		{"not JSON", []byte("\x00\x01binary")},
		{"other version", bytes.Replace(good, []byte(`"version": 1`), []byte(`"version": 9`), 1)},
		{"unknown field", bytes.Replace(good, []byte(`"version": 1`), []byte(`"version": 1, "extra": true`), 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, secrets.FileName)
			if err := os.WriteFile(path, tc.body, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, opts := range [][]secrets.Option{
				{secrets.WithKeyring(secrets.NoKeyring)},
				{secrets.WithKeyring(newFakeKeyring())}, // a working keyring changes nothing
				{secrets.WithKeyring(secrets.NoKeyring), secrets.AbandonKeyring()},
			} {
				_, err := secrets.Open(dir, service, opts...)
				if !errors.Is(err, secrets.ErrDamaged) || citizen.ErrorCode(err) != citizen.ESECRETS {
					t.Fatalf("Open = %v, want a damaged key file (%s)", err, citizen.ESECRETS)
				}
				if msg := citizen.ErrorMessage(err); msg != "The app's key file is damaged, so its data cannot be opened. Nothing was changed: restore the file from a backup, then try again." {
					t.Errorf("message for people = %q", msg)
				}
			}
			if got := readFile(t, path); !bytes.Equal(got, tc.body) {
				t.Error("the damaged key file was changed")
			}
			if names, _ := filepath.Glob(filepath.Join(dir, "*")); len(names) != 1 {
				t.Errorf("data folder holds %q, want only the damaged file", names)
			}
		})
	}
}

// TestKeyFile_InterruptedWriteLeavesTheOldFile: a crash while a new version
// was being written leaves its temp file; the old record is complete and
// the temp file (which may hold secrets) is removed at the next start.
func TestKeyFile_InterruptedWriteLeavesTheOldFile(t *testing.T) {
	dir := t.TempDir()
	key, token := secretsOf(t, mustOpen(t, dir, secrets.KeyFile, secrets.WithKeyring(secrets.NoKeyring)))
	half := filepath.Join(dir, ".secrets-4711.tmp")
	if err := os.WriteFile(half, []byte(`{"version":1,"store":"file","secr`), 0o600); err != nil {
		t.Fatal(err)
	}
	wantSecrets(t, mustOpen(t, dir, secrets.KeyFile, secrets.WithKeyring(secrets.NoKeyring)), key, token)
	if _, err := os.Stat(half); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temp file after start: %v, want it removed", err)
	}
}

// TestKeyFile_KeyringUnavailableIsReported: the secrets are in the keyring
// and at this start it does not answer: the start says so, and does not
// quietly begin a key file with a new data key (which would lock every
// draft). Once the keyring runs again, everything is there. Abandoning it
// is the citizen's explicit choice.
func TestKeyFile_KeyringUnavailableIsReported(t *testing.T) {
	dir := t.TempDir()
	kr := newFakeKeyring()
	key, token := secretsOf(t, mustOpen(t, dir, secrets.SystemKeyring, secrets.WithKeyring(kr)))
	path := filepath.Join(dir, secrets.FileName)
	record := readFile(t, path)
	if bytes.Contains(record, []byte(token)) {
		t.Error("the record beside the data holds the credential although the keyring keeps it")
	}
	wantMode0600(t, path)

	kr.set(true, 0)
	for _, opts := range [][]secrets.Option{
		{secrets.WithKeyring(kr)},
		{secrets.WithKeyring(kr), secrets.Prefer(secrets.KeyFile)}, // cannot move out of it either
	} {
		_, err := secrets.Open(dir, service, opts...)
		if !errors.Is(err, secrets.ErrKeyringUnavailable) || !citizen.IsTransient(err) || citizen.ErrorCode(err) != citizen.ESECRETS {
			t.Fatalf("Open with the keyring down = %v, want ErrKeyringUnavailable, transient", err)
		}
	}
	if got := readFile(t, path); !bytes.Equal(got, record) {
		t.Error("the record changed while the keyring was down")
	}

	kr.set(false, 0)
	wantSecrets(t, mustOpen(t, dir, secrets.SystemKeyring, secrets.WithKeyring(kr)), key, token)

	kr.set(true, 0)
	fresh := mustOpen(t, dir, secrets.KeyFile, secrets.WithKeyring(kr), secrets.AbandonKeyring())
	if _, err := fresh.DataKey("install1"); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("data key after abandoning the keyring: %v, want none (a fresh start)", err)
	}
}

// TestKeyFile_MovesIntoKeyringWhenItWorks: a key file made while there was
// no keyring moves into the keyring once one answers, read back before the
// file drops the secrets; a restart then finds them in the keyring.
func TestKeyFile_MovesIntoKeyringWhenItWorks(t *testing.T) {
	dir := t.TempDir()
	kr := newFakeKeyring()
	kr.set(true, 0)
	key, token := secretsOf(t, mustOpen(t, dir, secrets.KeyFile, secrets.WithKeyring(kr)))

	kr.set(false, 0)
	k := mustOpen(t, dir, secrets.SystemKeyring, secrets.WithKeyring(kr))
	wantSecrets(t, k, key, token)
	if got := kr.entries()[service+"/device-token-install1"]; got != token {
		t.Errorf("keyring holds %q, want the credential", got)
	}
	if b := readFile(t, filepath.Join(dir, secrets.FileName)); bytes.Contains(b, []byte(token)) {
		t.Error("the file still holds the credential after the move")
	}
	wantSecrets(t, mustOpen(t, dir, secrets.SystemKeyring, secrets.WithKeyring(kr)), key, token)
}

// TestKeyFile_MovesOutOfKeyringOnRequest: asked for a key file, secrets in
// a working keyring move into it and leave the keyring.
func TestKeyFile_MovesOutOfKeyringOnRequest(t *testing.T) {
	dir := t.TempDir()
	kr := newFakeKeyring()
	key, token := secretsOf(t, mustOpen(t, dir, secrets.SystemKeyring, secrets.WithKeyring(kr)))

	k := mustOpen(t, dir, secrets.KeyFile, secrets.WithKeyring(kr), secrets.Prefer(secrets.KeyFile))
	wantSecrets(t, k, key, token)
	wantMode0600(t, filepath.Join(dir, secrets.FileName))
	for name := range kr.entries() {
		t.Errorf("keyring still holds %s after the move", name)
	}
	// It stays a key file, though the keyring works.
	wantSecrets(t, mustOpen(t, dir, secrets.KeyFile, secrets.WithKeyring(kr), secrets.Prefer(secrets.KeyFile)), key, token)
}

// TestKeyFile_MoveSurvivesACrashAtEveryStep: each move is stopped after
// every possible number of keyring calls, as if the app were killed there
// (the dead keyring changes nothing more; the key file's writes are whole
// or absent). The next start, with a living keyring, completes the move
// and has every secret.
func TestKeyFile_MoveSurvivesACrashAtEveryStep(t *testing.T) {
	for _, tc := range []struct {
		name       string
		from, to   secrets.Backend
		fromOpts   func(*fakeKeyring) []secrets.Option
		moveOpts   func(*fakeKeyring) []secrets.Option
		keyringOff bool // the source is made while the keyring is down
	}{
		{
			name: "key file into keyring", from: secrets.KeyFile, to: secrets.SystemKeyring, keyringOff: true,
			fromOpts: func(kr *fakeKeyring) []secrets.Option { return []secrets.Option{secrets.WithKeyring(kr)} },
			moveOpts: func(kr *fakeKeyring) []secrets.Option { return []secrets.Option{secrets.WithKeyring(kr)} },
		},
		{
			name: "keyring into key file", from: secrets.SystemKeyring, to: secrets.KeyFile,
			fromOpts: func(kr *fakeKeyring) []secrets.Option { return []secrets.Option{secrets.WithKeyring(kr)} },
			moveOpts: func(kr *fakeKeyring) []secrets.Option {
				return []secrets.Option{secrets.WithKeyring(kr), secrets.Prefer(secrets.KeyFile)}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for die := 1; ; die++ {
				dir := t.TempDir()
				kr := newFakeKeyring()
				kr.set(tc.keyringOff, 0)
				key, token := secretsOf(t, mustOpen(t, dir, tc.from, tc.fromOpts(kr)...))

				kr.set(false, die)
				_, crashErr := secrets.Open(dir, service, tc.moveOpts(kr)...)
				kr.mu.Lock()
				completed := kr.calls <= die // the move needed no more calls than allowed
				kr.mu.Unlock()

				kr.set(false, 0)
				k := mustOpen(t, dir, tc.to, tc.moveOpts(kr)...)
				wantSecrets(t, k, key, token)
				if t.Failed() {
					t.Fatalf("killed after %d keyring calls (open: %v): secrets lost", die, crashErr)
				}
				if completed {
					if die < 4 {
						t.Fatalf("the move completed within %d keyring calls: the crash points were not exercised", die)
					}
					return
				}
			}
		})
	}
}

// TestKeyFile_MovesIntoOSKeyringAndBack runs the moves on the real Secret
// Service (under scripts/with-keyring.sh; skipped without one unless
// RATHAUS_REQUIRE_KEYRING=1).
func TestKeyFile_MovesIntoOSKeyringAndBack(t *testing.T) {
	const service = "rathaus-test-move"
	dir := t.TempDir()
	key, token := secretsOf(t, mustOpen(t, dir, secrets.KeyFile, secrets.WithKeyring(secrets.NoKeyring)))
	t.Cleanup(func() {
		_ = keyring.Delete(service, "datakey-install1")
		_ = keyring.Delete(service, "device-token-install1")
	})

	k := openOSKeyring(t, dir, service)
	wantSecrets(t, k, key, token)
	if got, err := keyring.Get(service, "device-token-install1"); err != nil || got != token {
		t.Errorf("the OS keyring holds %q (%v), want the credential", got, err)
	}

	back := mustOpen(t, dir, secrets.KeyFile, secrets.Prefer(secrets.KeyFile))
	wantSecrets(t, back, key, token)
	if _, err := keyring.Get(service, "datakey-install1"); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("the OS keyring after the move back: %v, want the data key gone", err)
	}
}
