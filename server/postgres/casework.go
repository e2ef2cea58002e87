package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"rathaus/api"
	"rathaus/server/casework"
)

var _ casework.Store = (*DB)(nil)

// caseFilter is the WHERE clause of a casework.Query and its arguments.
func caseFilter(q casework.Query) (string, []any) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if q.Service != "" {
		where = append(where, "service = "+arg(q.Service))
	}
	if q.Status != "" {
		where = append(where, "status = "+arg(q.Status))
	}
	if q.Services != nil {
		where = append(where, "service = ANY("+arg(q.Services)+")")
	}
	if !q.From.IsZero() {
		where = append(where, "created >= "+arg(q.From.UTC()))
	}
	if !q.To.IsZero() {
		where = append(where, "created < "+arg(q.To.UTC()))
	}
	if !q.OverdueBefore.IsZero() {
		where = append(where, "created < "+arg(q.OverdueBefore.UTC())+
			" AND status NOT IN ("+arg(api.StatusDecided)+", "+arg(api.StatusClosed)+")")
	}
	if q.Number != "" {
		where = append(where, "strpos(number, "+arg(q.Number)+") > 0")
	}
	if q.Search != "" {
		v := arg(q.Search)
		where = append(where, "(strpos(number, "+v+") > 0 OR strpos(lower(data::text), lower("+v+")) > 0)")
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
	p := casework.Page{Cases: []casework.Summary{}}
	err = db.tx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM cases"+where, args...).Scan(&p.Total); err != nil {
			return err
		}
		n := len(args)
		rows, err := tx.Query(ctx, "SELECT id, number, service, status, created, coalesce(assignee, '') FROM cases"+where+
			fmt.Sprintf(" ORDER BY created DESC, number DESC LIMIT $%d OFFSET $%d", n+1, n+2), append(args, q.Limit, q.Offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s casework.Summary
			if err := rows.Scan(&s.ID, &s.Number, &s.Service, &s.Status, &s.Created, &s.Assignee); err != nil {
				return err
			}
			s.Created = s.Created.UTC()
			p.Cases = append(p.Cases, s)
		}
		return rows.Err()
	})
	if err != nil {
		return casework.Page{}, fmt.Errorf("postgres: list cases: %w", err)
	}
	return p, nil
}

