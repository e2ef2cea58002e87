// Package secrets keeps the app's secrets: small values (the data key,
// credentials) in the operating system's keyring through go-keyring, and the
// sealing of personal data at rest with the data key.
//
// Where no keyring answers (a bare Linux desktop without a Secret Service),
// a Keychain keeps its secrets in memory for this run only, never on disk,
// and says so through Persistent and Reason.
package secrets

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
)

// ErrNotFound is returned by Get for a secret that does not exist.
var ErrNotFound = errors.New("secret not found")

// probeTimeout bounds the first contact with the keyring: a D-Bus call to
// a Secret Service that is wedged would otherwise hang the app's start.
const probeTimeout = 5 * time.Second

// Keychain stores named secrets for one application (the keyring "service").
type Keychain struct {
	service string

	mu     sync.Mutex
	mem    map[string]string // non-nil when no keyring answers
	reason error             // why there is no keyring
}

// Open returns a Keychain on the OS keyring, or in memory if the keyring does
// not answer; it never fails.
func Open(service string) *Keychain {
	k := &Keychain{service: service}
	if err := probe(service); err != nil {
		k.mem = map[string]string{}
		k.reason = err
	}
	return k
}

// OpenMemory returns a Keychain that keeps its secrets in memory only.
func OpenMemory(service string) *Keychain {
	return &Keychain{service: service, mem: map[string]string{}, reason: errors.New("memory keychain requested")}
}

func probe(service string) error {
	done := make(chan error, 1)
	go func() {
		const user = "probe"
		if err := keyring.Set(service, user, "ok"); err != nil {
			done <- err
			return
		}
		got, err := keyring.Get(service, user)
		if err == nil && got != "ok" {
			err = fmt.Errorf("keyring returned %q for what was stored as %q", got, "ok")
		}
		_ = keyring.Delete(service, user)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(probeTimeout):
		return errors.New("the keyring did not answer within " + probeTimeout.String())
	}
}

// Persistent reports whether secrets outlive this run.
func (k *Keychain) Persistent() bool { return k.mem == nil }

// Reason says why secrets are kept in memory only; nil when persistent.
func (k *Keychain) Reason() error { return k.reason }

// Get returns a secret, or ErrNotFound.
func (k *Keychain) Get(name string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.mem != nil {
		v, ok := k.mem[name]
		if !ok {
			return "", ErrNotFound
		}
		return v, nil
	}
	v, err := keyring.Get(k.service, name)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", ErrNotFound
	}
	return v, err
}

// Set stores a secret, replacing any earlier value.
func (k *Keychain) Set(name, value string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.mem != nil {
		k.mem[name] = value
		return nil
	}
	return keyring.Set(k.service, name, value)
}

// Delete removes a secret; removing one that does not exist is not an error.
func (k *Keychain) Delete(name string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.mem != nil {
		delete(k.mem, name)
		return nil
	}
	err := keyring.Delete(k.service, name)
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return err
}

// DataKey returns the 256-bit key that seals the personal data of the
// database identified by id, making one on first use.
func (k *Keychain) DataKey(id string) ([]byte, error) {
	name := "datakey-" + id
	v, err := k.Get(name)
	switch {
	case err == nil:
		key, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(key) != KeySize {
			return nil, fmt.Errorf("the data key in the keyring is damaged")
		}
		return key, nil
	case !errors.Is(err, ErrNotFound):
		return nil, fmt.Errorf("reading the data key: %w", err)
	}
	key := make([]byte, KeySize)
	_, _ = rand.Read(key)
	if err := k.Set(name, base64.StdEncoding.EncodeToString(key)); err != nil {
		return nil, fmt.Errorf("storing the data key: %w", err)
	}
	return key, nil
}
