package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"rathaus/server"
)

// CreateUpload implements server.Store.
func (db *DB) CreateUpload(ctx context.Context, u server.Upload) (err error) {
	defer func() { err = classify(err) }()
	conn, err := db.acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: create upload: %w", err)
	}
	defer conn.Release()
	_, err = conn.Exec(ctx, `INSERT INTO uploads (id, size, sha256, filename, filetype, created, device)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, u.ID, u.Size, u.SHA256, u.Filename, u.Filetype, stamp(u.Created), nullable(u.Device))
	if err != nil {
		return fmt.Errorf("postgres: create upload: %w", err)
	}
	return nil
}

// FinishUpload implements server.Store.
func (db *DB) FinishUpload(ctx context.Context, id string, at time.Time) (err error) {
	defer func() { err = classify(err) }()
	conn, err := db.acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: finish upload: %w", err)
	}
	defer conn.Release()
	tag, err := conn.Exec(ctx, "UPDATE uploads SET finished = coalesce(finished, $1) WHERE id = $2", stamp(at), id)
	if err != nil {
		return fmt.Errorf("postgres: finish upload: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: finish upload %s: %w", id, server.ErrNotFound)
	}
	return nil
}

// Upload implements server.Store.
func (db *DB) Upload(ctx context.Context, id string) (_ server.Upload, err error) {
	defer func() { err = classify(err) }()
	conn, err := db.acquire(ctx)
	if err != nil {
		return server.Upload{}, fmt.Errorf("postgres: upload %s: %w", id, err)
	}
	defer conn.Release()
	return uploadByID(ctx, conn, id, "")
}

// UploadBytesHeld implements server.Store.
func (db *DB) UploadBytesHeld(ctx context.Context, device string) (_ int64, err error) {
	defer func() { err = classify(err) }()
	conn, err := db.acquire(ctx)
	if err != nil {
		return 0, fmt.Errorf("postgres: upload bytes held: %w", err)
	}
	defer conn.Release()
	var n int64
	err = conn.QueryRow(ctx, "SELECT coalesce(sum(size), 0)::bigint FROM uploads WHERE device = $1 AND case_id IS NULL", device).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("postgres: upload bytes held: %w", err)
	}
	return n, nil
}

// queryer is what the pool and a transaction share.
type queryer interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// uploadByID reads an upload's record; lockClause may lock its row.
func uploadByID(ctx context.Context, q queryer, id, lockClause string) (server.Upload, error) {
	u := server.Upload{ID: id}
	var finished *time.Time
	var device, caseID *string
	err := q.QueryRow(ctx, "SELECT size, sha256, filename, filetype, created, finished, device, case_id FROM uploads WHERE id = $1"+lockClause, id).
		Scan(&u.Size, &u.SHA256, &u.Filename, &u.Filetype, &u.Created, &finished, &device, &caseID)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return server.Upload{}, server.ErrNotFound
	case err != nil:
		return server.Upload{}, fmt.Errorf("postgres: upload %s: %w", id, err)
	}
	u.Created = u.Created.UTC()
	if finished != nil {
		u.Finished = finished.UTC()
	}
	if device != nil {
		u.Device = *device
	}
	if caseID != nil {
		u.Case = *caseID
	}
	return u, nil
}

// DeleteUpload implements server.Store: the row goes only if no case uses
// the upload. A case claiming it at the same time holds its row: the delete
// waits, then finds case_id set; and should a case link it between the
// check and the delete, the foreign key refuses the delete.
func (db *DB) DeleteUpload(ctx context.Context, id string) (err error) {
	defer func() { err = classify(err) }()
	conn, err := db.acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: delete upload: %w", err)
	}
	defer conn.Release()
	tag, err := conn.Exec(ctx, `DELETE FROM uploads WHERE id = $1 AND case_id IS NULL
		AND NOT EXISTS (SELECT 1 FROM case_attachments WHERE upload_id = $1)
			AND NOT EXISTS (SELECT 1 FROM report_photos WHERE upload_id = $1)`, id)
	switch {
	case sqlState(err) == codeForeignKeyViolation:
		return server.ErrUploadInUse
	case err != nil:
		return fmt.Errorf("postgres: delete upload: %w", err)
	case tag.RowsAffected() == 1:
		return nil
	}
	if _, err := uploadByID(ctx, conn, id, ""); err != nil {
		return err // ErrNotFound, or the failure to look
	}
	return server.ErrUploadInUse
}

// ExpiredUploads implements server.Store.
func (db *DB) ExpiredUploads(ctx context.Context, before time.Time) (_ []string, err error) {
	defer func() { err = classify(err) }()
	conn, err := db.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: expired uploads: %w", err)
	}
	defer conn.Release()
	rows, err := conn.Query(ctx, `SELECT id FROM uploads WHERE finished IS NULL AND created < $1
		UNION ALL
		SELECT id FROM uploads WHERE finished IS NOT NULL AND finished < $1
			AND NOT EXISTS (SELECT 1 FROM case_attachments WHERE upload_id = uploads.id)
			AND NOT EXISTS (SELECT 1 FROM report_photos WHERE upload_id = uploads.id)`, stamp(before))
	if err != nil {
		return nil, fmt.Errorf("postgres: expired uploads: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: expired uploads: %w", err)
	}
	return ids, nil
}
