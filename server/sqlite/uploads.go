package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"rathaus/server"
)

// CreateUpload implements server.Store.
func (db *DB) CreateUpload(ctx context.Context, u server.Upload) (err error) {
	defer func() { err = classify(err) }()
	return db.execOne(ctx, "create upload", `INSERT INTO uploads (id, size, sha256, filename, filetype, created, device)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, u.ID, u.Size, u.SHA256, u.Filename, u.Filetype, u.Created.UnixMilli(), nullable(u.Device))
}

// FinishUpload implements server.Store.
func (db *DB) FinishUpload(ctx context.Context, id string, at time.Time) (err error) {
	defer func() { err = classify(err) }()
	return db.w.write(ctx, func(ctx context.Context, q querier) error {
		res, err := q.ExecContext(ctx, "UPDATE uploads SET finished = coalesce(finished, ?) WHERE id = ?", at.UnixMilli(), id)
		if err != nil {
			return fmt.Errorf("sqlite: finish upload: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("sqlite: finish upload %s: %w", id, server.ErrNotFound)
		}
		return nil
	})
}

// Upload implements server.Store.
func (db *DB) Upload(ctx context.Context, id string) (_ server.Upload, err error) {
	defer func() { err = classify(err) }()
	return uploadByID(ctx, db.ro, id)
}

// UploadBytesHeld implements server.Store.
func (db *DB) UploadBytesHeld(ctx context.Context, device string) (_ int64, err error) {
	defer func() { err = classify(err) }()
	var n int64
	err = db.ro.QueryRowContext(ctx, "SELECT coalesce(sum(size), 0) FROM uploads WHERE device = ? AND case_id IS NULL", device).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlite: upload bytes held: %w", err)
	}
	return n, nil
}

// queryer is what *sql.DB and a querier share.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func uploadByID(ctx context.Context, q queryer, id string) (server.Upload, error) {
	u := server.Upload{ID: id}
	var created int64
	var finished sql.NullInt64
	var device, caseID sql.NullString
	err := q.QueryRowContext(ctx, "SELECT size, sha256, filename, filetype, created, finished, device, case_id FROM uploads WHERE id = ?", id).
		Scan(&u.Size, &u.SHA256, &u.Filename, &u.Filetype, &created, &finished, &device, &caseID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return server.Upload{}, server.ErrNotFound
	case err != nil:
		return server.Upload{}, fmt.Errorf("sqlite: upload %s: %w", id, err)
	}
	u.Created = time.UnixMilli(created).UTC()
	if finished.Valid {
		u.Finished = time.UnixMilli(finished.Int64).UTC()
	}
	u.Device, u.Case = device.String, caseID.String
	return u, nil
}

// DeleteUpload implements server.Store: the row goes only if no case uses
// the upload, checked in the same statement.
func (db *DB) DeleteUpload(ctx context.Context, id string) (err error) {
	defer func() { err = classify(err) }()
	var n int64
	err = db.w.write(ctx, func(ctx context.Context, q querier) error {
		res, err := q.ExecContext(ctx, `DELETE FROM uploads WHERE id = ?1
			AND NOT EXISTS (SELECT 1 FROM case_attachments WHERE upload_id = ?1)
			AND NOT EXISTS (SELECT 1 FROM report_photos WHERE upload_id = ?1)`, id)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete upload: %w", err)
	} else if n == 1 {
		return nil
	}
	if _, err := uploadByID(ctx, db.ro, id); err != nil {
		return err // ErrNotFound, or the failure to look
	}
	return server.ErrUploadInUse
}

// ExpiredUploads implements server.Store.
func (db *DB) ExpiredUploads(ctx context.Context, before time.Time) (_ []string, err error) {
	defer func() { err = classify(err) }()
	rows, err := db.ro.QueryContext(ctx, `SELECT id FROM uploads WHERE finished IS NULL AND created < ?1
		UNION ALL
		SELECT id FROM uploads WHERE finished IS NOT NULL AND finished < ?1
			AND NOT EXISTS (SELECT 1 FROM case_attachments WHERE upload_id = uploads.id)
			AND NOT EXISTS (SELECT 1 FROM report_photos WHERE upload_id = uploads.id)`, before.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("sqlite: expired uploads: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlite: expired uploads: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
