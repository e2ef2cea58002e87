package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/casework"
)

// ReplayCase implements server.Store.
func (db *DB) ReplayCase(ctx context.Context, scope, key string, requestHash []byte) (_ api.Case, _ bool, err error) {
	defer func() { err = classify(err) }()
	var c api.Case
	var found bool
	err = db.tx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		c, found, err = replay(ctx, tx, scope, key, requestHash)
		return err
	})
	if err != nil && !errors.Is(err, server.ErrKeyReused) && !strings.HasPrefix(err.Error(), "postgres: ") {
		err = fmt.Errorf("postgres: replay case: %w", err)
	}
	return c, found, err
}

// replay looks the scope and key up: the stored case when the hash
// matches, ErrKeyReused when it does not, found=false when the key is new.
func replay(ctx context.Context, tx pgx.Tx, scope, key string, requestHash []byte) (api.Case, bool, error) {
	var storedHash []byte
	var caseID string
	err := tx.QueryRow(ctx, "SELECT request_hash, case_id FROM idempotency_keys WHERE scope = $1 AND key = $2", scope, key).
		Scan(&storedHash, &caseID)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return api.Case{}, false, nil
	case err != nil:
		return api.Case{}, false, fmt.Errorf("postgres: look up idempotency key: %w", err)
	case !bytes.Equal(storedHash, requestHash):
		return api.Case{}, false, server.ErrKeyReused
	}
	stored, err := caseByID(ctx, tx, caseID)
	if err != nil {
		return api.Case{}, false, fmt.Errorf("postgres: replay case %s: %w", caseID, err)
	}
	return stored, true, nil
}

