package main

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync/atomic"

	"rathaus/app/citizen"
	"rathaus/app/search"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/assets"
	"rathaus/sync/engine"
	"rathaus/sync/login"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
)

// parts are what the app runs on once its data is open.
type parts struct {
	keys   *secrets.Keychain
	store  *store.Store
	portal *portal.Client // the engine's, with the device's credential
	engine *engine.Engine
	index  *search.Index // in the store's database
}

// resumeLogin finishes a device link or unlink that waited for the
// connection: after each pass that reached the backend.
// One at a time: a status comes with every step of a pass.
func resumeLogin(ctx context.Context, acct *login.Manager, e *engine.Engine) {
	var running atomic.Bool
	e.OnChange(func(st engine.Status) {
		if st.State == engine.Idle && !st.LastSuccess.IsZero() && running.CompareAndSwap(false, true) {
			go func() {
				defer running.Store(false)
				if err := acct.Resume(ctx); err != nil {
					slog.Warn("account link", "code", citizen.ErrorCode(err))
				}
			}()
		}
	})
}

// openParts opens the secret store (keyring or key file), the database
// with its data key, and makes the sync engine. fresh starts afresh where
// the old key is out of reach, as the citizen chose.
func openParts(ctx context.Context, dir, backend string, wire http.RoundTripper, fresh bool, secretOpts []secrets.Option) (*parts, error) {
	var storeOpts []store.Option
	if fresh {
		secretOpts = append(secretOpts[:len(secretOpts):len(secretOpts)], secrets.AbandonKeyring())
		storeOpts = append(storeOpts, store.WithNewKeyIfLost())
	}
	keys, err := secrets.Open(dir, "rathaus", secretOpts...)
	if err != nil {
		return nil, err
	}
	slog.Info("secret store", "backend", keys.Backend().String(), "record", keys.Path(), "why not the keyring", keys.Reason())
	st, err := store.Open(ctx, filepath.Join(dir, "rathaus.db"), keys, storeOpts...)
	if err != nil {
		return nil, err
	}
	if err := assets.SeedDemo(ctx, st); err != nil { // on the first start
		st.Close()
		return nil, err
	}
	index, err := search.Open(ctx, st.DB())
	if err != nil {
		st.Close()
		return nil, err
	}
	pc := portal.New(backend, portal.WithTransport(wire))
	return &parts{keys: keys, store: st, portal: pc, engine: engine.New(st, pc, upload.New(backend, upload.WithTransport(wire)), keys), index: index}, nil
}
