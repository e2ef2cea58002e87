package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"rathaus/server"
)

// TestUpgradeSharedUpload opens a database of migration 0006 in which two
// cases share an upload (possible then): the upgrade keeps both links,
// the earlier case claims the upload, and the uploads stay anonymous.
func TestUpgradeSharedUpload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	raw := oldDatabase(t, path, 6)
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
