package sqlite

import (
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

// Answer implements casework.Store, as one write (writer.go): a retry of
// the same answer queues behind the first and finds its key.
func (db *DB) Answer(ctx context.Context, key string, requestHash []byte, a casework.Answer, ev api.CaseEvent) (c api.Case, replayed bool, err error) {
	defer func() { err = classify(err) }()
	err = db.w.write(ctx, func(ctx context.Context, q querier) (err error) {
		c, replayed, err = answer(ctx, q, key, requestHash, a, ev)
		return err
	})
	if err != nil {
		return api.Case{}, false, err
	}
	return c, replayed, nil
}

func answer(ctx context.Context, q querier, key string, requestHash []byte, a casework.Answer, ev api.CaseEvent) (api.Case, bool, error) {
	if stored, found, err := replay(ctx, q, a.Device, key, requestHash); found || err != nil {
		return stored, found, err
	}
	var before casework.State
	var device sql.NullString
	var events int
	err := q.QueryRowContext(ctx, `SELECT status, coalesce(assignee, ''), device, (SELECT count(*) FROM case_events WHERE case_id = cases.id)
		FROM cases WHERE id = ?`, a.Case).Scan(&before.Status, &before.Assignee, &device, &events)
	switch {
	case errors.Is(err, sql.ErrNoRows), err == nil && (a.Device == "" || device.String != a.Device):
		return api.Case{}, false, casework.ErrNoCase
	case err != nil:
		return api.Case{}, false, fmt.Errorf("sqlite: answer: %w", err)
	case before.Status != api.StatusInfoNeeded:
		return api.Case{}, false, &casework.MoveError{From: before.Status, To: ev.Status}
	}
	// The case's files are the answer's now: its uploads are let go and
	// those the answer names claimed again (with the new ones).
	if _, err := q.ExecContext(ctx, "DELETE FROM case_attachments WHERE case_id = ?", a.Case); err != nil {
		return api.Case{}, false, fmt.Errorf("sqlite: answer: %w", err)
	}
	if _, err := q.ExecContext(ctx, "UPDATE uploads SET case_id = NULL WHERE case_id = ?", a.Case); err != nil {
		return api.Case{}, false, fmt.Errorf("sqlite: answer: %w", err)
	}
	atts := make([]server.CaseAttachment, len(a.Attachments))
	for i, x := range a.Attachments {
		atts[i] = server.CaseAttachment{Pointer: x.Pointer, Upload: x.Upload, Size: x.Size, SHA256: x.SHA256}
	}
	if err := linkAttachments(ctx, q, a.Case, a.Device, atts); err != nil {
		return api.Case{}, false, err
	}
	// The answer replaces the data the signature covered: the case is
	// unsigned from here on (answers are not signed yet).
	if _, err := q.ExecContext(ctx, "UPDATE cases SET data = ?, status = ?, signature = NULL, signing_key = NULL, encrypted = NULL WHERE id = ?", string(a.Data), ev.Status, a.Case); err != nil {
		return api.Case{}, false, fmt.Errorf("sqlite: answer: %w", err)
	}
	if err := addEvent(ctx, q, a.Case, events+1, ev); err != nil {
		return api.Case{}, false, err
	}
	stamp := a.At.UTC().Format(time.RFC3339Nano)
	if _, err := q.ExecContext(ctx, "INSERT INTO idempotency_keys (scope, key, request_hash, case_id, created) VALUES (?, ?, ?, ?, ?)",
		a.Device, key, requestHash, a.Case, stamp); err != nil {
		return api.Case{}, false, fmt.Errorf("sqlite: insert idempotency key: %w", err)
	}
	after := casework.State{Status: ev.Status, Assignee: before.Assignee}
	bb, _ := json.Marshal(before)
	ab, _ := json.Marshal(after)
	if _, err := q.ExecContext(ctx, "INSERT INTO case_audit (case_id, actor, at, action, before, after, detail) VALUES (?, ?, ?, ?, ?, ?, '')",
		a.Case, casework.Citizen, stamp, casework.ActAnswer, string(bb), string(ab)); err != nil {
		return api.Case{}, false, fmt.Errorf("sqlite: audit: %w", err)
	}
	c, err := caseByID(ctx, q, a.Case)
	if err != nil {
		return api.Case{}, false, fmt.Errorf("sqlite: answer: %w", err)
	}
	if err := addCaseChange(ctx, q, device.String, c); err != nil {
		return api.Case{}, false, err
	}
	return c, false, nil
}
