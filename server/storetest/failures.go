package storetest

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
)

// testBusy: while another holds the locks that writes need (another
// process, a stuck transaction) for longer than the store waits, every
// write fails with an error that is server.ErrBusy and still says what the
// database said, and changes nothing; every read answers meanwhile; once
// the lock is free, the same writes go through.
func testBusy(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	s := open(t)
	if s.Busy == nil {
		t.Skip("the store under test gives no way to hold its locks")
	}
	d1 := server.Device{ID: "d_1"}
	addDevice(t, s, "d_1")
	made := mustCreate(t, s, "k1", deviceCase(caseID(1), "d_1"))
	addUpload(t, s, "u_1", created, true)
	addUpload(t, s, "u_2", created, false)
	putDraft(t, s, d1, "draft-1", field("name", "Erika", 10, "d_1"))
	if _, err := s.RecordCatalog(ctx, "etag-1"); err != nil {
		t.Fatal(err)
	}
	before := feed(t, s, d1, 0, 100)
	usage, err := s.Usage(ctx, d1)
	if err != nil {
		t.Fatal(err)
	}

	busy, release := s.Busy(t)
	writes := []struct {
		name  string
		write func() error
	}{
		{"CreateCase", func() error {
			c, _, err := busy.CreateCase(ctx, "k2", hash("a"), deviceCase(caseID(2), "d_1"))
			if err == nil && c.Number != "2026-000002" {
				return fmt.Errorf("case number %s, want 2026-000002: none lost to the failed attempt", c.Number)
			}
			return err
		}},
		{"SetCaseStatus", func() error {
			_, err := busy.SetCaseStatus(ctx, made.ID, api.CaseEvent{Status: api.StatusInReview, At: created}, func(string) error { return nil })
			return err
		}},
		{"CreateDevice", func() error {
			return busy.CreateDevice(ctx, server.NewDevice{ID: "d_2", TokenHash: hash("d_2"), Platform: "linux", AppVersion: "0.1", Created: created})
		}},
		{"LinkDevices", func() error { return busy.LinkDevices(ctx, "acc1", "d_1") }},
		{"RecordCatalog", func() error { _, err := busy.RecordCatalog(ctx, "etag-2"); return err }},
		{"CreateUpload", func() error {
			return busy.CreateUpload(ctx, server.Upload{ID: "u_3", Size: 1, SHA256: fmt.Sprintf("%064x", 3), Filename: "a.jpg", Filetype: "image/jpeg", Created: created})
		}},
		{"FinishUpload", func() error { return busy.FinishUpload(ctx, "u_2", created.Add(time.Hour)) }},
		{"DeleteUpload", func() error { return busy.DeleteUpload(ctx, "u_1") }},
		{"PutDraft", func() error {
			_, err := busy.PutDraft(ctx, d1, "draft-2", mergeFields(d1, "draft-2", field("city", "Köln", 20, "d_1")))
			return err
		}},
	}
	for _, w := range writes {
		err := w.write()
		if !errors.Is(err, server.ErrBusy) || err.Error() == server.ErrBusy.Error() {
			t.Errorf("%s while the locks are held: %v; want ErrBusy with the database's own message", w.name, err)
		}
	}

	reads := []struct {
		name string
		read func() error
	}{
		{"ReplayCase", func() error {
			c, found, err := busy.ReplayCase(ctx, "d_1", "k1", hash("a"))
			if err == nil && (!found || !reflect.DeepEqual(c, made)) {
				return fmt.Errorf("found %v, %+v; want %+v", found, c, made)
			}
			return err
		}},
		{"DeviceByToken", func() error { _, err := busy.DeviceByToken(ctx, hash("d_1")); return err }},
		{"Changes", func() error { _, _, err := busy.Changes(ctx, d1, 0, 10); return err }},
		{"Upload", func() error { _, err := busy.Upload(ctx, "u_1"); return err }},
		{"ExpiredUploads", func() error { _, err := busy.ExpiredUploads(ctx, time.Now()); return err }},
		{"Usage", func() error { _, err := busy.Usage(ctx, d1); return err }},
		{"CountCases", func() error { _, err := busy.CountCases(ctx); return err }},
		{"Ping", func() error { return busy.Ping(ctx) }},
	}
	for _, r := range reads {
		if err := r.read(); err != nil {
			t.Errorf("%s while the locks are held: %v", r.name, err)
		}
	}

	release()
	// Nothing of the failed writes was kept.
	if got := feed(t, busy, d1, 0, 100); !reflect.DeepEqual(describe(got), describe(before)) {
		t.Errorf("feed after the failed writes = %q, want it unchanged %q", describe(got), describe(before))
	}
	if got, err := busy.Usage(ctx, d1); err != nil || got != usage {
		t.Errorf("Usage after the failed writes = %+v, %v; want it unchanged %+v", got, err, usage)
	}
	if n, err := busy.CountCases(ctx); err != nil || n != 1 {
		t.Errorf("CountCases after the failed writes = %d, %v; want 1", n, err)
	}
	if _, err := busy.DeviceByToken(ctx, hash("d_2")); !errors.Is(err, server.ErrNotFound) {
		t.Errorf("the device of the failed CreateDevice: %v, want ErrNotFound", err)
	}
	if u, err := busy.Upload(ctx, "u_2"); err != nil || !u.Finished.IsZero() {
		t.Errorf("the upload of the failed FinishUpload: %+v, %v; want it unfinished", u, err)
	}
	if _, err := busy.Upload(ctx, "u_1"); err != nil {
		t.Errorf("the upload of the failed DeleteUpload: %v, want it kept", err)
	}
	// Free again: every write goes through, in the same order.
	for _, w := range writes {
		if err := w.write(); err != nil {
			t.Errorf("%s once the locks are free: %v", w.name, err)
		}
	}
}

