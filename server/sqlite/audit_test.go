package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/casework"
)

// TestAuditAppendOnly: the database itself refuses to change or delete a
// row of the audit log, whoever asks.
func TestAuditAppendOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rathaus.db")
	db := mustOpenAt(t, path)
	ctx := context.Background()
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	if _, _, err := db.CreateCase(ctx, "k", []byte("h"), server.NewCase{ID: "c_1", Service: "s", Form: api.FormRef{ID: "s", Version: 1},
		Data: []byte(`{}`), Status: api.StatusReceived, Created: at}); err != nil {
		t.Fatal(err)
	}
	anna := "anna"
	if _, err := db.Act(ctx, "c_1", casework.Action{Actor: "anna", At: at, What: casework.ActTake, Assignee: &anna},
		func(casework.State) error { return nil }); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, stmt := range []string{"UPDATE case_audit SET actor = 'mallory'", "DELETE FROM case_audit"} {
		if _, err := raw.Exec(stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want the log refusing it", stmt, err)
		}
	}
	if log, err := db.AuditLog(ctx, "c_1"); err != nil || len(log) != 1 || log[0].Actor != "anna" {
		t.Errorf("audit log = %+v, %v; want anna's entry as it was", log, err)
	}
}
