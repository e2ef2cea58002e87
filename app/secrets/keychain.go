// Package secrets keeps the app's secrets (the data key, the device
// credential) and seals personal data at rest with the data key.
//
// A Keychain keeps its secrets in the operating system's keyring where one
// answers (go-keyring: Secret Service, macOS Keychain, Windows Credential
// Manager), and otherwise in a key file in the app's data folder (mode
// 0600; on phones that folder is the app's private storage, protected by
// the device's encryption). Either way they outlive a restart.
//
// The file FileName in the data folder remembers which of the two holds
// this install's secrets, so that a keyring that does not answer at one
// start is reported (ErrKeyringUnavailable) instead of silently replaced
// by a new, empty key file: a new data key would lock every draft sealed
// with the old one. Secrets move between the two without loss (see
// migrate.go).
package secrets

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"unicode/utf8"

	"rathaus/app/citizen"
)

// Backend says where a Keychain keeps its secrets.
type Backend int

const (
	_             Backend = iota // unknown
	SystemKeyring                // the operating system's keyring
	KeyFile                      // a key file in the app's data folder
	Memory                       // in memory, for this run only (tests)
)

func (b Backend) String() string {
	switch b {
	case SystemKeyring:
		return "keyring"
	case KeyFile:
		return "key file"
	case Memory:
		return "memory"
	}
	return "unknown"
}

var (
	// ErrNotFound is returned by Get for a secret that does not exist.
	ErrNotFound = errors.New("secret not found")
	// ErrKeyringUnavailable means that this install's secrets are in the
	// keyring and the keyring does not answer.
	ErrKeyringUnavailable = errors.New("the keyring that holds this install's secrets does not answer")
	// ErrDamaged means that the key file, or a key in the store, is not
	// what was written.
	ErrDamaged = errors.New("damaged")
)

// Keychain stores named secrets of one install of the app. It is safe for
// concurrent use.
type Keychain struct {
	mu     sync.Mutex
	kind   Backend
	reason error   // why the secrets are not in the keyring
	path   string  // the record (FileName); "" in memory
	rec    *record // the record's content as on disk
	ring   ring
	mem    map[string]string
}

// Option configures Open.
type Option func(*options)

type options struct {
	keyring Keyring
	prefer  Backend
	abandon bool
}

// WithKeyring makes Open use k instead of go-keyring.
func WithKeyring(k Keyring) Option { return func(o *options) { o.keyring = k } }

// Prefer(KeyFile) keeps the secrets in the key file even where a keyring
// works, moving them out of the keyring if they are there (a kiosk image
// whose keyring is wiped at logout). Any other value is the default: the
// keyring where it works.
func Prefer(b Backend) Option { return func(o *options) { o.prefer = b } }

// AbandonKeyring is the way out when the keyring that holds the secrets is
// gone for good: Open switches to a new, empty key file instead of failing
// with ErrKeyringUnavailable. What was sealed with the old data key stays
// locked; the citizen must have agreed to that.
func AbandonKeyring() Option { return func(o *options) { o.abandon = true } }

