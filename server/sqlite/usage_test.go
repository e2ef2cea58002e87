package sqlite_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"testing"

	"rathaus/api"
	"rathaus/server"
)

// TestDraftUsageMigrationReadsEarlierDrafts: the migration that keeps each
// draft's size and whether it holds a field beside it works them out
// right for the copies written before it, whatever their text holds, and
// Usage counts the same as it did by reading the copies.
func TestDraftUsageMigrationReadsEarlierDrafts(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	raw := oldDatabase(t, path, 7)
	one := map[string]api.DraftField{"a": {Value: json.RawMessage(`1`), Clock: "c1"}}
	copies := map[string]api.DraftCopy{
		"some":   {Service: "s", Form: api.FormRef{ID: "f", Version: 2}, Fields: one},
		"empty":  {Service: "s", Fields: map[string]api.DraftField{}},
		"null":   {Service: "s"},
		"nul":    {Fields: map[string]api.DraftField{"straße\x00": {Value: json.RawMessage(`{"fields":{}}`), Clock: "c2"}}},
		"looks":  {Service: `x","form":{"id":"f","version":1},"fields":{},"`, Fields: one},
		"looks2": {Service: `x\","fields":{},"`},
		"gone":   {Service: "<s>", Deleted: &api.DraftField{Clock: "c3"}, Device: "d_1"},
	}
	var want server.Usage
	for id, c := range copies {
		c.ID = id
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec("INSERT INTO drafts (owner, id, copy) VALUES ('device:d_1', ?, ?)", id, string(b)); err != nil {
			t.Fatal(err)
		}
		want.DraftBytes += int64(len(b))
		if len(c.Fields) > 0 {
			want.Drafts++
		}
		copies[id] = c
	}
	raw.Close()

	db := mustOpenAt(t, path)
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query("SELECT id, bytes, has_fields FROM drafts")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id string
		var bytes int64
		var hasFields bool
		if err := rows.Scan(&id, &bytes, &hasFields); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(copies[id])
		if bytes != int64(len(b)) || hasFields != (len(copies[id].Fields) > 0) {
			t.Errorf("draft %s: bytes %d, has fields %v; want %d, %v", id, bytes, hasFields, len(b), len(copies[id].Fields) > 0)
		}
		n++
	}
	if err := rows.Err(); err != nil || n != len(copies) {
		t.Fatalf("%d drafts after the migration, %v; want %d", n, err, len(copies))
	}
	if got, err := db.Usage(ctx, server.Device{ID: "d_1"}); err != nil || got != want {
		t.Errorf("Usage = %+v, %v; want %+v", got, err, want)
	}
}
