package loadtest

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/postgres"
	"rathaus/server/postgres/pgtest"
	"rathaus/server/sqlite"
)

// TestIndex reads back what a store holds, on SQLite (the file's path) and
// on PostgreSQL (the --db URL, with a setting of the backend's pool in it).
func TestIndex(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		open func(t *testing.T) (server.Store, string)
	}{
		{"sqlite", func(t *testing.T) (server.Store, string) {
			path := filepath.Join(t.TempDir(), "rathaus.db")
			db, err := sqlite.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })
			return db, path
		}},
		{"postgres", func(t *testing.T) (server.Store, string) {
			url := pgtest.With(t, pgtest.URL(t), "pool_max_conns", "2")
			db, err := postgres.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close() })
			return db, url
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, db := tc.open(t)
			if err := s.CreateDevice(ctx, server.NewDevice{ID: "d_a", TokenHash: []byte{1}, Platform: "linux", AppVersion: "0.1", Created: time.Now()}); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct{ id, device, key string }{{"c_1", "", "k1"}, {"c_2", "d_a", "k1"}, {"c_3", "", "k2"}} {
				_, _, err := s.CreateCase(ctx, c.key, []byte{1}, server.NewCase{ID: c.id, Service: "s", Form: api.FormRef{ID: "f", Version: 1},
					Data: []byte(`{}`), Status: api.StatusReceived, Created: time.Now(), Device: c.device})
				if err != nil {
					t.Fatal(err)
				}
			}
			idx, err := OpenIndex(db)
			if err != nil {
				t.Fatalf("OpenIndex: %v", err)
			}
			defer idx.Close()
			got, err := idx.Snapshot(ctx)
			want := Snapshot{Keys: map[ScopedKey]string{{"", "k1"}: "c_1", {"d_a", "k1"}: "c_2", {"", "k2"}: "c_3"}, Cases: 3}
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("Snapshot = %+v, %v; want %+v", got, err, want)
			}
			if err := idx.Integrity(ctx); err != nil {
				t.Errorf("Integrity: %v", err)
			}
		})
	}
}