// CreateCase implements server.Store. The key's lock makes concurrent
// requests with one key, on any process, queue up: all but the first find
// the stored case. The case number is taken after every check, and the
// rows are then written in one round trip, so that the year's counter row,
// locked from the number to the commit, is held for three round trips.
func (db *DB) CreateCase(ctx context.Context, key string, requestHash []byte, c server.NewCase) (_ api.Case, _ bool, err error) {
	defer func() { err = classify(err) }()
	var out api.Case
	var replayed bool
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if err := lock(ctx, tx, lockKey, c.Device+" "+key); err != nil {
			return err
		}
		stored, found, err := replay(ctx, tx, c.Device, key, requestHash)
		if found || err != nil {
			out, replayed = stored, found
			return err
		}
		if err := checkAttachments(ctx, tx, c.ID, c.Device, c.Attachments); err != nil {
			return err
		}
		scope, target, err := caseAudience(ctx, tx, c.Device)
		if err != nil {
			return err
		}

		created := stamp(c.Created)
		var seq int
		err = tx.QueryRow(ctx, `INSERT INTO case_counters (year, last) VALUES ($1, 1)
			ON CONFLICT (year) DO UPDATE SET last = case_counters.last + 1 RETURNING last`, created.Year()).Scan(&seq)
		if err != nil {
			return fmt.Errorf("postgres: next case number: %w", err)
		}
		out = api.Case{
			ID:      c.ID,
			Number:  fmt.Sprintf("%04d-%06d", created.Year(), seq),
			Service: c.Service,
			Form:    c.Form,
			Status:  c.Status,
			Created: created,
			History: []api.CaseEvent{{Status: c.Status, At: created}},
		}
		replayed = false
		sig, err := signatureJSON(c.Seal)
		if err != nil {
			return err
		}
		if c.Seal.Signature != nil {
			out.KeyFingerprint = api.KeyFingerprint(c.Seal.SigningKey)
		}
		b := &pgx.Batch{}
		b.Queue(`INSERT INTO cases (id, number, service, form_id, form_version, data, status, created, device,
			signature, signing_key, encrypted)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			out.ID, out.Number, out.Service, out.Form.ID, out.Form.Version, string(c.Data), out.Status, created, nullable(c.Device),
			sig, nullBytes(c.Seal.SigningKey), nullable(c.Seal.Encrypted))
		if err := queueEvent(b, out.ID, 1, out.History[0]); err != nil {
			return err
		}
		b.Queue("INSERT INTO idempotency_keys (scope, key, request_hash, case_id, created) VALUES ($1, $2, $3, $4, $5)",
			c.Device, key, requestHash, out.ID, created)
		for _, a := range c.Attachments {
			b.Queue("INSERT INTO case_attachments (case_id, pointer, upload_id) VALUES ($1, $2, $3)", out.ID, a.Pointer, a.Upload)
		}
		if scope != "" {
			if err := queueChange(b, scope, target, c.Device, api.Change{Kind: api.ChangeCase, Case: &out}); err != nil {
				return err
			}
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("postgres: insert case: %w", err)
		}
		return nil
	})
	if err != nil {
		if _, ok := errors.AsType[*server.AttachmentError](err); ok || errors.Is(err, server.ErrKeyReused) {
			return api.Case{}, false, err
		}
		return api.Case{}, false, fmt.Errorf("postgres: create case: %w", err)
	}
	return out, replayed, nil
}

// checkAttachments checks each attachment's upload and claims it for the
// case. The upload must be the device's own (another device's is missing,
// as far as this device can tell: anonymous ones serve anonymous cases).
// Its row stays locked (FOR NO KEY UPDATE) until the case commits, so that
// the janitor cannot end it in between - if the janitor came first, it is
// missing - and so that of two cases naming it, the second waits for the
// first and then finds it claimed. FOR SHARE would let both read it and
// then deadlock on the claim. The claim is the conditional update: zero
// rows means another case has it (or this one, at a second place).
func checkAttachments(ctx context.Context, tx pgx.Tx, caseID, device string, atts []server.CaseAttachment) error {
	for _, a := range atts {
		fail := func(r server.AttachmentReason) error {
			return &server.AttachmentError{Pointer: a.Pointer, Upload: a.Upload, Reason: r}
		}
		u, err := uploadByID(ctx, tx, a.Upload, " FOR NO KEY UPDATE")
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
		tag, err := tx.Exec(ctx, "UPDATE uploads SET case_id = $1 WHERE id = $2 AND case_id IS NULL", caseID, a.Upload)
		if err != nil {
			return fmt.Errorf("postgres: claim upload for %s: %w", a.Pointer, err)
		}
		if tag.RowsAffected() == 0 {
			return fail(server.AttachmentInUse)
		}
	}
	return nil
}

// SetCaseStatus implements server.Store: the case's row stays locked from
// reading its status until the change commits, so two staff members moving
// one case take turns, and the second sees the first's status.
func (db *DB) SetCaseStatus(ctx context.Context, id string, ev api.CaseEvent, allow func(current string) error) (_ api.Case, err error) {
	defer func() { err = classify(err) }()
	var c api.Case
	var refused error
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		refused = nil
		var current string
		var device *string
		err := tx.QueryRow(ctx, "SELECT status, device FROM cases WHERE id = $1 FOR UPDATE", id).Scan(&current, &device)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return server.ErrNotFound
		case err != nil:
			return err
		}
		if err := allow(current); err != nil {
			refused = err
			return err
		}
		var events int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM case_events WHERE case_id = $1", id).Scan(&events); err != nil {
			return err
		}
		ev.At = stamp(ev.At)
		b := &pgx.Batch{}
		if err := queueEvent(b, id, events+1, ev); err != nil {
			return err
		}
		b.Queue("UPDATE cases SET status = $1 WHERE id = $2", ev.Status, id)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		if c, err = caseByID(ctx, tx, id); err != nil {
			return err
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
	case errors.Is(err, server.ErrNotFound):
		return api.Case{}, server.ErrNotFound
	case err != nil:
		return api.Case{}, fmt.Errorf("postgres: set case status: %w", err)
	}
	return c, nil
}

// caseByID reads a case with its timeline.
func caseByID(ctx context.Context, tx pgx.Tx, id string) (api.Case, error) {
	var c api.Case
	var signed bool
	var key []byte
	err := tx.QueryRow(ctx, "SELECT id, number, service, form_id, form_version, status, created, signature IS NOT NULL, signing_key FROM cases WHERE id = $1", id).
		Scan(&c.ID, &c.Number, &c.Service, &c.Form.ID, &c.Form.Version, &c.Status, &c.Created, &signed, &key)
	if err != nil {
		return api.Case{}, err
	}
	if signed && key != nil {
		c.KeyFingerprint = api.KeyFingerprint(key)
	}
	c.Created = c.Created.UTC()
	rows, err := tx.Query(ctx, "SELECT status, at, note, fields FROM case_events WHERE case_id = $1 ORDER BY seq", id)
	if err != nil {
		return api.Case{}, fmt.Errorf("case events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ev api.CaseEvent
		var note, fields []byte
		if err := rows.Scan(&ev.Status, &ev.At, &note, &fields); err != nil {
			return api.Case{}, fmt.Errorf("case events: %w", err)
		}
		ev.At = ev.At.UTC()
		if note != nil {
			if err := json.Unmarshal(note, &ev.Note); err != nil {
				return api.Case{}, fmt.Errorf("case event note: %w", err)
			}
		}
		if fields != nil {
			if err := json.Unmarshal(fields, &ev.Fields); err != nil {
				return api.Case{}, fmt.Errorf("case event fields: %w", err)
			}
		}
		c.History = append(c.History, ev)
	}
	return c, rows.Err()
}

// queueEvent adds event number seq of a case's timeline to the batch.
func queueEvent(b *pgx.Batch, caseID string, seq int, ev api.CaseEvent) error {
	var note *string
	if len(ev.Note) > 0 {
		j, err := json.Marshal(ev.Note)
		if err != nil {
			return fmt.Errorf("postgres: case event note: %w", err)
		}
		s := string(j)
		note = &s
	}
	var fields *string
	if len(ev.Fields) > 0 {
		j, err := json.Marshal(ev.Fields)
		if err != nil {
			return fmt.Errorf("postgres: case event fields: %w", err)
		}
		f := string(j)
		fields = &f
	}
	b.Queue("INSERT INTO case_events (case_id, seq, status, at, note, fields) VALUES ($1, $2, $3, $4, $5, $6)",
		caseID, seq, ev.Status, stamp(ev.At), note, fields)
	return nil
}

// signatureJSON is a case's signature as the signature column keeps it,
// NULL for an unsigned case.
func signatureJSON(s casework.Seal) (any, error) {
	if s.Signature == nil {
		return nil, nil
	}
	b, err := json.Marshal(s.Signature)
	if err != nil {
		return nil, fmt.Errorf("postgres: signature: %w", err)
	}
	return string(b), nil
}
