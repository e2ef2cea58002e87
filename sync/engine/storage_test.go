package engine_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/fill"
	"rathaus/app/store"
	"rathaus/assets/demotest"
	"rathaus/sync/engine"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
)

// fullStore is the device's store whose one kind of write fails as on a
// full disk (the store's ESTORAGE), while every other write fits: what a
// full disk does to SQLite, which takes what fits in the pages it has
// (reliability/diskfull_test.go has the real thing).
type fullStore struct {
	*store.Store
	failing string // the method that fails
	err     error  // how it fails: errFull unless set
	full    atomic.Bool
}

var errFull = &citizen.Error{Code: citizen.ESTORAGE, Message: "The device's storage is full. Free some space; nothing was saved.",
	Err: errors.New("database or disk is full")}

// errBusy is the store's failure when another writer held the database
// past its busy timeout: not a full disk, and not the item's fault either.
var errBusy = &citizen.Error{Code: citizen.EINTERNAL, Message: "The app's database failed.",
	Err: errors.New("recording a case: database is locked")}

func (f *fullStore) failure() error {
	if f.err != nil {
		return f.err
	}
	return errFull
}

func (f *fullStore) fails(method string) bool { return f.full.Load() && f.failing == method }

func (f *fullStore) Acknowledge(ctx context.Context, itemID int64, c api.Case) error {
	if f.fails("Acknowledge") {
		return f.failure()
	}
	return f.Store.Acknowledge(ctx, itemID, c)
}

func (f *fullStore) SetAttachmentUpload(ctx context.Context, id, url string, offset int64, done bool) error {
	if f.fails("SetAttachmentUpload") {
		return f.failure()
	}
	return f.Store.SetAttachmentUpload(ctx, id, url, offset, done)
}

func (f *fullStore) SetSyncValue(ctx context.Context, key, value string) error {
	if f.fails("SetSyncValue") {
		return f.failure()
	}
	return f.Store.SetSyncValue(ctx, key, value)
}

func (f *fullStore) AckDraftCopy(ctx context.Context, itemID int64, sent, merged api.DraftCopy) error {
	if f.fails("AckDraftCopy") {
		return f.failure()
	}
	return f.Store.AckDraftCopy(ctx, itemID, sent, merged)
}

// TestSync_FullStorageParksNothing: when the store cannot record what the
// backend answered (or how far an upload got), because the disk is full or
// another writer held the database too long, the item is not refused,
// parked or charged an attempt, though the failure is not transient: it is
// the device's, not the item's. The pass fails with the store's error; once
// the store takes writes again the next pass sends the item under the same
// key, and the backend has one case for it.
func TestSync_FullStorageParksNothing(t *testing.T) {
	rows := []struct {
		name    string
		failing string
		kind    citizen.OutboxKind
		queue   func(t *testing.T, r *rig) string // returns the draft's id
		cases   int                               // the backend's cases while the store is full
		err     error                             // the store's failure (errFull when nil)
	}{
		{"the answer to a submission", "Acknowledge", citizen.OutboxSubmission,
			func(t *testing.T, r *rig) string { return r.submitExample(t, "hundesteuer", nil).ID }, 1, nil},
		{"an upload's progress", "SetAttachmentUpload", citizen.OutboxSubmission, submitWithPhoto, 0, nil},
		{"the answer to a draft copy", "AckDraftCopy", citizen.OutboxDraft, func(t *testing.T, r *rig) string {
			d := citizen.NewDraft(api.Service{ID: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 2}}, r.clock.Now())
			if err := r.store.CreateDraft(context.Background(), d); err != nil {
				t.Fatal(err)
			}
			if err := r.store.SaveDraft(context.Background(), d.ID, map[string]any{"dog_name": "Bello"}, 0); err != nil {
				t.Fatal(err)
			}
			return d.ID
		}, 0, nil},
		{"the answer to a submission, the database busy", "Acknowledge", citizen.OutboxSubmission,
			func(t *testing.T, r *rig) string { return r.submitExample(t, "hundesteuer", nil).ID }, 1, errBusy},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			r := newRig(t)
			ctx := context.Background()
			fs := &fullStore{Store: r.store, failing: row.failing, err: row.err}
			eng := engine.New(fs, portal.New(r.backend.URL), upload.New(r.backend.URL), r.keys, engine.WithClock(r.clock.Now))
			if err := eng.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			draftID := row.queue(t, r)
			before := r.draft(t, draftID).State

			fs.full.Store(true)
			for range 2 {
				err := eng.Sync(ctx)
				if want := citizen.ErrorCode(fs.failure()); citizen.ErrorCode(err) != want {
					t.Fatalf("a pass with a failing store: %v, want %s", err, want)
				}
				it := kindItem(t, r, row.kind)
				if it.State != citizen.OutboxPending || it.Attempts != 0 {
					t.Errorf("the item after a pass with a full store: %v, %d attempts (%s); want pending, 0", it.State, it.Attempts, it.LastError)
				}
				if got := r.draft(t, draftID).State; got != before {
					t.Errorf("the draft is %v, was %v", got, before)
				}
				if s := eng.Status(); s.State != engine.Error || citizen.ErrorCode(s.Err) != citizen.ErrorCode(fs.failure()) {
					t.Errorf("status %v, %v; want %v with the store's error", s.State, s.Err, engine.Error)
				}
			}
			if got := r.backend.Cases(); got != row.cases {
				t.Errorf("the backend has %d cases while the store is full, want %d", got, row.cases)
			}

			fs.full.Store(false)
			if err := eng.Sync(ctx); err != nil {
				t.Fatalf("the pass once the store takes writes: %v", err)
			}
			if it := kindItem(t, r, row.kind); it.State != citizen.OutboxDone {
				t.Errorf("the item: %v (%s), want done", it.State, it.LastError)
			}
			if row.kind == citizen.OutboxSubmission {
				if d := r.draft(t, draftID); d.State != citizen.DraftSent || d.CaseNumber == "" {
					t.Errorf("the draft is %v, case %q; want sent with its case", d.State, d.CaseNumber)
				}
				if got := r.backend.Cases(); got != 1 {
					t.Errorf("the backend has %d cases, want 1", got)
				}
			}
		})
	}
}

