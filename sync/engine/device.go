package engine

import (
	"context"
	"errors"
	"net/http"
	"runtime"

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
		return nil
	case err != nil && !errors.Is(err, secrets.ErrNotFound):
		// Registering again would give the device a new identity: the
		// status of its earlier cases would never arrive.
		return citizen.Transient(citizen.ESECRETS, "The app's secret store does not answer; the app tries again by itself.", err)
	}
	d, err := e.portal.RegisterDevice(ctx, api.DeviceRequest{Platform: runtime.GOOS, AppVersion: appVersion})
	if isStatus(err, http.StatusNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return e.keepDevice(ctx, name, d)
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
