package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"rathaus/api"
	"rathaus/app/citizen"
)

// CreateDraft stores a new draft.
func (s *Store) CreateDraft(ctx context.Context, d *citizen.Draft) error {
	if err := d.Validate(); err != nil {
		return err
	}
	sealed, err := s.sealValues(d.ID, d.Values)
	if err != nil {
		return err
	}
	clocks := map[string]string{}
	for k := range d.Values {
		clocks[k] = s.clock.Now()
	}
	cj, _ := json.Marshal(clocks)
	_, err = s.db.ExecContext(ctx, `INSERT INTO drafts (id, service, form_id, form_version, values_sealed, step, state, created, updated, clocks)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.Service, d.Form.ID, d.Form.Version, sealed, d.Step, d.State.String(), ms(d.Created), ms(d.Updated), string(cj))
	return storageError("creating a draft", err)
}

// SaveDraft stores a draft's values and current step. It returns only after
// the commit is durable. A draft on its way to the backend cannot change.
// Every top-level field that changed gets a new clock, and a copy of the
// changes is queued for the account's other devices.
//
// It is made to run on every keystroke: after the first save of a draft
// it writes the row without reading it (autosave.go). It reads values only
// during the call and keeps nothing of them, so the caller may change its
// map once it returns (not while it runs). Saves of one draft from several
// goroutines are safe; what the one that commits last passed is what is
// stored, so a screen that saves from a timer and on navigation should
// make them in one goroutine, in order, and call a value saved only once
// a save that carried it returned nil.
func (s *Store) SaveDraft(ctx context.Context, id string, values map[string]any, step int) error {
	if prev := s.saved.get(id); prev != nil {
		done, err := s.saveKnown(ctx, id, prev, values, step)
		if err != nil {
			s.saved.forget(id)
			return err
		}
		if done {
			return nil
		}
	}
	return s.saveRead(ctx, id, values, step)
}

// saveRead saves a draft the store does not remember (or whose row moved
// on): it reads and unseals the row to find the fields that changed, and
// remembers what it wrote.
func (s *Store) saveRead(ctx context.Context, id string, values map[string]any, step int) error {
	s.saved.forget(id)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return storageError("saving a draft", err)
	}
	defer tx.Rollback()
	d, err := s.scanDraft(tx.QueryRowContext(ctx, `SELECT `+draftColumns+` FROM drafts WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return citizen.Errorf(citizen.ENOTFOUND, "This draft does not exist (any more).")
	}
	if err != nil {
		return err
	}
	if !d.State.Editable() {
		return citizen.Errorf(citizen.ECONFLICT, "This draft was already sent and cannot be changed.")
	}
	changed := false
	if !d.Locked {
		changed = s.stamp(d, values)
	}
	if err := s.writeDraft(ctx, tx, d.ID, values, step, d.Clocks); err != nil {
		return err
	}
	if changed {
		if err := s.queueCopy(ctx, tx, d.ID); err != nil {
			return err
		}
	}
	var rev int64
	var copyPending bool
	if err := tx.QueryRowContext(ctx, `SELECT rev, EXISTS (SELECT 1 FROM outbox WHERE draft_id = drafts.id AND kind = ? AND state = 'pending')
		FROM drafts WHERE id = ?`, citizen.OutboxDraft.String(), id).Scan(&rev, &copyPending); err != nil {
		return storageError("saving a draft", err)
	}
	if err := tx.Commit(); err != nil {
		return storageError("saving a draft", err)
	}
	if !d.Locked {
		if m, err := remember(rev, values, d.Clocks, copyPending); err == nil {
			s.saved.put(id, m)
		}
	}
	return nil
}

// stamp gives every top-level field whose value differs from the draft's a
// new clock, and reports whether any did.
func (s *Store) stamp(d *citizen.Draft, values map[string]any) bool {
	changed := false
	for k, v := range values {
		if old, ok := d.Values[k]; !ok || !sameJSON(old, v) {
			d.Clocks[k] = s.clock.Now()
			changed = true
		}
	}
	for k := range d.Values {
		if _, ok := values[k]; !ok {
			d.Clocks[k] = s.clock.Now() // cleared
			changed = true
		}
	}
	return changed
}

func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