// testFull: a store with no room left fails a write with an error that is
// server.ErrFull; what it acknowledged before stays, the refused write
// left nothing (its key is new, no case number is lost), reads answer, and
// with room again (as an operator makes it) the refused write goes in.
func testFull(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	s := open(t)
	if s.Full == nil {
		t.Skip("the store under test gives no way to fill it")
	}
	full, room := s.Full(t)
	addDevice(t, full, "d_1")
	rng := rand.New(rand.NewChaCha8([32]byte{1}))
	acked := map[string]api.Case{}
	refused := ""
	for i := range 1000 {
		key := fmt.Sprint("k", i)
		c, _, err := full.CreateCase(ctx, key, hash(key), bigCase(rng, caseID(i), "d_1"))
		if err == nil {
			acked[key] = c
			continue
		}
		if !errors.Is(err, server.ErrFull) {
			t.Fatalf("CreateCase %d: %v; want ErrFull once the store has no room", i, err)
		}
		t.Logf("%d cases of 64 KiB stored, then: %v", len(acked), err)
		refused = key
		break
	}
	if refused == "" || len(acked) == 0 {
		t.Fatalf("%d cases stored, refused %q: the store must take some and then be full", len(acked), refused)
	}
	d1 := server.Device{ID: "d_1"}
	bigDraft := field("photo_note", base64.StdEncoding.EncodeToString(randomBytes(rng, 48<<10)), 10, "d_1")
	if _, err := full.PutDraft(ctx, d1, "draft-1", mergeFields(d1, "draft-1", bigDraft)); !errors.Is(err, server.ErrFull) {
		t.Errorf("PutDraft of 64 KiB in a full store: %v, want ErrFull", err)
	}

	if n, err := full.CountCases(ctx); err != nil || n != len(acked) {
		t.Errorf("CountCases when full = %d, %v; want the %d acknowledged", n, err, len(acked))
	}
	if _, found, err := full.ReplayCase(ctx, "d_1", refused, hash(refused)); err != nil || found {
		t.Errorf("the refused key when full: found %v, %v; want a new key", found, err)
	}
	if u, err := full.Usage(ctx, d1); err != nil || u.OpenCases != len(acked) || u.Drafts != 0 {
		t.Errorf("Usage when full = %+v, %v; want %d open cases and no draft", u, err, len(acked))
	}
	if err := full.Ping(ctx); err != nil {
		t.Errorf("Ping when full: %v", err)
	}

	roomy := room(t)
	for key, want := range acked {
		if got, found, err := roomy.ReplayCase(ctx, "d_1", key, hash(key)); err != nil || !found || got.ID != want.ID {
			t.Errorf("acknowledged key %s: %+v, %v, %v; want case %s", key, got.ID, found, err, want.ID)
		}
	}
	c, replayed, err := roomy.CreateCase(ctx, refused, hash(refused), bigCase(rng, caseID(len(acked)), "d_1"))
	if wantNumber := fmt.Sprintf("2026-%06d", len(acked)+1); err != nil || replayed || c.Number != wantNumber {
		t.Errorf("the refused case with room again: %s, replayed %v, %v; want a new case %s", c.Number, replayed, err, wantNumber)
	}
	if _, err := roomy.PutDraft(ctx, d1, "draft-1", mergeFields(d1, "draft-1", bigDraft)); err != nil {
		t.Errorf("PutDraft with room again: %v", err)
	}
}

// bigCase is a case of a device with 64 KiB of data that does not
// compress.
func bigCase(rng *rand.Rand, id, device string) server.NewCase {
	c := deviceCase(id, device)
	c.Data = []byte(`{"x":"` + base64.StdEncoding.EncodeToString(randomBytes(rng, 48<<10)) + `"}`)
	return c
}

func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}
