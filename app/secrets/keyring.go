package secrets

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/zalando/go-keyring"
)

// Keyring is an operating system's keyring as go-keyring sees it: secrets
// by service and user name. Open uses go-keyring's; tests give their own.
type Keyring interface {
	Set(service, user, password string) error
	Get(service, user string) (string, error)
	Delete(service, user string) error
}

// osKeyring is go-keyring: the Secret Service on Linux, the Keychain on
// macOS, the Credential Manager on Windows.
type osKeyring struct{}

func (osKeyring) Set(service, user, password string) error {
	return keyring.Set(service, user, password)
}
func (osKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (osKeyring) Delete(service, user string) error        { return keyring.Delete(service, user) }

// NoKeyring answers like go-keyring on a platform it has no backend for
// (Android, iOS): every call fails. Tests use it to run as on a phone.
var NoKeyring Keyring = noKeyring{}

type noKeyring struct{}

func (noKeyring) Set(string, string, string) error   { return keyring.ErrUnsupportedPlatform }
func (noKeyring) Get(string, string) (string, error) { return "", keyring.ErrUnsupportedPlatform }
func (noKeyring) Delete(string, string) error        { return keyring.ErrUnsupportedPlatform }

// callTimeout bounds every call to the keyring: a D-Bus call to a Secret
// Service that is wedged would otherwise hang the app's start or a sync
// pass for good.
const callTimeout = 5 * time.Second

// ring is the keyring of one service, with every call bounded in time and
// go-keyring's "not found" turned into ErrNotFound.
type ring struct {
	kr      Keyring
	service string
}

func (r ring) get(name string) (string, error) {
	var v string
	err := bounded(func() error {
		var err error
		v, err = r.kr.Get(r.service, name)
		return err
	})
	if errors.Is(err, keyring.ErrNotFound) {
		return "", ErrNotFound
	}
	return v, err
}

func (r ring) set(name, value string) error {
	return bounded(func() error { return r.kr.Set(r.service, name, value) })
}

func (r ring) delete(name string) error {
	err := bounded(func() error { return r.kr.Delete(r.service, name) })
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return err
}

// probe checks that the keyring stores and returns a value. The probe's
// name is random: another install of the app may probe the same service
// at the same moment.
func (r ring) probe() error {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name, want := "probe-"+hex.EncodeToString(b), "ok"
	if err := r.set(name, want); err != nil {
		return err
	}
	got, err := r.get(name)
	_ = r.delete(name)
	if err == nil && got != want {
		err = fmt.Errorf("the keyring returned %q for what was stored as %q", got, want)
	}
	return err
}

// bounded runs f, giving up after callTimeout. A call that never returns
// leaves its goroutine behind: there is no way to cancel go-keyring.
func bounded(f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	t := time.NewTimer(callTimeout)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return errors.New("the keyring did not answer within " + callTimeout.String())
	}
}
