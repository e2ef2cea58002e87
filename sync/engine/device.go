package engine

import (
	"context"
	"crypto/ed25519"
	"errors"
	"net/http"
	"runtime"
	"sync"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/app/store"
)

// appVersion is sent at device registration.
const appVersion = "0.1.0"

// ensureDevice gives the portal client and the uploader the device's
// credential, registering the device at first contact. The credential lives in the secret store
// only (keyring or key file), so that a restart keeps the device identity
// that the backend scopes cases, idempotency keys and the changes feed to.
// A backend without device registration (404) is used anonymously.
func (e *Engine) ensureDevice(ctx context.Context) error {
	name := "device-token-" + e.store.InstallID()
	if e.unsaved.Token != "" {
		return e.keepDevice(ctx, name, e.unsaved)
	}
	token, err := e.secrets.Get(name)
	switch {
	case err == nil && token != "":
		e.useToken(token)
		return e.ensureSigningKey(ctx)
	case err != nil && !errors.Is(err, secrets.ErrNotFound):
		// Registering again would give the device a new identity: the
		// status of its earlier cases would never arrive.
		return citizen.Transient(citizen.ESECRETS, "The app's secret store does not answer; the app tries again by itself.", err)
	}
	key, err := secrets.SigningKey(e.secrets, e.store.InstallID())
	if err != nil {
		return citizen.Transient(citizen.ESECRETS, "The app's secret store does not answer; the app tries again by itself.", err)
	}
	pub := api.EncodeSigningKey(key.Public().(ed25519.PublicKey))
	d, err := e.portal.RegisterDevice(ctx, api.DeviceRequest{Platform: runtime.GOOS, AppVersion: appVersion, SigningKey: pub})
	if isStatus(err, http.StatusNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := e.keepDevice(ctx, name, d); err != nil {
		return err
	}
	// Registered with the key: the next start need not send it again.
	if err := e.store.SetSyncValue(ctx, keySigningKey, pub); err != nil {
		return err
	}
	e.signer.set(key)
	return nil
}

// keySigningKey (a sync value) is the public signing key the backend has
// for this device, as sent; "" while it has none.
const keySigningKey = "signing_key"

// ensureSigningKey makes sure the backend knows the device's signing key:
// a device registered by an app from before signing keys registers its
// key once (POST /v1/devices/key). Until then its submissions go unsigned,
// as they did; a backend without the endpoint (404) takes them so.
func (e *Engine) ensureSigningKey(ctx context.Context) error {
	if e.signer.get() != nil {
		return nil
	}
	key, err := secrets.SigningKey(e.secrets, e.store.InstallID())
	if err != nil {
		return citizen.Transient(citizen.ESECRETS, "The app's secret store does not answer; the app tries again by itself.", err)
	}
	pub := api.EncodeSigningKey(key.Public().(ed25519.PublicKey))
	if have, err := e.store.SyncValue(ctx, keySigningKey); err != nil {
		return err
	} else if have == pub {
		e.signer.set(key)
		return nil
	}
	err = e.portal.RegisterDeviceKey(ctx, api.DeviceKeyRequest{SigningKey: pub})
	switch {
	case isStatus(err, http.StatusNotFound):
		return nil
	case err != nil:
		// A conflict (the backend has another key for this device: the
		// secret store lost the key and kept the credential) is the
		// backend's to sort out; the device goes on unsigned meanwhile.
		if isStatus(err, http.StatusConflict) {
			e.log.Warn("the backend has another signing key for this device; submissions go unsigned", "err", err)
			return nil
		}
		if !citizen.IsTransient(err) {
			// Refused for good (an insecure connection, say): the pass
			// goes on, so that the items themselves carry the error the
			// citizen must see; the key is offered again next pass.
			e.log.Warn("the signing key could not be registered", "err", err)
			return nil
		}
		return err
	}
	if err := e.store.SetSyncValue(ctx, keySigningKey, pub); err != nil {
		return err
	}
	e.signer.set(key)
	return nil
}

// KeyFingerprint is the fingerprint of the key that signs this device's
// submissions (api.KeyFingerprint), as the receipt shows it; "" until the
// backend knows the key.
func (e *Engine) KeyFingerprint() string {
	k := e.signer.get()
	if k == nil {
		return ""
	}
	return api.KeyFingerprint(k.Public().(ed25519.PublicKey))
}

// signer holds the device's signing key for the senders, set by the pass
// once the backend has it.
type signer struct {
	mu  sync.Mutex
	key ed25519.PrivateKey
}

func (s *signer) set(k ed25519.PrivateKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.key = k
}

func (s *signer) get() ed25519.PrivateKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.key
}

// keepDevice stores a new device's credential before the device is used:
// a case sent under a credential that the next start would not find is a
// case whose status never arrives. Until both places took it, the device
// waits (in e.unsaved, so the next pass stores it rather than registering
// yet another device). Its id goes first: killed between the two, the app
// registers again at its next start and the new id replaces it; the other
// way round, a credential would be kept whose id never is.
func (e *Engine) keepDevice(ctx context.Context, name string, d api.Device) error {
	if err := e.store.SetSyncValue(ctx, store.KeyDeviceID, d.ID); err != nil {
		e.unsaved = d
		return err
	}
	if err := e.secrets.Set(name, d.Token); err != nil {
		e.unsaved = d
		return citizen.Transient(citizen.ESECRETS, "The app's secret store does not answer; the app tries again by itself.", err)
	}
	e.unsaved = api.Device{}
	e.useToken(d.Token)
	return nil
}

// useToken makes both clients send the device's credential: a submission
// and the uploads it names must come from the same device, or the backend
// does not find the uploads.
func (e *Engine) useToken(token string) {
	e.portal.SetToken(token)
	e.uploads.SetToken(token)
}

// EnsureDevice registers the device if it never was, so that the portal
// client carries its credential: the account link names the device by it.
// It waits for a running pass (one at a time).
func (e *Engine) EnsureDevice(ctx context.Context) error {
	e.passMu.Lock()
	defer e.passMu.Unlock()
	return e.ensureDevice(ctx)
}
