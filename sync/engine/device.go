package engine

import (
	"context"
	"errors"
	"net/http"
	"runtime"

	"rathaus/api"
	"rathaus/app/secrets"
	"rathaus/app/store"
)

// appVersion is sent at device registration.
const appVersion = "0.1.0"

// ensureDevice gives the portal client the device's credential, registering
// the device at first contact. The credential lives in the keyring only.
// A backend without device registration (404) is used anonymously.
func (e *Engine) ensureDevice(ctx context.Context) error {
	name := "device-token-" + e.store.InstallID()
	token, err := e.secrets.Get(name)
	if err == nil && token != "" {
		e.portal.SetToken(token)
		return nil
	}
	if err != nil && !errors.Is(err, secrets.ErrNotFound) {
		e.log.Warn("keyring: reading the device credential", "err", err)
	}
	d, err := e.portal.RegisterDevice(ctx, api.DeviceRequest{Platform: runtime.GOOS, AppVersion: appVersion})
	if isStatus(err, http.StatusNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := e.secrets.Set(name, d.Token); err != nil {
		// Without the keyring the device re-registers next run; its
		// cases stay with the old device until accounts exist.
		e.log.Warn("keyring: storing the device credential", "err", err)
	}
	e.portal.SetToken(d.Token)
	return e.store.SetSyncValue(ctx, store.KeyDeviceID, d.ID)
}