// kindItem is the one item of a kind in the outbox, whatever its state.
func kindItem(t *testing.T, r *rig, k citizen.OutboxKind) citizen.OutboxItem {
	t.Helper()
	var it citizen.OutboxItem
	var state string
	n := 0
	rows, err := r.store.DB().Query(`SELECT state, attempts, last_error FROM outbox WHERE kind = ?`, k.String())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(&state, &it.Attempts, &it.LastError); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 1 {
		t.Fatalf("%d items of kind %v, want 1", n, k)
	}
	it.State, _ = citizen.ParseOutboxState(state)
	return it
}

// submitWithPhoto queues the defect report's example with a photo
// attached.
func submitWithPhoto(t *testing.T, r *rig) string {
	t.Helper()
	ctx := context.Background()
	svc := demotest.Service(t, "maengelmelder")
	values := demotest.Example(t, svc.Form.ID)
	d := citizen.NewDraft(svc, r.clock.Now())
	if err := r.store.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	att, err := r.store.AddAttachment(ctx, d.ID, "IMG_4471.jpg", "image/jpeg", make([]byte, 96<<10))
	if err != nil {
		t.Fatal(err)
	}
	values["photo"] = fill.ToValue(att)
	if err := r.store.SaveDraft(ctx, d.ID, values, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Submit(ctx, d.ID, nil); err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// refusingSecrets is a secret store that takes no new secret while refuse
// is set.
type refusingSecrets struct {
	engine.Secrets
	refuse atomic.Bool
}

func (s *refusingSecrets) Set(name, value string) error {
	if s.refuse.Load() {
		return errors.New("the keyring does not answer")
	}
	return s.Secrets.Set(name, value)
}

// TestRegistration_KilledBetweenItsWrites: a new device's id goes to the
// store and its credential to the secret store; when the app is killed
// after one of the two (here: the other fails, and the engine is dropped
// as the kill drops it), the next start has a credential and the id of the
// same device: the backend scopes the device's next case to the id the
// app keeps.
func TestRegistration_KilledBetweenItsWrites(t *testing.T) {
	for _, lost := range []string{"the id", "the credential"} {
		t.Run(lost+" not written", func(t *testing.T) {
			r := newRig(t)
			ctx := context.Background()
			fs := &fullStore{Store: r.store, failing: "SetSyncValue"}
			sec := &refusingSecrets{Secrets: r.keys}
			if lost == "the id" {
				fs.full.Store(true)
			} else {
				sec.refuse.Store(true)
			}
			first := engine.New(fs, portal.New(r.backend.URL), upload.New(r.backend.URL), sec, engine.WithClock(r.clock.Now))
			if err := first.Sync(ctx); err == nil {
				t.Fatal("the registration's write failed, and the pass did not")
			}

			// The next start.
			next := engine.New(r.store, portal.New(r.backend.URL), upload.New(r.backend.URL), r.keys, engine.WithClock(r.clock.Now))
			if err := next.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			r.submitExample(t, "hundesteuer", nil)
			if err := next.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			var scope string
			if err := openReadOnly(t, r.backend.DBPath).QueryRow(`SELECT scope FROM idempotency_keys`).Scan(&scope); err != nil {
				t.Fatal(err)
			}
			if got := deviceIDOf(t, r); got != scope {
				t.Errorf("the app keeps device id %s, its case came from device %s", got, scope)
			}
		})
	}
}
