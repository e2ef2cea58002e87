package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/casework"
)

// Answer implements casework.Store. The key's lock makes a retry of the
// same answer, on any process, wait for the first and find its key; the
// case's row stays locked from reading its status to the commit.
func (db *DB) Answer(ctx context.Context, key string, requestHash []byte, a casework.Answer, ev api.CaseEvent) (_ api.Case, _ bool, err error) {
	defer func() { err = classify(err) }()
	var out api.Case
	var replayed bool
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		replayed = false
		if err := lock(ctx, tx, lockKey, a.Device+" "+key); err != nil {
			return err
		}
		stored, found, err := replay(ctx, tx, a.Device, key, requestHash)
		if found || err != nil {
			out, replayed = stored, found
			return err
		}
		var before casework.State
		var device *string
		err = tx.QueryRow(ctx, "SELECT status, coalesce(assignee, ''), device FROM cases WHERE id = $1 FOR UPDATE", a.Case).
			Scan(&before.Status, &before.Assignee, &device)
		switch {
		case errors.Is(err, pgx.ErrNoRows), err == nil && (a.Device == "" || device == nil || *device != a.Device):
			return casework.ErrNoCase
		case err != nil:
			return err
		case before.Status != api.StatusInfoNeeded:
			return &casework.MoveError{From: before.Status, To: ev.Status}
		}
		// The case's files are the answer's now: its uploads are let go
		// and those the answer names claimed again (with the new ones).
		if _, err := tx.Exec(ctx, "DELETE FROM case_attachments WHERE case_id = $1", a.Case); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE uploads SET case_id = NULL WHERE case_id = $1", a.Case); err != nil {
			return err
		}
		atts := make([]server.CaseAttachment, len(a.Attachments))
		for i, x := range a.Attachments {
			atts[i] = server.CaseAttachment{Pointer: x.Pointer, Upload: x.Upload, Size: x.Size, SHA256: x.SHA256}
		}
		if err := checkAttachments(ctx, tx, a.Case, a.Device, atts); err != nil {
			return err
		}
		var events int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM case_events WHERE case_id = $1", a.Case).Scan(&events); err != nil {
			return err
		}
		ev.At = stamp(ev.At)
		after := casework.State{Status: ev.Status, Assignee: before.Assignee}
		bb, _ := json.Marshal(before)
		ab, _ := json.Marshal(after)
		b := &pgx.Batch{}
		for _, x := range atts {
			b.Queue("INSERT INTO case_attachments (case_id, pointer, upload_id) VALUES ($1, $2, $3)", a.Case, x.Pointer, x.Upload)
		}
		// The answer replaces the data the signature covered: the case is
		// unsigned from here on (answers are not signed yet).
		b.Queue("UPDATE cases SET data = $1, status = $2, signature = NULL, signing_key = NULL, encrypted = NULL WHERE id = $3", string(a.Data), ev.Status, a.Case)
		if err := queueEvent(b, a.Case, events+1, ev); err != nil {
			return err
		}
		b.Queue("INSERT INTO idempotency_keys (scope, key, request_hash, case_id, created) VALUES ($1, $2, $3, $4, $5)",
			a.Device, key, requestHash, a.Case, stamp(a.At))
		b.Queue("INSERT INTO case_audit (case_id, actor, at, action, before, after, detail) VALUES ($1, $2, $3, $4, $5, $6, '')",
			a.Case, casework.Citizen, stamp(a.At), casework.ActAnswer, string(bb), string(ab))
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		if out, err = caseByID(ctx, tx, a.Case); err != nil {
			return err
		}
		return addDeviceChange(ctx, tx, a.Device, api.Change{Kind: api.ChangeCase, Case: &out})
	})
	if err != nil {
		_, isAtt := errors.AsType[*server.AttachmentError](err)
		_, isMove := errors.AsType[*casework.MoveError](err)
		if isAtt || isMove || errors.Is(err, server.ErrKeyReused) || errors.Is(err, casework.ErrNoCase) {
			return api.Case{}, false, err
		}
		return api.Case{}, false, fmt.Errorf("postgres: answer: %w", err)
	}
	return out, replayed, nil
}
