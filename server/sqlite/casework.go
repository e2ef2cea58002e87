package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"rathaus/api"
	"rathaus/server/casework"
)

var _ casework.Store = (*DB)(nil)

// caseFilter is the WHERE clause of a casework.Query and its arguments.
func caseFilter(q casework.Query) (string, []any) {
	var where []string
	var args []any
	if q.Service != "" {
		where, args = append(where, "service = ?"), append(args, q.Service)
	}
	if q.Status != "" {
		where, args = append(where, "status = ?"), append(args, q.Status)
	}
	if q.Services != nil {
		// An empty list selects nothing: "IN ()" is no SQL, "0" is.
		in := "0"
		if len(q.Services) > 0 {
			in = "service IN (?" + strings.Repeat(", ?", len(q.Services)-1) + ")"
			for _, s := range q.Services {
				args = append(args, s)
			}
		}
		where = append(where, in)
	}
	// julianday: stamps are RFC 3339 with trimmed fractions, which do not
	// compare as strings at a bound. The order (below) is by the text, on
	// its index: the backend stamps cases to the second, without a
	// fraction, and the text sorts as the time.
	if !q.From.IsZero() {
		where, args = append(where, "julianday(created) >= julianday(?)"), append(args, q.From.UTC().Format(time.RFC3339Nano))
	}
	if !q.To.IsZero() {
		where, args = append(where, "julianday(created) < julianday(?)"), append(args, q.To.UTC().Format(time.RFC3339Nano))
	}
	if !q.OverdueBefore.IsZero() {
		where = append(where, "julianday(created) < julianday(?) AND status NOT IN (?, ?)")
		args = append(args, q.OverdueBefore.UTC().Format(time.RFC3339Nano), api.StatusDecided, api.StatusClosed)
	}
	if q.Number != "" {
		where, args = append(where, "instr(number, ?) > 0"), append(args, q.Number)
	}
	if q.Search != "" {
		// lower() folds ASCII only in SQLite: "müller" finds "Müller" by
		// its ü as typed.
		where = append(where, "(instr(number, ?) > 0 OR instr(lower(data), lower(?)) > 0)")
		args = append(args, q.Search, q.Search)
	}
	if len(where) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// ListCases implements casework.Store.
func (db *DB) ListCases(ctx context.Context, q casework.Query) (_ casework.Page, err error) {
	defer func() { err = classify(err) }()
	where, args := caseFilter(q)
	tx, err := db.ro.BeginTx(ctx, nil)
	if err != nil {
		return casework.Page{}, fmt.Errorf("sqlite: list cases: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var p casework.Page
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM cases"+where, args...).Scan(&p.Total); err != nil {
		return casework.Page{}, fmt.Errorf("sqlite: count cases: %w", err)
	}
	rows, err := tx.QueryContext(ctx, "SELECT id, number, service, status, created, coalesce(assignee, '') FROM cases"+where+
		" ORDER BY created DESC, number DESC LIMIT ? OFFSET ?", append(args, q.Limit, q.Offset)...)
	if err != nil {
		return casework.Page{}, fmt.Errorf("sqlite: list cases: %w", err)
	}
	defer rows.Close()
	p.Cases = []casework.Summary{}
	for rows.Next() {
		var s casework.Summary
		var created string
		if err := rows.Scan(&s.ID, &s.Number, &s.Service, &s.Status, &created, &s.Assignee); err != nil {
			return casework.Page{}, fmt.Errorf("sqlite: list cases: %w", err)
		}
		if s.Created, err = time.Parse(time.RFC3339Nano, created); err != nil {
			return casework.Page{}, fmt.Errorf("sqlite: case created %q: %w", created, err)
		}
		p.Cases = append(p.Cases, s)
	}
	return p, rows.Err()
}

// CaseFile implements casework.Store.
func (db *DB) CaseFile(ctx context.Context, id string) (_ casework.File, err error) {
	defer func() { err = classify(err) }()
	tx, err := db.ro.BeginTx(ctx, nil)
	if err != nil {
		return casework.File{}, fmt.Errorf("sqlite: case file: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var f casework.File
	var data string
	var sig, enc sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT data, coalesce(assignee, ''), coalesce(device, ''), signature, signing_key, encrypted,
		coalesce((SELECT key FROM idempotency_keys WHERE case_id = cases.id ORDER BY created LIMIT 1), '')
		FROM cases WHERE id = ?`, id).Scan(&data, &f.Assignee, &f.Device, &sig, &f.Seal.SigningKey, &enc, &f.IdempotencyKey)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return casework.File{}, casework.ErrNoCase
	case err != nil:
		return casework.File{}, fmt.Errorf("sqlite: case file: %w", err)
	}
	f.Data = json.RawMessage(data)
	f.Seal.Encrypted = enc.String
	if sig.Valid {
		if err := json.Unmarshal([]byte(sig.String), &f.Seal.Signature); err != nil {
			return casework.File{}, fmt.Errorf("sqlite: case signature: %w", err)
		}
	}
	if f.Case, err = caseByID(ctx, tx, id); err != nil {
		return casework.File{}, fmt.Errorf("sqlite: case file: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT a.pointer, u.id, u.filename, u.filetype, u.size, u.sha256
		FROM case_attachments a JOIN uploads u ON u.id = a.upload_id WHERE a.case_id = ? ORDER BY a.pointer`, id)
	if err != nil {
		return casework.File{}, fmt.Errorf("sqlite: case attachments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a casework.Attachment
		if err := rows.Scan(&a.Pointer, &a.Upload, &a.Filename, &a.Filetype, &a.Size, &a.SHA256); err != nil {
			return casework.File{}, fmt.Errorf("sqlite: case attachments: %w", err)
		}
		f.Attachments = append(f.Attachments, a)
	}
	return f, rows.Err()
}

// Act implements casework.Store, as one write (writer.go).
func (db *DB) Act(ctx context.Context, id string, a casework.Action, allow func(casework.State) error) (c api.Case, err error) {
	defer func() { err = classify(err) }()
	err = db.w.write(ctx, func(ctx context.Context, q querier) (err error) {
		c, err = act(ctx, q, id, a, allow)
		return err
	})
	if err != nil {
		return api.Case{}, err
	}
	return c, nil
}

func act(ctx context.Context, q querier, id string, a casework.Action, allow func(casework.State) error) (api.Case, error) {
	var before casework.State
	var device sql.NullString
	var events int
	err := q.QueryRowContext(ctx, `SELECT status, coalesce(assignee, ''), device, (SELECT count(*) FROM case_events WHERE case_id = cases.id)
		FROM cases WHERE id = ?`, id).Scan(&before.Status, &before.Assignee, &device, &events)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return api.Case{}, casework.ErrNoCase
	case err != nil:
		return api.Case{}, fmt.Errorf("sqlite: act on case: %w", err)
	}
	if err := allow(before); err != nil {
		return api.Case{}, err
	}
	after := before
	if a.Assignee != nil {
		after.Assignee = *a.Assignee
		if _, err := q.ExecContext(ctx, "UPDATE cases SET assignee = ? WHERE id = ?", nullable(after.Assignee), id); err != nil {
			return api.Case{}, fmt.Errorf("sqlite: assign case: %w", err)
		}
	}
	if a.Event != nil {
		after.Status = a.Event.Status
		if err := addEvent(ctx, q, id, events+1, *a.Event); err != nil {
			return api.Case{}, err
		}
		if _, err := q.ExecContext(ctx, "UPDATE cases SET status = ? WHERE id = ?", after.Status, id); err != nil {
			return api.Case{}, fmt.Errorf("sqlite: set case status: %w", err)
		}
	}
	bb, _ := json.Marshal(before)
	ab, _ := json.Marshal(after)
	if _, err := q.ExecContext(ctx, "INSERT INTO case_audit (case_id, actor, at, action, before, after, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
		id, a.Actor, a.At.UTC().Format(time.RFC3339Nano), a.What, string(bb), string(ab), a.Detail); err != nil {
		return api.Case{}, fmt.Errorf("sqlite: audit: %w", err)
	}
	c, err := caseByID(ctx, q, id)
	if err != nil {
		return api.Case{}, fmt.Errorf("sqlite: act on case: %w", err)
	}
	if a.Event != nil {
		if err := addCaseChange(ctx, q, device.String, c); err != nil {
			return api.Case{}, err
		}
	}
	return c, nil
}

// AuditLog implements casework.Store.
func (db *DB) AuditLog(ctx context.Context, caseID string) (_ []casework.AuditEntry, err error) {
	defer func() { err = classify(err) }()
	query := `SELECT a.seq, a.case_id, c.number, a.actor, a.at, a.action, a.before, a.after, a.detail
		FROM case_audit a JOIN cases c ON c.id = a.case_id`
	var args []any
	if caseID != "" {
		query, args = query+" WHERE a.case_id = ?", []any{caseID}
	}
	rows, err := db.ro.QueryContext(ctx, query+" ORDER BY a.seq", args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: audit log: %w", err)
	}
	defer rows.Close()
	out := []casework.AuditEntry{}
	for rows.Next() {
		var e casework.AuditEntry
		var at, before, after string
		if err := rows.Scan(&e.Seq, &e.Case, &e.Number, &e.Actor, &at, &e.What, &before, &after, &e.Detail); err != nil {
			return nil, fmt.Errorf("sqlite: audit log: %w", err)
		}
		if e.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return nil, fmt.Errorf("sqlite: audit at %q: %w", at, err)
		}
		if err := json.Unmarshal([]byte(before), &e.Before); err != nil {
			return nil, fmt.Errorf("sqlite: audit before: %w", err)
		}
		if err := json.Unmarshal([]byte(after), &e.After); err != nil {
			return nil, fmt.Errorf("sqlite: audit after: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
