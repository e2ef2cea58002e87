package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/sqlite"
)

func addDevice(t *testing.T, db *sqlite.DB, id string) {
	t.Helper()
	err := db.CreateDevice(context.Background(), server.NewDevice{ID: id, TokenHash: hash(id), Platform: "linux", AppVersion: "0.1", Created: created})
	if err != nil {
		t.Fatalf("CreateDevice(%s): %v", id, err)
	}
}

func TestDevicesAndAccounts(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	addDevice(t, db, "d_a")
	addDevice(t, db, "d_b")
	addDevice(t, db, "d_c")
	if err := db.CreateDevice(ctx, server.NewDevice{ID: "d_x", TokenHash: hash("d_a")}); err == nil {
		t.Error("a second device with the same token hash was stored")
	}

	if err := db.LinkDevices(ctx, "acc1", "d_a", "d_b"); err != nil {
		t.Fatalf("LinkDevices: %v", err)
	}
	// A missing device links none of them.
	if err := db.LinkDevices(ctx, "acc2", "d_c", "d_missing"); !errors.Is(err, server.ErrNotFound) {
		t.Errorf("LinkDevices with a missing device: err = %v, want ErrNotFound", err)
	}
	tests := []struct {
		token string
		want  server.Device
		err   error
	}{
		{"d_a", server.Device{ID: "d_a", Account: "acc1"}, nil},
		{"d_b", server.Device{ID: "d_b", Account: "acc1"}, nil},
		{"d_c", server.Device{ID: "d_c"}, nil},
		{"nobody", server.Device{}, server.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.token, func(t *testing.T) {
			got, err := db.DeviceByToken(ctx, hash(tt.token))
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Errorf("DeviceByToken = %+v, %v; want %+v, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

// TestUpgradeFromFirstSchema opens a database that only knows migration
// 0001, with a case in it: its key moves to the anonymous scope and the
// case gets its first timeline event.
func TestUpgradeFromFirstSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	first, err := os.ReadFile("migrations/0001_cases.sql")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		string(first),
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)`,
		`INSERT INTO schema_migrations VALUES (1, '0001_cases.sql', '2026-11-01T00:00:00Z')`,
		`INSERT INTO cases VALUES ('c_old', '2026-000001', 'hundesteuer', 'hundesteuer', 1, '{}', 'received', '2026-11-01T08:00:00Z')`,
		`INSERT INTO idempotency_keys VALUES ('old-key', x'01', 'c_old', '2026-11-01T08:00:00Z')`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()

	db := mustOpenAt(t, path)
	got, found, err := db.ReplayCase(context.Background(), "", "old-key", []byte{1})
	if err != nil || !found {
		t.Fatalf("ReplayCase of the old key = %v, %v; want found", found, err)
	}
	at := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	if len(got.History) != 1 || got.History[0].Status != api.StatusReceived || !got.History[0].At.Equal(at) {
		t.Errorf("history = %+v, want received at %v", got.History, at)
	}
	if _, found, _ := db.ReplayCase(context.Background(), "d_a", "old-key", []byte{1}); found {
		t.Error("the old key was found in a device's scope")
	}
}