func (s *Store) writeDraft(ctx context.Context, tx *sql.Tx, id string, values map[string]any, step int, clocks map[string]string) error {
	sealed, err := s.sealValues(id, values)
	if err != nil {
		return err
	}
	cj, err := json.Marshal(clocks)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE drafts SET values_sealed = ?, step = ?, clocks = ?, updated = ? WHERE id = ?`,
		sealed, step, string(cj), ms(s.now()), id)
	return storageError("saving a draft", err)
}

// draftColumns: a sent draft's case number is in the sealed mirror, as
// the newest case of the draft (migration 0013).
const draftColumns = `id, service, form_id, form_version, values_sealed, step, state, case_number, problem, created, updated, clocks, synced, coalesce(answers, ''),
	(SELECT id FROM cases WHERE cases.draft_id = drafts.id ORDER BY submitted DESC LIMIT 1),
	(SELECT sealed FROM cases WHERE cases.draft_id = drafts.id ORDER BY submitted DESC LIMIT 1)`

// Draft returns one draft; ENOTFOUND if there is none with that id. A draft
// whose values cannot be unsealed comes back Locked, without values.
func (s *Store) Draft(ctx context.Context, id string) (*citizen.Draft, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+draftColumns+` FROM drafts WHERE id = ?`, id)
	d, err := s.scanDraft(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, citizen.Errorf(citizen.ENOTFOUND, "This draft does not exist (any more).")
	}
	return d, err
}

// Drafts returns every draft, the most recently changed first.
func (s *Store) Drafts(ctx context.Context) ([]*citizen.Draft, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+draftColumns+` FROM drafts ORDER BY updated DESC, id`)
	if err != nil {
		return nil, storageError("listing drafts", err)
	}
	defer rows.Close()
	var out []*citizen.Draft
	for rows.Next() {
		d, err := s.scanDraft(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, storageError("listing drafts", rows.Err())
}

type scanner interface{ Scan(dest ...any) error }

func (s *Store) scanDraft(row scanner) (*citizen.Draft, error) {
	var d citizen.Draft
	var sealed []byte
	var state string
	var problem sql.NullString
	var created, updated int64
	var clocks, synced string
	var caseID sql.NullString
	var caseSealed []byte
	err := row.Scan(&d.ID, &d.Service, &d.Form.ID, &d.Form.Version, &sealed, &d.Step, &state, &d.CaseNumber, &problem, &created, &updated, &clocks, &synced, &d.Answers, &caseID, &caseSealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if err != nil {
		return nil, storageError("reading a draft", err)
	}
	d.State, _ = citizen.ParseDraftState(state)
	d.Created, d.Updated = fromMS(created), fromMS(updated)
	if json.Unmarshal([]byte(clocks), &d.Clocks) != nil || d.Clocks == nil {
		d.Clocks = map[string]string{}
	}
	if json.Unmarshal([]byte(synced), &d.Synced) != nil || d.Synced == nil {
		d.Synced = map[string]string{}
	}
	if problem.Valid {
		d.Problem = &api.Problem{}
		if json.Unmarshal([]byte(problem.String), d.Problem) != nil {
			d.Problem = &api.Problem{Title: problem.String}
		}
	}
	if d.CaseNumber == "" && len(caseSealed) > 0 {
		if c, ok := s.openCase(caseID.String, caseSealed, "", "[]"); ok {
			d.CaseNumber = c.Number
		}
	}
	var readable bool
	d.Values, readable = s.openValues(d.ID, sealed)
	d.Locked = !readable
	return &d, nil
}

// DeleteDraft throws a draft away, with the history of its outbox items. A
// draft on its way cannot be deleted: the backend may already have a case.
func (s *Store) DeleteDraft(ctx context.Context, id string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return storageError("deleting a draft", err)
	}
	defer tx.Rollback()
	var state string
	err = tx.QueryRowContext(ctx, `SELECT state FROM drafts WHERE id = ?`, id).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return citizen.Errorf(citizen.ENOTFOUND, "This draft does not exist (any more).")
	}
	if err != nil {
		return storageError("deleting a draft", err)
	}
	if st, _ := citizen.ParseDraftState(state); !st.Deletable() {
		return citizen.Errorf(citizen.ECONFLICT, "This draft is being sent and cannot be deleted now.")
	}
	// Its pending copies go too: a tombstone follows if the backend had it.
	if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE draft_id = ? AND (state IN ('done', 'failed') OR kind = ?)`,
		id, citizen.OutboxDraft.String()); err != nil {
		return storageError("deleting a draft", err)
	}
	if err := s.queueTombstone(ctx, tx, id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM drafts WHERE id = ?`, id); err != nil {
		return storageError("deleting a draft", err)
	}
	s.saved.forget(id) // its revision would no longer match; this frees it
	return storageError("deleting a draft", tx.Commit())
}

// MoveDraft moves an editable draft to another version of its form: its
// values become carried, and every value that did not carry over is kept
// for the citizen to look at (never silently dropped), in one transaction.
func (s *Store) MoveDraft(ctx context.Context, draftID string, to api.FormRef, carried map[string]any, left []citizen.Conflict) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return storageError("moving a draft", err)
	}
	defer tx.Rollback()
	d, err := s.scanDraft(tx.QueryRowContext(ctx, `SELECT `+draftColumns+` FROM drafts WHERE id = ?`, draftID))
	if errors.Is(err, sql.ErrNoRows) {
		return citizen.Errorf(citizen.ENOTFOUND, "This draft does not exist (any more).")
	}
	if err != nil {
		return err
	}
	if !d.State.Editable() || d.Locked {
		return citizen.Errorf(citizen.ECONFLICT, "This draft was already sent and cannot be changed.")
	}
	s.stamp(d, carried)
	if err := s.writeDraft(ctx, tx, d.ID, carried, 0, d.Clocks); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE drafts SET form_id = ?, form_version = ?, problem = NULL WHERE id = ?`, to.ID, to.Version, d.ID); err != nil {
		return storageError("moving a draft", err)
	}
	for _, l := range left {
		if err := s.keep(ctx, tx, d.ID, l.Field, l.Value, "", l.Reason); err != nil {
			return err
		}
	}
	if err := s.queueCopy(ctx, tx, d.ID); err != nil {
		return err
	}
	return storageError("moving a draft", tx.Commit())
}
