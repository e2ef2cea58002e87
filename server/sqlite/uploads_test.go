package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"rathaus/server"
)

// TestUpgradeSharedUpload opens a database of migration 0006 in which two
// cases share an upload (possible then): the upgrade keeps both links,
// the earlier case claims the upload, and the uploads stay anonymous.
func TestUpgradeSharedUpload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite3", path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for v, name := range []string{"0001_cases.sql", "0002_devices.sql", "0003_changes.sql", "0004_uploads.sql", "0005_drafts.sql", "0006_quotas.sql"} {
		b, err := os.ReadFile(filepath.Join("migrations", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(string(b)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := raw.Exec(`INSERT INTO schema_migrations VALUES (?, ?, '2026-11-01T00:00:00Z')`, v+1, name); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{
		`INSERT INTO cases (id, number, service, form_id, form_version, data, status, created) VALUES
			('c_2', '2026-000002', 'x', 'x', 1, '{}', 'received', '2026-11-01T08:00:00Z'),
			('c_1', '2026-000001', 'x', 'x', 1, '{}', 'received', '2026-11-01T08:00:00Z')`,
		`INSERT INTO uploads (id, size, sha256, filename, filetype, created, finished) VALUES
			('u_shared', 1, 'a', 'a.jpg', 'image/jpeg', 1, 2), ('u_free', 1, 'b', 'b.jpg', 'image/jpeg', 1, 2)`,
		`INSERT INTO case_attachments VALUES ('c_2', '/photo', 'u_shared'), ('c_1', '/photo', 'u_shared')`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()

	db := mustOpenAt(t, path)
	ctx := context.Background()
	for id, want := range map[string]string{"u_shared": "c_1", "u_free": ""} {
		u, err := db.Upload(ctx, id)
		if err != nil || u.Case != want || u.Device != "" {
			t.Errorf("Upload(%s) = %+v, %v; want case %q, anonymous", id, u, err, want)
		}
	}
	if err := db.DeleteUpload(ctx, "u_shared"); !errors.Is(err, server.ErrUploadInUse) {
		t.Errorf("DeleteUpload of the shared upload = %v, want ErrUploadInUse", err)
	}
}
