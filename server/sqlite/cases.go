package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/casework"
)

// ReplayCase implements server.Store.
func (db *DB) ReplayCase(ctx context.Context, scope, key string, requestHash []byte) (_ api.Case, _ bool, err error) {
	defer func() { err = classify(err) }()
	// Nearly every key is new (every submission asks before it is
	// validated): one statement says so, without a transaction around it.
	// Keys are never deleted, so a key found here is there below.
	var known bool
	if err := db.ro.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM idempotency_keys WHERE scope = ? AND key = ?)", scope, key).
		Scan(&known); err != nil {
		return api.Case{}, false, fmt.Errorf("sqlite: look up idempotency key: %w", err)
	}
	if !known {
		return api.Case{}, false, nil
	}
	// A deferred transaction on the read pool: one snapshot for the key and
	// its case, and no write lock.
	tx, err := db.ro.BeginTx(ctx, nil)
	if err != nil {
		return api.Case{}, false, fmt.Errorf("sqlite: replay case: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	return replay(ctx, tx, scope, key, requestHash)
}

// replay looks the scope and key up: the stored case when the hash
// matches, ErrKeyReused when it does not, found=false when the key is new.
func replay(ctx context.Context, tx querier, scope, key string, requestHash []byte) (api.Case, bool, error) {
	var storedHash []byte
	var caseID string
	err := tx.QueryRowContext(ctx, "SELECT request_hash, case_id FROM idempotency_keys WHERE scope = ? AND key = ?", scope, key).
		Scan(&storedHash, &caseID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return api.Case{}, false, nil
	case err != nil:
		return api.Case{}, false, fmt.Errorf("sqlite: look up idempotency key: %w", err)
	case !bytes.Equal(storedHash, requestHash):
		return api.Case{}, false, server.ErrKeyReused
	}
	stored, err := caseByID(ctx, tx, caseID)
	if err != nil {
		return api.Case{}, false, fmt.Errorf("sqlite: replay case %s: %w", caseID, err)
	}
	return stored, true, nil
}

// CreateCase implements server.Store. The lookup of the key, the case number
// and the inserts are one write (writer.go), so concurrent requests with one
// key queue up and all but the first find the stored case.
func (db *DB) CreateCase(ctx context.Context, key string, requestHash []byte, c server.NewCase) (out api.Case, replayed bool, err error) {
	defer func() { err = classify(err) }()
	err = db.w.write(ctx, func(ctx context.Context, q querier) (err error) {
		out, replayed, err = createCase(ctx, q, key, requestHash, c)
		return err
	})
	if err != nil {
		return api.Case{}, false, err
	}
	return out, replayed, nil
}

func createCase(ctx context.Context, q querier, key string, requestHash []byte, c server.NewCase) (api.Case, bool, error) {
	if stored, found, err := replay(ctx, q, c.Device, key, requestHash); found || err != nil {
		return stored, found, err
	}
	created := c.Created.UTC()
	var seq int
	err := q.QueryRowContext(ctx, `INSERT INTO case_counters (year, last) VALUES (?, 1)
		ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last`, created.Year()).Scan(&seq)
	if err != nil {
		return api.Case{}, false, fmt.Errorf("sqlite: next case number: %w", err)
	}
	out := api.Case{
		ID:      c.ID,
		Number:  fmt.Sprintf("%04d-%06d", created.Year(), seq),
		Service: c.Service,
		Form:    c.Form,
		Status:  c.Status,
		Created: created,
		History: []api.CaseEvent{{Status: c.Status, At: created}},
	}
	stamp := created.Format(time.RFC3339Nano)
	sig, err := signatureJSON(c.Seal)
	if err != nil {
		return api.Case{}, false, err
	}
	if c.Seal.Signature != nil {
		out.KeyFingerprint = api.KeyFingerprint(c.Seal.SigningKey)
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO cases (id, number, service, form_id, form_version, data, status, created, device,
		signature, signing_key, encrypted)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		out.ID, out.Number, out.Service, out.Form.ID, out.Form.Version, string(c.Data), out.Status, stamp, nullable(c.Device),
		sig, nullBytes(c.Seal.SigningKey), nullable(c.Seal.Encrypted)); err != nil {
		return api.Case{}, false, fmt.Errorf("sqlite: insert case: %w", err)
	}
	if err := addEvent(ctx, q, out.ID, 1, out.History[0]); err != nil {
		return api.Case{}, false, err
	}
	if _, err := q.ExecContext(ctx, "INSERT INTO idempotency_keys (scope, key, request_hash, case_id, created) VALUES (?, ?, ?, ?, ?)",
		c.Device, key, requestHash, out.ID, stamp); err != nil {
		return api.Case{}, false, fmt.Errorf("sqlite: insert idempotency key: %w", err)
	}
	if err := linkAttachments(ctx, q, out.ID, c.Device, c.Attachments); err != nil {
		return api.Case{}, false, err
	}
	if err := addCaseChange(ctx, q, c.Device, out); err != nil {
		return api.Case{}, false, err
	}
	return out, false, nil
}

// linkAttachments checks each attachment's upload and links it to the
// case, so that the janitor keeps it. The upload must be the device's own
// (another device's is missing, as far as this device can tell) and is
// claimed by a conditional update: of two cases naming it, the second one
// finds it taken, whichever transaction comes first.
func linkAttachments(ctx context.Context, tx querier, caseID, device string, atts []server.CaseAttachment) error {
	for _, a := range atts {
		fail := func(r server.AttachmentReason) error {
			return &server.AttachmentError{Pointer: a.Pointer, Upload: a.Upload, Reason: r}
		}
		u, err := uploadByID(ctx, tx, a.Upload)
		switch {
		case errors.Is(err, server.ErrNotFound), err == nil && u.Device != device:
			return fail(server.AttachmentMissing)
		case err != nil:
			return err
		case u.Finished.IsZero():
			return fail(server.AttachmentUnfinished)
		case u.Size != a.Size || u.SHA256 != a.SHA256:
			return fail(server.AttachmentMismatch)
		}
		res, err := tx.ExecContext(ctx, "UPDATE uploads SET case_id = ? WHERE id = ? AND case_id IS NULL", caseID, a.Upload)
		if err != nil {
			return fmt.Errorf("sqlite: claim upload for %s: %w", a.Pointer, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlite: claim upload for %s: %w", a.Pointer, err)
		} else if n == 0 {
			return fail(server.AttachmentInUse)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO case_attachments (case_id, pointer, upload_id) VALUES (?, ?, ?)",
			caseID, a.Pointer, a.Upload); err != nil {
			return fmt.Errorf("sqlite: link attachment %s: %w", a.Pointer, err)
		}
	}
	return nil
}

// SetCaseStatus implements server.Store: as one write it reads the case's
// status, asks allow, appends the event to the timeline, sets the status
// and tells the case's device or account.
func (db *DB) SetCaseStatus(ctx context.Context, id string, ev api.CaseEvent, allow func(current string) error) (c api.Case, err error) {
	defer func() { err = classify(err) }()
	err = db.w.write(ctx, func(ctx context.Context, q querier) (err error) {
		c, err = setCaseStatus(ctx, q, id, ev, allow)
		return err
	})
	if err != nil {
		return api.Case{}, err
	}
	return c, nil
}

func setCaseStatus(ctx context.Context, q querier, id string, ev api.CaseEvent, allow func(current string) error) (api.Case, error) {
	var current string
	var device sql.NullString
	var events int
	err := q.QueryRowContext(ctx, `SELECT status, device, (SELECT count(*) FROM case_events WHERE case_id = cases.id)
		FROM cases WHERE id = ?`, id).Scan(&current, &device, &events)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return api.Case{}, server.ErrNotFound
	case err != nil:
		return api.Case{}, fmt.Errorf("sqlite: set case status: %w", err)
	}
	if err := allow(current); err != nil {
		return api.Case{}, err
	}
	if err := addEvent(ctx, q, id, events+1, ev); err != nil {
		return api.Case{}, err
	}
	if _, err := q.ExecContext(ctx, "UPDATE cases SET status = ? WHERE id = ?", ev.Status, id); err != nil {
		return api.Case{}, fmt.Errorf("sqlite: set case status: %w", err)
	}
	c, err := caseByID(ctx, q, id)
	if err != nil {
		return api.Case{}, fmt.Errorf("sqlite: set case status: %w", err)
	}
	if err := addCaseChange(ctx, q, device.String, c); err != nil {
		return api.Case{}, err
	}
	return c, nil
}

// caseByID reads a case with its timeline.
func caseByID(ctx context.Context, tx querier, id string) (api.Case, error) {
	var c api.Case
	var created string
	var signed sql.NullString
	var key []byte
	err := tx.QueryRowContext(ctx, "SELECT id, number, service, form_id, form_version, status, created, signature, signing_key FROM cases WHERE id = ?", id).
		Scan(&c.ID, &c.Number, &c.Service, &c.Form.ID, &c.Form.Version, &c.Status, &created, &signed, &key)
	if err != nil {
		return api.Case{}, err
	}
	if signed.Valid && key != nil {
		c.KeyFingerprint = api.KeyFingerprint(key)
	}
	if c.Created, err = time.Parse(time.RFC3339Nano, created); err != nil {
		return api.Case{}, fmt.Errorf("created %q: %w", created, err)
	}
	rows, err := tx.QueryContext(ctx, "SELECT status, at, note, fields FROM case_events WHERE case_id = ? ORDER BY seq", id)
	if err != nil {
		return api.Case{}, fmt.Errorf("case events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ev api.CaseEvent
		var at string
		var note, fields sql.NullString
		if err := rows.Scan(&ev.Status, &at, &note, &fields); err != nil {
			return api.Case{}, fmt.Errorf("case events: %w", err)
		}
		if ev.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return api.Case{}, fmt.Errorf("case event at %q: %w", at, err)
		}
		if note.Valid {
			if err := json.Unmarshal([]byte(note.String), &ev.Note); err != nil {
				return api.Case{}, fmt.Errorf("case event note: %w", err)
			}
		}
		if fields.Valid {
			if err := json.Unmarshal([]byte(fields.String), &ev.Fields); err != nil {
				return api.Case{}, fmt.Errorf("case event fields: %w", err)
			}
		}
		c.History = append(c.History, ev)
	}
	return c, rows.Err()
}

// addEvent appends event number seq to a case's timeline.
func addEvent(ctx context.Context, tx querier, caseID string, seq int, ev api.CaseEvent) error {
	var note any
	if len(ev.Note) > 0 {
		b, err := json.Marshal(ev.Note)
		if err != nil {
			return fmt.Errorf("sqlite: case event note: %w", err)
		}
		note = string(b)
	}
	var fields any
	if len(ev.Fields) > 0 {
		b, err := json.Marshal(ev.Fields)
		if err != nil {
			return fmt.Errorf("sqlite: case event fields: %w", err)
		}
		fields = string(b)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO case_events (case_id, seq, status, at, note, fields) VALUES (?, ?, ?, ?, ?, ?)",
		caseID, seq, ev.Status, ev.At.UTC().Format(time.RFC3339Nano), note, fields); err != nil {
		return fmt.Errorf("sqlite: insert case event: %w", err)
	}
	return nil
}

// nullable maps "" to SQL NULL.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// signatureJSON is a case's signature as the signature column keeps it,
// NULL for an unsigned case.
func signatureJSON(s casework.Seal) (any, error) {
	if s.Signature == nil {
		return nil, nil
	}
	b, err := json.Marshal(s.Signature)
	if err != nil {
		return nil, fmt.Errorf("sqlite: signature: %w", err)
	}
	return string(b), nil
}
