package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sort"

	"rathaus/api"
	"rathaus/app/citizen"
)

// Drafts travel between the devices of an account field by field: every
// top-level field carries the hybrid logical clock of its last change, the
// later clock wins, and a local value that loses is kept as a conflict.

// queueCopy makes sure one pending draft copy waits in the outbox; later
// edits ride on it, since the copy is built when it is sent.
func (s *Store) queueCopy(ctx context.Context, tx *sql.Tx, draftID string) error {
	_, err := s.enqueue(ctx, tx, s.newItem(draftID, &citizen.DraftCopyPayload{}), true)
	return err
}

// queueTombstone queues the news of a draft's deletion, if the backend ever
// had the draft.
func (s *Store) queueTombstone(ctx context.Context, tx *sql.Tx, id string) error {
	d, err := s.scanDraft(tx.QueryRowContext(ctx, `SELECT `+draftColumns+` FROM drafts WHERE id = ?`, id))
	if err != nil {
		return storageError("deleting a draft", err)
	}
	if len(d.Synced) == 0 {
		return nil
	}
	t := &api.DraftCopy{ID: d.ID, Service: d.Service, Form: d.Form, Deleted: &api.DraftField{Clock: s.clock.Now()}}
	_, err = s.enqueue(ctx, tx, s.newItem(id, &citizen.DraftCopyPayload{Tombstone: t}), false)
	return err
}

// DraftCopy returns the fields of a draft the backend does not have yet;
// ok is false when there is nothing to send.
func (s *Store) DraftCopy(ctx context.Context, draftID string) (copy api.DraftCopy, ok bool, err error) {
	d, err := s.Draft(ctx, draftID)
	if err != nil || d.Locked {
		return copy, false, err
	}
	copy = api.DraftCopy{ID: d.ID, Service: d.Service, Form: d.Form, Fields: map[string]api.DraftField{}}
	for k, clock := range d.Clocks {
		if d.Synced[k] == clock {
			continue
		}
		f := api.DraftField{Clock: clock}
		if v, present := d.Values[k]; present {
			if f.Value, err = json.Marshal(v); err != nil {
				return copy, false, err
			}
		}
		copy.Fields[k] = f
	}
	return copy, len(copy.Fields) > 0, nil
}

// AckDraftCopy records the backend's answer to a draft copy: the fields
// sent are known to it, its merged copy is applied, and the outbox item is
// done unless the citizen changed something meanwhile.
func (s *Store) AckDraftCopy(ctx context.Context, itemID int64, sent, merged api.DraftCopy) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return storageError("recording a draft copy", err)
	}
	defer tx.Rollback()
	pending := false
	d, err := s.scanDraft(tx.QueryRowContext(ctx, `SELECT `+draftColumns+` FROM drafts WHERE id = ?`, sent.ID))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// Deleted here (a tombstone, or deleted meanwhile: its tombstone
		// follows).
	case err != nil:
		return err
	default:
		for k, f := range sent.Fields {
			d.Synced[k] = f.Clock
		}
		if err := s.merge(ctx, tx, d, merged); err != nil {
			return err
		}
		for k, c := range d.Clocks {
			if d.Synced[k] != c {
				pending = true
			}
		}
	}
	state := "done"
	if pending {
		state = "pending"
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, next_attempt = ?, last_error = '', last_code = '' WHERE id = ?`,
		state, ms(s.now()), itemID); err != nil {
		return storageError("recording a draft copy", err)
	}
	return storageError("recording a draft copy", tx.Commit())
}

// merge applies a copy from the backend to a draft in the transaction,
// field by field: the later clock wins; a local value that loses becomes a
// conflict. A queued or sent draft no longer changes.
func (s *Store) merge(ctx context.Context, tx *sql.Tx, d *citizen.Draft, in api.DraftCopy) error {
	for _, f := range in.Fields {
		s.clock.Observe(f.Clock)
	}
	if in.Deleted != nil {
		s.clock.Observe(in.Deleted.Clock)
		if d.State.Editable() && newerThanAll(in.Deleted.Clock, d.Clocks) {
			_, err := tx.ExecContext(ctx, `DELETE FROM drafts WHERE id = ?`, d.ID)
			return storageError("applying a deletion", err)
		}
	}
	if !d.State.Editable() || d.Locked {
		return s.saveSynced(ctx, tx, d)
	}
	keys := make([]string, 0, len(in.Fields))
	for k := range in.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	changed := false
	for _, k := range keys {
		f := in.Fields[k]
		local := d.Clocks[k]
		if f.Clock <= local {
			if f.Clock > d.Synced[k] {
				d.Synced[k] = f.Clock
			}
			continue
		}
		var v any
		present := len(f.Value) > 0 && string(f.Value) != "null"
		if present {
			if err := json.Unmarshal(f.Value, &v); err != nil {
				return &citizen.Error{Code: citizen.EINVALID, Message: "The server's answer could not be read.", Err: err}
			}
		}
		if old, had := d.Values[k]; had && (!present || !sameJSON(old, v)) {
			if err := s.keepConflict(ctx, tx, d.ID, k, old, local); err != nil {
				return err
			}
		}
		if present {
			d.Values[k] = v
		} else {
			delete(d.Values, k)
		}
		d.Clocks[k], d.Synced[k] = f.Clock, f.Clock
		changed = true
	}
	if changed {
		if err := s.writeDraft(ctx, tx, d.ID, d.Values, d.Step, d.Clocks); err != nil {
			return err
		}
	}
	return s.saveSynced(ctx, tx, d)
}

func (s *Store) saveSynced(ctx context.Context, tx *sql.Tx, d *citizen.Draft) error {
	b, err := json.Marshal(d.Synced)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE drafts SET synced = ? WHERE id = ?`, string(b), d.ID)
	return storageError("recording a draft copy", err)
}

