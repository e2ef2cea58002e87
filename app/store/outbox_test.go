package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
	f.reopen(t, store.WithNewKeyIfLost()) // the key is gone; the citizen started afresh
	items, err := f.DueOutbox(ctx, f.clock.Now(), true)
	if err != nil || len(items) != 1 {
		t.Fatalf("due = %v, %v", items, err)
	}
	if it := items[0]; !it.Locked || it.Payload != nil || it.Kind != citizen.OutboxSubmission || it.LastCode != "" {
		t.Errorf("item = %+v, want a locked submission without payload and without an error code", it)
	}
}

// TestOpen_MigratesOutboxOfOlderVersions: a database of schema version 4,
// or of version 5 (draft tombstones, which came before the outbox took any
// kind), with a submission, a draft copy (whose empty payload was sealed
// without the item's key) and a tombstone opens at the latest version with
// every item readable, keeps the deletions it remembered, and takes a kind
// the old table's CHECK refused.
func TestOpen_MigratesOutboxOfOlderVersions(t *testing.T) {
	deletedAt := api.HLC{Wall: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC).UnixMilli(), Device: "dev"}
	tests := []struct {
		name       string
		migrations []string
		remembered bool // the database remembers d3's deletion
	}{
		{name: "version 4", migrations: []string{"0001_init.sql", "0002_attachments.sql", "0003_sync.sql", "0004_leftovers.sql"}},
		{name: "version 5 with draft tombstones", remembered: true,
			migrations: []string{"0001_init.sql", "0002_attachments.sql", "0003_sync.sql", "0004_leftovers.sql", "0005_draft_tombstones.sql"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "old.db")
			keys := secrets.OpenMemory("rathaus-test")
			oldOutbox(t, path, keys, tt.migrations, deletedAt)

			s, err := store.Open(ctx, path, keys)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var version int
			// The latest is the highest number (the numbers may have gaps).
			files, _ := filepath.Glob("migrations/*.sql")
			latest := 0
			for _, f := range files {
				n, _ := strconv.Atoi(strings.SplitN(filepath.Base(f), "_", 2)[0])
				latest = max(latest, n)
			}
			if err := s.DB().QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&version); err != nil || version != latest {
				t.Errorf("schema version after opening = %d (%v), want the latest, %d", version, err, latest)
			}
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

			// A copy of d3 written before its deletion, late from the feed:
			// the remembered deletion keeps it out.
			before := api.HLC{Wall: deletedAt.Wall - 60_000, Device: "other"}.String()
			late := api.DraftCopy{ID: "d3", Service: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 1},
				Fields: map[string]api.DraftField{"dog_name": {Value: json.RawMessage(`"Bello"`), Clock: before}}}
			if _, err := s.ApplyChanges(ctx, []api.Change{{Seq: 1, Kind: api.ChangeDraft, Draft: &late}}, "1"); err != nil {
				t.Fatal(err)
			}
			_, err = s.Draft(ctx, "d3")
			if revived := citizen.ErrorCode(err) != citizen.ENOTFOUND; revived == tt.remembered {
				t.Errorf("late copy of the deleted draft: Draft = %v; want it revived only without a remembered deletion (remembered %v)", err, tt.remembered)
			}

			it, err := s.Enqueue(ctx, "d4", &notePayload{Text: "neu"})
			if err != nil {
				t.Fatalf("a new kind after the migration: %v", err)
			}
			if it.ID != 5 {
				t.Errorf("new item id = %d, want 5 (never an id used before)", it.ID)
			}
		})
	}
}

// oldOutbox writes a database of an older schema (the given migrations)
// with the outbox items of that time: a submission, a draft copy, the
// tombstone of draft d3 deleted at deletedAt (remembered in
// draft_tombstones where the schema has it), and an item sent and deleted
// with its draft.
func oldOutbox(t *testing.T, path string, keys *secrets.Keychain, migrations []string, deletedAt api.HLC) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL) STRICT`)
	tombstones := false
	for v, name := range migrations {
		body, err := os.ReadFile(filepath.Join("migrations", name))
		if err != nil {
			t.Fatal(err)
		}
		exec(string(body))
		exec(`INSERT INTO schema_migrations VALUES (?, 0)`, v+1)
		tombstones = tombstones || name == "0005_draft_tombstones.sql"
	}
	exec(`INSERT INTO meta VALUES ('install_id', 'old-install')`)
	key, err := keys.NewDataKey("old-install")
	if err != nil {
		t.Fatal(err)
	}
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
	tomb := api.DraftCopy{ID: "d3", Service: "hundesteuer", Form: req.Form, Deleted: &api.DraftField{Clock: deletedAt.String()}}
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
	if tombstones {
		exec(`INSERT INTO draft_tombstones (draft_id, clock) VALUES ('d3', ?)`, deletedAt.String())
	}
	// An item sent and deleted with its draft: its id is never used again.
	exec(`INSERT INTO outbox (draft_id, kind, idempotency_key, payload_sealed, state, next_attempt, created) VALUES ('d0', 'submission', 'k0', x'00', 'done', 0, 0)`)
	exec(`DELETE FROM outbox WHERE draft_id = 'd0'`)
}