// Open returns the Keychain of the install whose data folder is dir; the
// keyring entries are kept under service. Where a keyring answers, the
// secrets are kept there; otherwise, and when the record says they are in
// a key file and the keyring still does not answer, in the key file. A
// record saying "keyring" with no keyring answering is an error
// (ErrKeyringUnavailable), never a new key file.
func Open(dir, service string, opts ...Option) (*Keychain, error) {
	o := options{keyring: osKeyring{}}
	for _, f := range opts {
		f(&o)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, writeError(err)
	}
	removeTemps(dir)
	k := &Keychain{path: filepath.Join(dir, FileName), ring: ring{kr: o.keyring, service: service}}
	rec, err := readRecord(k.path)
	if err != nil {
		return nil, err // damaged or unreadable: touch nothing
	}
	if rec != nil && rec.Store == inKeyring {
		k.ring.service = rec.Service
	}
	wantFile := o.prefer == KeyFile
	if wantFile && (rec == nil || rec.Store == inFile) {
		k.reason = errors.New("a key file was asked for")
		return k.useFile(rec)
	}
	probeErr := k.ring.probe()
	switch {
	case rec == nil && probeErr == nil:
		return k.useKeyring(&record{Store: inKeyring, Service: service}, true)
	case rec == nil:
		k.reason = probeErr
		return k.useFile(nil)
	case rec.Store == inKeyring && probeErr != nil && o.abandon:
		k.reason = probeErr
		return k.useFile(nil)
	case rec.Store == inKeyring && probeErr != nil && wantFile:
		return nil, &citizen.Error{Code: citizen.ESECRETS, Transient: true,
			Message: "The app's keys cannot be moved into a key file: the system keyring that holds them does not answer. Start or unlock the keyring, then try again.",
			Err:     fmt.Errorf("%w: %w", ErrKeyringUnavailable, probeErr)}
	case rec.Store == inKeyring && probeErr != nil:
		return nil, &citizen.Error{Code: citizen.ESECRETS, Transient: true,
			Message: "This app's data is protected by the system keyring, which does not answer right now. Start or unlock the keyring (for example by logging in to the desktop), then try again.",
			Err:     fmt.Errorf("%w: %w", ErrKeyringUnavailable, probeErr)}
	case rec.Store == inKeyring && wantFile:
		to, err := toFile(k.path, k.ring, rec)
		if err != nil {
			return nil, err
		}
		k.reason = errors.New("a key file was asked for")
		return k.useFile(to)
	case rec.Store == inKeyring:
		return k.useKeyring(rec, false)
	case probeErr != nil:
		k.reason = probeErr
		return k.useFile(rec)
	}
	// A key file, and the keyring works now: the keyring is the better
	// place (the file sits beside the data it protects). A failed move
	// keeps the file, which is still complete.
	k.ring.service = service
	to, err := toKeyring(k.path, k.ring, rec)
	if err != nil {
		k.reason = fmt.Errorf("moving the key file into the keyring: %w", err)
		return k.useFile(rec)
	}
	return k.useKeyring(to, false)
}

func (k *Keychain) useFile(rec *record) (*Keychain, error) {
	k.kind = KeyFile
	if rec == nil {
		rec = &record{Store: inFile, Secrets: map[string]string{}}
		if err := writeRecord(k.path, clone(rec)); err != nil {
			return nil, err
		}
	}
	if rec.Secrets == nil {
		rec.Secrets = map[string]string{}
	}
	k.rec = rec
	if err := tighten(k.path); err != nil {
		return nil, err
	}
	return k, nil
}

func (k *Keychain) useKeyring(rec *record, write bool) (*Keychain, error) {
	if write {
		if err := writeRecord(k.path, clone(rec)); err != nil {
			return nil, err
		}
	}
	k.kind, k.rec = SystemKeyring, rec
	return k, nil
}

// OpenMemory returns a Keychain that keeps its secrets in memory only.
func OpenMemory(service string) *Keychain {
	return &Keychain{kind: Memory, mem: map[string]string{}, reason: errors.New("memory keychain requested"), ring: ring{service: service}}
}

// Backend says where the secrets are kept.
func (k *Keychain) Backend() Backend { return k.kind }

// Persistent reports whether secrets outlive this run.
func (k *Keychain) Persistent() bool { return k.kind != Memory }

// Reason says why the secrets are not in the keyring; nil when they are.
func (k *Keychain) Reason() error { return k.reason }

// Path is the file that holds the secrets (KeyFile) or says that they are
// in the keyring (SystemKeyring); "" in memory.
func (k *Keychain) Path() string { return k.path }

// Get returns a secret, or ErrNotFound.
func (k *Keychain) Get(name string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	switch k.kind {
	case Memory:
		v, ok := k.mem[name]
		if !ok {
			return "", ErrNotFound
		}
		return v, nil
	case KeyFile:
		v, ok := k.rec.Secrets[name]
		if !ok {
			return "", ErrNotFound
		}
		return v, nil
	}
	v, err := k.ring.get(name)
	if err != nil {
		return "", err
	}
	// A secret stored before the record listed names (an older version
	// of the app) gets listed, so that a move to a key file takes it.
	if next := clone(k.rec); next.addName(name) {
		if err := writeRecord(k.path, clone(next)); err == nil {
			k.rec = next
		}
	}
	return v, nil
}

