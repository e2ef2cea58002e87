package portal_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/handoff"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/server/servertest"
	"rathaus/sync/portal"
)

// TestHandoffKioskToPhone hands a draft from a kiosk to a phone through
// the real backend: the phone gets it once, a second claim and an expired
// one are refused with messages that say which, the kiosk sees the claim,
// and the backend never held anything it could read.
func TestHandoffKioskToPhone(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	clock := servertest.NewClock(start)
	b := servertest.New(t, servertest.WithClock(clock))
	kiosk := portal.New(b.URL)
	dev, err := kiosk.RegisterDevice(ctx, api.DeviceRequest{Platform: "test"})
	if err != nil {
		t.Fatal(err)
	}
	kiosk.SetToken(dev.Token)

	const canary = "CANARY-handoff-Wuffi"
	hand := func(t *testing.T) (id string, key []byte) {
		t.Helper()
		ct, key, err := handoff.Seal(handoff.Draft{Service: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 1},
			Values: map[string]any{"dog_name": canary}, Step: 1})
		if err != nil {
			t.Fatal(err)
		}
		h, err := kiosk.CreateHandoff(ctx, ct)
		if err != nil {
			t.Fatal(err)
		}
		return h.ID, key
	}
	phoneStore, err := store.Open(ctx, filepath.Join(t.TempDir(), "phone.db"), secrets.OpenMemory("phone"))
	if err != nil {
		t.Fatal(err)
	}
	defer phoneStore.Close()
	phone := portal.New(b.URL) // no device: the claim needs none

	id, key := hand(t)
	t.Run("the backend holds ciphertext only", func(t *testing.T) {
		raw := backendBytes(t, b)
		if bytes.Contains(raw, []byte(canary)) || bytes.Contains(raw, []byte("dog_name")) {
			t.Error("the backend's database holds the draft in clear")
		}
		if bytes.Contains(raw, key) || bytes.Contains(raw, []byte(handoff.Link(id, key)[len(id)+19:])) {
			t.Error("the backend's database holds the key")
		}
	})
	t.Run("claimed once", func(t *testing.T) {
		d, err := handoff.Receive(ctx, handoff.Link(id, key), phone, phoneStore, start)
		if err != nil {
			t.Fatal(err)
		}
		got, err := phoneStore.Draft(ctx, d.ID)
		if err != nil || got.Values["dog_name"] != canary || got.Service != "hundesteuer" || got.Step != 1 || !got.State.Editable() {
			t.Errorf("the phone's draft = %+v, %v", got, err)
		}
		st, err := kiosk.HandoffState(ctx, id)
		if err != nil || st.Claimed == nil {
			t.Errorf("the kiosk's view: %+v, %v; want claimed", st, err)
		}
	})
	t.Run("a second claim is refused", func(t *testing.T) {
		_, err := handoff.Receive(ctx, handoff.Code(id, key), phone, phoneStore, start)
		if citizen.ErrorCode(err) != citizen.EREJECTED || citizen.ErrorMessage(err) != "This draft was taken over already. Ask at the kiosk for a new code." {
			t.Errorf("second claim: %v (%s)", err, citizen.ErrorMessage(err))
		}
	})
	t.Run("an expired one is refused", func(t *testing.T) {
		id, key := hand(t)
		later := start.Add(31 * time.Minute)
		clock.Set(later)
		_, err := handoff.Receive(ctx, handoff.Link(id, key), phone, phoneStore, later)
		if citizen.ErrorCode(err) != citizen.EREJECTED || citizen.ErrorMessage(err) != "This code expired (a handoff waits 30 minutes). Ask at the kiosk for a new code." {
			t.Errorf("expired claim: %v (%s)", err, citizen.ErrorMessage(err))
		}
	})
	t.Run("a typo does not use the handoff up", func(t *testing.T) {
		clock.Set(start)
		id, key := hand(t)
		if _, err := handoff.Receive(ctx, id+" notakey", phone, phoneStore, start); citizen.ErrorCode(err) != citizen.EINVALID {
			t.Errorf("typo: %v, want %s", err, citizen.EINVALID)
		}
		if _, err := handoff.Receive(ctx, handoff.Code(id, key), phone, phoneStore, start); err != nil {
			t.Errorf("the right code after a typo: %v", err)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		_, err := handoff.Receive(ctx, handoff.Code("nosuchhandoff", key), phone, phoneStore, start)
		if citizen.ErrorCode(err) != citizen.ENOTFOUND {
			t.Errorf("unknown: %v, want %s", err, citizen.ENOTFOUND)
		}
	})
}

// backendBytes is every byte of the backend's database: its SQLite file
// with WAL, or (on PostgreSQL) the handoffs' rows.
func backendBytes(t *testing.T, b *servertest.Backend) []byte {
	t.Helper()
	if _, err := os.Stat(b.DBPath); err == nil {
		var all []byte
		for _, p := range []string{b.DBPath, b.DBPath + "-wal"} {
			raw, _ := os.ReadFile(p)
			all = append(all, raw...)
		}
		return all
	}
	db, err := sql.Open("pgx", b.DBPath)
	if err != nil {
		t.Skip("no way to read the backend's rows:", err)
	}
	defer db.Close()
	var all []byte
	rows, err := db.Query(`SELECT id, device, ciphertext FROM handoffs`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, dev string
		var ct []byte
		if err := rows.Scan(&id, &dev, &ct); err != nil {
			t.Fatal(err)
		}
		all = append(append(append(all, id...), dev...), ct...)
	}
	return all
}
