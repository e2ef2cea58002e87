package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/secrets"
)

// fileBytes reads the database file with its -wal and -shm (those that
// exist).
func fileBytes(t *testing.T, path string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		b, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = b
	}
	return out
}

// hits lists where s appears in the files, raw or as base64.
func hits(files map[string][]byte, s string) []string {
	var out []string
	for name, b := range files {
		for _, form := range [][]byte{[]byte(s), []byte(base64.StdEncoding.EncodeToString([]byte(s)))} {
			if bytes.Contains(b, form) {
				out = append(out, name)
			}
		}
	}
	return out
}

// oldDatabase writes a database as the app did before migration 0013: the
// migrations up to 0012, a data key in a key file, and a case, a report
// and the feed of reports in the clear.
func oldDatabase(t *testing.T, dir string, secret map[string]string) (path string, keys *secrets.Keychain) {
	t.Helper()
	ctx := context.Background()
	path = filepath.Join(dir, "rathaus.db")
	keys, err := secrets.Open(dir, "rathaus-test", secrets.WithKeyring(secrets.NoKeyring))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	plan, err := migrationPlan(migrations)
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL) STRICT`)
	for _, m := range plan {
		if m.version > 12 {
			break
		}
		body, err := migrations.ReadFile(m.name)
		if err != nil {
			t.Fatal(err)
		}
		exec(string(body))
		exec(`INSERT INTO schema_migrations (version, applied) VALUES (?, 0)`, m.version)
	}
	const id = "install-old"
	if _, err := keys.NewDataKey(id); err != nil {
		t.Fatal(err)
	}
	exec(`INSERT INTO meta (key, value) VALUES ('install_id', ?)`, id)
	exec(`INSERT INTO drafts (id, service, form_id, form_version, values_sealed, state, case_number, created, updated)
		VALUES ('d1', 'hundesteuer', 'hundesteuer', 1, x'', 'sent', ?, 1, 1)`, secret["number"])
	exec(`INSERT INTO cases (id, number, draft_id, service, form_id, form_version, status, submitted, history, updated)
		VALUES ('c1', ?, 'd1', 'hundesteuer', 'hundesteuer', 1, 'info_needed', 1, ?, 1)`,
		secret["number"], `[{"status":"received","at":"2026-12-01T09:00:00Z"},{"status":"info_needed","at":"2026-12-02T09:00:00Z","note":{"de":"`+secret["note"]+`","en":"`+secret["note"]+`"}}]`)
	exec(`INSERT INTO my_reports (local_id, report_id, service_code, queued, status, history)
		VALUES ('r_1', 'rep1', 'pothole', 1, 'in_review', ?)`,
		`[{"status":"in_review","at":"2026-12-01T09:00:00Z","note":{"de":"`+secret["reportNote"]+`"}}]`)
	exec(`INSERT INTO sync_state (key, value) VALUES (?, ?)`, KeyReportFeed,
		`{"feed":{"reports":[{"id":"rep1","service_code":"pothole","description":"`+secret["description"]+`","status":"open","requested":"2026-12-01T09:00:00Z"}]},"at":"2026-12-01T10:00:00Z"}`)
	return path, keys
}

// TestOpen_SealsWhatAnOlderVersionKeptClear: a database of the schema
// before migration 0013 holds a case's number (in the case and in its
// sent draft) and timeline, a report's timeline and the feed of reports in
// the clear; the first Open after the
// upgrade seals them, the app reads them as before, and none of the
// strings is left in the file, its WAL or its shared memory.
func TestOpen_SealsWhatAnOlderVersionKeptClear(t *testing.T) {
	ctx := context.Background()
	secret := map[string]string{
		"number":      "CANARY-number-7Q2X",
		"note":        "CANARY-note-K81P",
		"reportNote":  "CANARY-reportnote-Z0M4",
		"description": "CANARY-description-W3JH",
	}
	path, keys := oldDatabase(t, t.TempDir(), secret)
	before := fileBytes(t, path)
	for kind, s := range secret {
		if len(hits(before, s)) == 0 {
			t.Fatalf("old database: %s %q not in the files; the test would prove nothing", kind, s)
		}
	}

	st, err := Open(ctx, path, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	cases, err := st.Cases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 1 || cases[0].Number != secret["number"] || len(cases[0].History) != 2 || cases[0].History[1].Note["de"] != secret["note"] {
		t.Fatalf("cases after the upgrade = %+v; want the case with its number and two steps", cases)
	}
	if d, err := st.Draft(ctx, "d1"); err != nil || d.CaseNumber != secret["number"] {
		t.Fatalf("the sent draft after the upgrade = %+v, %v; want its case number from the mirror", d, err)
	}
	reports, err := st.MyReports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || len(reports[0].History) != 1 || reports[0].History[0].Note["de"] != secret["reportNote"] {
		t.Fatalf("reports after the upgrade = %+v; want the report with its step", reports)
	}
	feed, _, err := st.ReportFeed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(feed.Reports) != 1 || feed.Reports[0].Description != secret["description"] {
		t.Fatalf("feed after the upgrade = %+v; want the cached report", feed)
	}
	// What the engine decides on still works: the case asks for more, so
	// its draft could be reopened; the timeline only grows.
	var steps int
	if err := st.db.QueryRowContext(ctx, `SELECT steps FROM cases WHERE id = 'c1'`).Scan(&steps); err != nil || steps != 2 {
		t.Errorf("steps = %d, %v; want 2", steps, err)
	}

	after := fileBytes(t, path)
	for kind, s := range secret {
		if got := hits(after, s); len(got) > 0 {
			t.Errorf("after the upgrade: %s %q still in %v", kind, s, got)
		}
	}
	st.Close()
	// And once more after the store is closed (the last checkpoint).
	closed := fileBytes(t, path)
	for kind, s := range secret {
		if got := hits(closed, s); len(got) > 0 {
			t.Errorf("after closing: %s %q still in %v", kind, s, got)
		}
	}
}

// TestMirror_NewCaseIsSealed: a case from the feed and a report's step
// are written sealed; an older copy of the case (shorter timeline) does
// not replace the newer one.
func TestMirror_NewCaseIsSealed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	keys, err := secrets.Open(dir, "rathaus-test", secrets.WithKeyring(secrets.NoKeyring))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "rathaus.db")
	st, err := Open(ctx, path, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	newer := api.Case{ID: "c9", Number: "CANARY-num-A1", Service: "s", Form: api.FormRef{ID: "f", Version: 1}, Status: api.StatusInReview, Created: at,
		History: []api.CaseEvent{{Status: api.StatusReceived, At: at}, {Status: api.StatusInReview, At: at.Add(time.Hour), Note: api.Text{"de": "CANARY-msg-B2"}}}}
	older := newer
	older.Status, older.History = api.StatusReceived, newer.History[:1]
	for _, c := range []api.Case{newer, older} {
		if _, err := st.ApplyChanges(ctx, []api.Change{{Kind: api.ChangeCase, Case: &c}}, "x"); err != nil {
			t.Fatal(err)
		}
	}
	cases, err := st.Cases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 1 || cases[0].Status != api.StatusInReview || len(cases[0].History) != 2 || cases[0].Number != newer.Number {
		t.Fatalf("cases = %+v; want the newer copy", cases)
	}
	if _, err := st.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	files := fileBytes(t, path)
	for _, s := range []string{"CANARY-num-A1", "CANARY-msg-B2"} {
		if got := hits(files, s); len(got) > 0 {
			t.Errorf("%q in %v", s, got)
		}
	}
	if !strings.HasPrefix(string(mustQuery(t, st.db, `SELECT number FROM cases WHERE id = 'c9'`)), "c9") {
		t.Error("the clear number column holds more than the id")
	}
}

func mustQuery(t *testing.T, db *sql.DB, q string) []byte {
	t.Helper()
	var b []byte
	if err := db.QueryRow(q).Scan(&b); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDeleteDraft_ZeroesItsSealedBytes: with secure_delete (on every
// connection of the store) a deleted draft's sealed values are gone from
// the file after a checkpoint, not only unlinked; with it off, as the
// control shows, they would stay in the page's free space.
func TestDeleteDraft_ZeroesItsSealedBytes(t *testing.T) {
	for _, tt := range []struct {
		name       string
		secureOff  bool
		wantInFile bool
	}{
		{name: "secure delete", wantInFile: false},
		{name: "control: secure delete off", secureOff: true, wantInFile: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			keys, err := secrets.Open(dir, "rathaus-test", secrets.WithKeyring(secrets.NoKeyring))
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "rathaus.db")
			st, err := Open(ctx, path, keys)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if tt.secureOff {
				st.db.SetMaxOpenConns(1)
				if _, err := st.db.ExecContext(ctx, `PRAGMA secure_delete = OFF`); err != nil {
					t.Fatal(err)
				}
			}
			var on int
			if err := st.db.QueryRowContext(ctx, `PRAGMA secure_delete`).Scan(&on); err != nil || (on == 1) == tt.secureOff {
				t.Fatalf("PRAGMA secure_delete = %d, %v", on, err)
			}
			// Two drafts, so that the page stays in use when one goes.
			var ids []string
			for i := range 2 {
				d := newTestDraft()
				d.Values = map[string]any{"note": strings.Repeat("x", 300+i)}
				if err := st.CreateDraft(ctx, d); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, d.ID)
			}
			sealed := mustQuery(t, st.db, `SELECT values_sealed FROM drafts WHERE id = '`+ids[0]+`'`)
			if _, err := st.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
				t.Fatal(err)
			}
			chunk := sealed[len(sealed)/2 : len(sealed)/2+64] // random bytes: a hit is no accident
			if !bytes.Contains(fileBytes(t, path)["rathaus.db"], chunk) {
				t.Fatal("the sealed values are not in the file before the deletion; the test would prove nothing")
			}
			if err := st.DeleteDraft(ctx, ids[0]); err != nil {
				t.Fatal(err)
			}
			if _, err := st.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
				t.Fatal(err)
			}
			var got []string
			for name, b := range fileBytes(t, path) {
				if bytes.Contains(b, chunk) {
					got = append(got, name)
				}
			}
			if (len(got) > 0) != tt.wantInFile {
				t.Errorf("the deleted draft's sealed bytes in %v; want in the file %v", got, tt.wantInFile)
			}
		})
	}
}

func newTestDraft() *citizen.Draft {
	return citizen.NewDraft(api.Service{ID: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 1}}, time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
}