func newerThanAll(clock string, clocks map[string]string) bool {
	for _, c := range clocks {
		if c >= clock {
			return false
		}
	}
	return true
}

func (s *Store) keepConflict(ctx context.Context, tx *sql.Tx, draftID, field string, value any, clock string) error {
	return s.keep(ctx, tx, draftID, field, value, clock, citizen.ConflictSync)
}

// applyRemoteDraft applies a draft copy from the changes feed: merged into
// the local draft, or a new draft when this device does not have it.
func (s *Store) applyRemoteDraft(ctx context.Context, tx *sql.Tx, in api.DraftCopy) error {
	d, err := s.scanDraft(tx.QueryRowContext(ctx, `SELECT `+draftColumns+` FROM drafts WHERE id = ?`, in.ID))
	if err == nil {
		return s.merge(ctx, tx, d, in)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	fields := map[string]string{}
	for k, f := range in.Fields {
		fields[k] = f.Clock
		s.clock.Observe(f.Clock)
	}
	if in.Deleted != nil && newerThanAll(in.Deleted.Clock, fields) {
		return nil // deleted on the other device, never seen here
	}
	now := s.now()
	nd := &citizen.Draft{ID: in.ID, Service: in.Service, Form: in.Form, Values: map[string]any{}, State: citizen.DraftEditing,
		Created: now, Updated: now, Clocks: map[string]string{}, Synced: map[string]string{}}
	if err := nd.Validate(); err != nil {
		return err
	}
	for k, f := range in.Fields {
		if len(f.Value) > 0 && string(f.Value) != "null" {
			var v any
			if err := json.Unmarshal(f.Value, &v); err != nil {
				return &citizen.Error{Code: citizen.EINVALID, Message: "The server's answer could not be read.", Err: err}
			}
			nd.Values[k] = v
		}
		nd.Clocks[k], nd.Synced[k] = f.Clock, f.Clock
	}
	sealed, err := s.sealValues(nd.ID, nd.Values)
	if err != nil {
		return err
	}
	cj, _ := json.Marshal(nd.Clocks)
	sj, _ := json.Marshal(nd.Synced)
	_, err = tx.ExecContext(ctx, `INSERT INTO drafts (id, service, form_id, form_version, values_sealed, step, state, created, updated, clocks, synced)
		VALUES (?, ?, ?, ?, ?, 0, 'editing', ?, ?, ?, ?)`,
		nd.ID, nd.Service, nd.Form.ID, nd.Form.Version, sealed, ms(now), ms(now), string(cj), string(sj))
	return storageError("adding a draft from another device", err)
}