// Set stores a secret, replacing any earlier value. The value must be
// valid UTF-8 (keys and tokens are text).
func (k *Keychain) Set(name, value string) error {
	if !utf8.ValidString(value) {
		return fmt.Errorf("secret %s: not valid UTF-8", name)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	switch k.kind {
	case Memory:
		k.mem[name] = value
		return nil
	case KeyFile:
		next := clone(k.rec)
		next.Secrets[name] = value
		if err := writeRecord(k.path, clone(next)); err != nil {
			return err
		}
		k.rec = next
		return nil
	}
	// Listed first: a crash between the two leaves a name without a
	// secret, which a move skips, never a secret nobody knows of.
	if next := clone(k.rec); next.addName(name) {
		if err := writeRecord(k.path, clone(next)); err != nil {
			return err
		}
		k.rec = next
	}
	return k.ring.set(name, value)
}

// Delete removes a secret; removing one that does not exist is not an error.
func (k *Keychain) Delete(name string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	switch k.kind {
	case Memory:
		delete(k.mem, name)
		return nil
	case KeyFile:
		if _, ok := k.rec.Secrets[name]; !ok {
			return nil
		}
		next := clone(k.rec)
		delete(next.Secrets, name)
		if err := writeRecord(k.path, clone(next)); err != nil {
			return err
		}
		k.rec = next
		return nil
	}
	if err := k.ring.delete(name); err != nil {
		return err
	}
	if !slices.Contains(k.rec.Names, name) {
		return nil
	}
	next := clone(k.rec)
	next.Names = slices.DeleteFunc(next.Names, func(n string) bool { return n == name })
	if err := writeRecord(k.path, clone(next)); err != nil {
		return err
	}
	k.rec = next
	return nil
}

func dataKeyName(id string) string { return "datakey-" + id }

// DataKey returns the 256-bit key that seals the personal data of the
// database identified by id; ErrNotFound when there is none. It never
// makes one: a missing key for an existing database is a loss to report,
// not to paper over with a new key that would lock the earlier drafts.
func (k *Keychain) DataKey(id string) ([]byte, error) {
	v, err := k.Get(dataKeyName(id))
	if err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(key) != KeySize {
		return nil, &citizen.Error{Code: citizen.ESECRETS, Message: "The key to this app's data is damaged, so its data cannot be opened.",
			Err: fmt.Errorf("data key %s: %w", id, ErrDamaged)}
	}
	return key, nil
}

// NewDataKey makes the data key of id, for a new database or for starting
// afresh after the old key was lost. A key that exists is returned as it
// is, never replaced.
func (k *Keychain) NewDataKey(id string) ([]byte, error) {
	key, err := k.DataKey(id)
	if !errors.Is(err, ErrNotFound) {
		return key, err
	}
	key = make([]byte, KeySize)
	_, _ = rand.Read(key)
	if err := k.Set(dataKeyName(id), base64.StdEncoding.EncodeToString(key)); err != nil {
		return nil, err
	}
	return key, nil
}

func clone(r *record) *record {
	c := *r
	c.Names = slices.Clone(r.Names)
	if r.Secrets != nil {
		c.Secrets = maps.Clone(r.Secrets)
	}
	return &c
}

func damaged(path string, err error) error {
	return &citizen.Error{Code: citizen.ESECRETS,
		Message: "The app's key file is damaged, so its data cannot be opened. Nothing was changed: restore the file from a backup, then try again.",
		Err:     fmt.Errorf("%s: %w: %w", path, ErrDamaged, err)}
}

func readError(err error) error {
	return &citizen.Error{Code: citizen.ESECRETS, Message: "The app's key file cannot be read.", Err: err}
}

func writeError(err error) error {
	return &citizen.Error{Code: citizen.ESECRETS, Message: "The app's key file cannot be written.", Err: err}
}

// DeleteDataKey destroys the data key of id (a kiosk's ended citizen
// session): what it sealed can no longer be opened by anyone.
func (k *Keychain) DeleteDataKey(id string) error { return k.Delete(dataKeyName(id)) }