// CaseFile implements casework.Store.
func (db *DB) CaseFile(ctx context.Context, id string) (_ casework.File, err error) {
	defer func() { err = classify(err) }()
	var f casework.File
	err = db.tx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		var data, sig []byte
		var enc *string
		err := tx.QueryRow(ctx, `SELECT data, coalesce(assignee, ''), coalesce(device, ''), signature, signing_key, encrypted,
			coalesce((SELECT key FROM idempotency_keys WHERE case_id = cases.id ORDER BY created LIMIT 1), '')
			FROM cases WHERE id = $1`, id).Scan(&data, &f.Assignee, &f.Device, &sig, &f.Seal.SigningKey, &enc, &f.IdempotencyKey)
		if errors.Is(err, pgx.ErrNoRows) {
			return casework.ErrNoCase
		} else if err != nil {
			return err
		}
		f.Data = json.RawMessage(data)
		if enc != nil {
			f.Seal.Encrypted = *enc
		}
		if sig != nil {
			if err := json.Unmarshal(sig, &f.Seal.Signature); err != nil {
				return fmt.Errorf("case signature: %w", err)
			}
		}
		if f.Case, err = caseByID(ctx, tx, id); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT a.pointer, u.id, u.filename, u.filetype, u.size, u.sha256
			FROM case_attachments a JOIN uploads u ON u.id = a.upload_id WHERE a.case_id = $1 ORDER BY a.pointer`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a casework.Attachment
			if err := rows.Scan(&a.Pointer, &a.Upload, &a.Filename, &a.Filetype, &a.Size, &a.SHA256); err != nil {
				return err
			}
			f.Attachments = append(f.Attachments, a)
		}
		return rows.Err()
	})
	switch {
	case errors.Is(err, casework.ErrNoCase):
		return casework.File{}, casework.ErrNoCase
	case err != nil:
		return casework.File{}, fmt.Errorf("postgres: case file: %w", err)
	}
	return f, nil
}

// Act implements casework.Store: the case's row is locked from the read
// of its state to the commit.
func (db *DB) Act(ctx context.Context, id string, a casework.Action, allow func(casework.State) error) (_ api.Case, err error) {
	defer func() { err = classify(err) }()
	var c api.Case
	var refused error
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		refused = nil
		var before casework.State
		var device *string
		err := tx.QueryRow(ctx, "SELECT status, coalesce(assignee, ''), device FROM cases WHERE id = $1 FOR UPDATE", id).
			Scan(&before.Status, &before.Assignee, &device)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return casework.ErrNoCase
		case err != nil:
			return err
		}
		if err := allow(before); err != nil {
			refused = err
			return err
		}
		after := before
		b := &pgx.Batch{}
		if a.Assignee != nil {
			after.Assignee = *a.Assignee
			b.Queue("UPDATE cases SET assignee = $1 WHERE id = $2", nullable(after.Assignee), id)
		}
		if a.Event != nil {
			var events int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM case_events WHERE case_id = $1", id).Scan(&events); err != nil {
				return err
			}
			ev := *a.Event
			ev.At = stamp(ev.At)
			after.Status = ev.Status
			if err := queueEvent(b, id, events+1, ev); err != nil {
				return err
			}
			b.Queue("UPDATE cases SET status = $1 WHERE id = $2", ev.Status, id)
		}
		bb, _ := json.Marshal(before)
		ab, _ := json.Marshal(after)
		b.Queue("INSERT INTO case_audit (case_id, actor, at, action, before, after, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
			id, a.Actor, stamp(a.At), a.What, string(bb), string(ab), a.Detail)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		if c, err = caseByID(ctx, tx, id); err != nil {
			return err
		}
		if a.Event == nil {
			return nil
		}
		var dev string
		if device != nil {
			dev = *device
		}
		return addDeviceChange(ctx, tx, dev, api.Change{Kind: api.ChangeCase, Case: &c})
	})
	switch {
	case refused != nil:
		return api.Case{}, refused
	case errors.Is(err, casework.ErrNoCase):
		return api.Case{}, casework.ErrNoCase
	case err != nil:
		return api.Case{}, fmt.Errorf("postgres: act on case: %w", err)
	}
	return c, nil
}

// AuditLog implements casework.Store.
func (db *DB) AuditLog(ctx context.Context, caseID string) (_ []casework.AuditEntry, err error) {
	defer func() { err = classify(err) }()
	conn, err := db.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: audit log: %w", err)
	}
	defer conn.Release()
	query := `SELECT a.seq, a.case_id, c.number, a.actor, a.at, a.action, a.before, a.after, a.detail
		FROM case_audit a JOIN cases c ON c.id = a.case_id`
	var args []any
	if caseID != "" {
		query, args = query+" WHERE a.case_id = $1", []any{caseID}
	}
	rows, err := conn.Query(ctx, query+" ORDER BY a.seq", args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: audit log: %w", err)
	}
	defer rows.Close()
	out := []casework.AuditEntry{}
	for rows.Next() {
		var e casework.AuditEntry
		var before, after []byte
		if err := rows.Scan(&e.Seq, &e.Case, &e.Number, &e.Actor, &e.At, &e.What, &before, &after, &e.Detail); err != nil {
			return nil, fmt.Errorf("postgres: audit log: %w", err)
		}
		e.At = e.At.UTC()
		if err := json.Unmarshal(before, &e.Before); err != nil {
			return nil, fmt.Errorf("postgres: audit before: %w", err)
		}
		if err := json.Unmarshal(after, &e.After); err != nil {
			return nil, fmt.Errorf("postgres: audit after: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
