package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/app/store"
)

// notePayload is a kind of outgoing item that only this test knows: the
// outbox takes a new kind without a table change.
type notePayload struct {
	Text string `json:"text"`
}

var noteKind = citizen.RegisterOutboxKind("storetest_note", func() citizen.OutboxPayload { return new(notePayload) })

func (*notePayload) OutboxKind() citizen.OutboxKind { return noteKind }

// strangerPayload belongs to no registered kind.
type strangerPayload struct{}

func (strangerPayload) OutboxKind() citizen.OutboxKind { return 0 }

func TestEnqueue_AnyRegisteredKindDoneAndFail(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	a, err := f.Enqueue(ctx, "draft-a", &notePayload{Text: "Bitte zurückrufen"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.Enqueue(ctx, "draft-b", &notePayload{Text: "Danke"})
	if err != nil {
		t.Fatal(err)
	}
	due, err := f.DueOutbox(ctx, f.clock.Now(), false)
	if err != nil || len(due) != 2 {
		t.Fatalf("due = %v, %v; want both notes", due, err)
	}
	for i, want := range []*citizen.OutboxItem{a, b} {
		got := due[i]
		p, ok := got.Payload.(*notePayload)
		if got.Kind != noteKind || !ok || got.Locked || got.IdempotencyKey != want.IdempotencyKey || got.DraftID != want.DraftID {
			t.Fatalf("item %d = %+v, want %+v", i, got, want)
		}
		if p.Text != want.Payload.(*notePayload).Text {
			t.Errorf("note %d = %q, want %q", i, p.Text, want.Payload.(*notePayload).Text)
		}
	}
	var stored string
	f.DB().QueryRow(`SELECT kind FROM outbox WHERE id = ?`, a.ID).Scan(&stored)
	if stored != "storetest_note" {
		t.Errorf("stored kind = %q, want its name", stored)
	}
	if err := f.Done(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.Fail(ctx, b.ID, citizen.EREJECTED, "The town hall did not accept this."); err != nil {
		t.Fatal(err)
	}
	if due, _ := f.DueOutbox(ctx, f.clock.Now(), true); len(due) != 0 {
		t.Errorf("due after done and failed = %d items, want 0", len(due))
	}
	var state, code string
	var attempts int
	f.DB().QueryRow(`SELECT state, last_code, attempts FROM outbox WHERE id = ?`, b.ID).Scan(&state, &code, &attempts)
	if state != "failed" || code != citizen.EREJECTED || attempts != 1 {
		t.Errorf("failed note = %s %q after %d attempts, want failed, rejected, 1", state, code, attempts)
	}
	wantCode(t, f.Done(ctx, 999), citizen.ENOTFOUND)
	// A submission's refusal is Reject; it does not take another kind.
	wantCode(t, f.Reject(ctx, a.ID, nil, citizen.EREJECTED, "x"), citizen.ENOTFOUND)

	for name, p := range map[string]citizen.OutboxPayload{"no payload": nil, "unregistered": strangerPayload{}} {
		if _, err := f.Enqueue(ctx, "draft-c", p); err == nil {
			t.Errorf("%s: Enqueue succeeded, want it refused", name)
		}
	}
	if _, err := f.Enqueue(ctx, "", &notePayload{}); err == nil {
		t.Error("Enqueue without a draft succeeded, want it refused")
	}
}

// TestOutbox_LockedItem: an item sealed with a key this device no longer
// has comes back Locked, without payload, its error fields untouched.
func TestOutbox_LockedItem(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	d := mustDraft(t, f, map[string]any{"given_name": "Erika"})
	if _, err := f.Submit(ctx, d.ID, nil); err != nil {
		t.Fatal(err)
	}
	f.keys = secrets.OpenMemory("another-run")
	f.reopen(t)
	items, err := f.DueOutbox(ctx, f.clock.Now(), true)
	if err != nil || len(items) != 1 {
		t.Fatalf("due = %v, %v", items, err)
	}
	if it := items[0]; !it.Locked || it.Payload != nil || it.Kind != citizen.OutboxSubmission || it.LastCode != "" {
		t.Errorf("item = %+v, want a locked submission without payload and without an error code", it)
	}
}

// TestOpen_MigratesOutboxOfVersion4: a database of schema version 4 with a
// submission, a draft copy (whose empty payload was sealed without the
// item's key) and a tombstone opens with every item readable, and takes
// a kind the old table's CHECK refused.
func TestOpen_MigratesOutboxOfVersion4(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL) STRICT`)
	for v, name := range []string{"0001_init.sql", "0002_attachments.sql", "0003_sync.sql", "0004_leftovers.sql"} {
		body, err := os.ReadFile(filepath.Join("migrations", name))
		if err != nil {
			t.Fatal(err)
		}
		exec(string(body))
		exec(`INSERT INTO schema_migrations VALUES (?, 0)`, v+1)
	}
	exec(`INSERT INTO meta VALUES ('install_id', 'old-install')`)
	keys := secrets.OpenMemory("rathaus-test")
	key, _ := keys.DataKey("old-install")
	sealer, _ := secrets.NewSealer(key)
	seal := func(v any, ad string) []byte {
		plain, _ := json.Marshal(v)
		var add []byte
		if ad != "" {
			add = []byte("outbox:" + ad)
		}
		b, _ := sealer.Seal(plain, add)
		return b
	}
	req := api.SubmissionRequest{Service: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 1}, Data: json.RawMessage(`{"dog_name":"Bello"}`)}
	tomb := api.DraftCopy{ID: "d3", Service: "hundesteuer", Form: req.Form, Deleted: &api.DraftField{Clock: "0001764234000000-0000-dev"}}
	for _, row := range []struct {
		draft, kind, key string
		payload          []byte
	}{
		{"d1", "submission", "k1", seal(req, "k1")},
		{"d2", "draft", "k2", seal(map[string]any{}, "")},
		{"d3", "draft", "k3", seal(tomb, "k3")},
	} {
		exec(`INSERT INTO outbox (draft_id, kind, idempotency_key, payload_sealed, state, next_attempt, created) VALUES (?, ?, ?, ?, 'pending', 0, 0)`,
			row.draft, row.kind, row.key, row.payload)
	}
	// An item sent and deleted with its draft: its id is never used again.
	exec(`INSERT INTO outbox (draft_id, kind, idempotency_key, payload_sealed, state, next_attempt, created) VALUES ('d0', 'submission', 'k0', x'00', 'done', 0, 0)`)
	exec(`DELETE FROM outbox WHERE draft_id = 'd0'`)
	db.Close()

	s, err := store.Open(ctx, path, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	items, err := s.DueOutbox(ctx, time.Now(), true)
	if err != nil || len(items) != 3 {
		t.Fatalf("items after the migration = %v, %v; want 3", items, err)
	}
	for _, it := range items {
		if it.Locked || it.Payload == nil {
			t.Errorf("item %d (%s) = locked %v payload %v, want it readable", it.ID, it.DraftID, it.Locked, it.Payload)
		}
	}
	if p, _ := items[0].Payload.(*citizen.SubmissionPayload); p == nil || string(p.Request.Data) != `{"dog_name":"Bello"}` {
		t.Errorf("submission after the migration = %#v", items[0].Payload)
	}
	if p, _ := items[1].Payload.(*citizen.DraftCopyPayload); p == nil || p.Tombstone != nil {
		t.Errorf("draft copy after the migration = %#v, want one without tombstone", items[1].Payload)
	}
	if p, _ := items[2].Payload.(*citizen.DraftCopyPayload); p == nil || p.Tombstone == nil || p.Tombstone.Deleted == nil {
		t.Errorf("tombstone after the migration = item %d %#v", items[2].ID, items[2].Payload)
	}
	it, err := s.Enqueue(ctx, "d4", &notePayload{Text: "neu"})
	if err != nil {
		t.Fatalf("a new kind after the migration: %v", err)
	}
	if it.ID != 5 {
		t.Errorf("new item id = %d, want 5 (never an id used before)", it.ID)
	}
}
