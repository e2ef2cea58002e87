package kiosk_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	appkiosk "rathaus/app/kiosk"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/assets"
	"rathaus/server/servertest"
	"rathaus/sync/engine"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
)

// kioskDevice is the kiosk's own parts as kiosk.go wires them: a store on
// a new file in dir with the demo town, its engine, registered at the
// backend by a first sync, and the citizens' sessions beside it.
type kioskDevice struct {
	dir      string
	store    *store.Store
	portal   *portal.Client
	engine   *engine.Engine
	sessions *appkiosk.Sessions
}

// newKioskDevice opens the kiosk's parts in dir with keys, against b.
// The store closes when the test ends.
func newKioskDevice(t *testing.T, b *servertest.Backend, dir string, keys *secrets.Keychain) *kioskDevice {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "rathaus.db"), keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := assets.SeedDemo(ctx, st); err != nil {
		t.Fatal(err)
	}
	d := &kioskDevice{dir: dir, store: st, portal: portal.New(b.URL, portal.WithTimeout(10*time.Second))}
	d.engine = engine.New(st, d.portal, upload.New(b.URL), keys)
	if err := d.engine.Sync(ctx); err != nil { // the kiosk registers its device
		t.Fatal(err)
	}
	d.sessions, err = appkiosk.NewSessions(filepath.Join(dir, "kiosk-sessions"), keys, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
