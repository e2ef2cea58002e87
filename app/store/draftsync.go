package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"rathaus/api"
	"rathaus/api/draftmerge"
	"rathaus/app/citizen"
)

// Drafts travel between the devices of an account field by field: every
// top-level field carries the hybrid logical clock of its last change, and
// copies merge by the rules of package draftmerge, which the backend uses
// too.

// queueCopy makes sure one pending draft copy waits in the outbox; later
// edits ride on it, since the copy is built when it is sent.
func (s *Store) queueCopy(ctx context.Context, tx *sql.Tx, draftID string) error {
	_, err := s.enqueue(ctx, tx, s.newItem(draftID, &citizen.DraftCopyPayload{}), true)
	return err
}

// queueTombstone queues the news of a draft's deletion, if the backend may
// have the draft: it came from the backend, or a field changed here, so
// that a copy was queued (its answer may have been lost, so nothing here
// says whether it arrived).
func (s *Store) queueTombstone(ctx context.Context, tx *sql.Tx, id string) error {
	d, err := s.scanDraft(tx.QueryRowContext(ctx, `SELECT `+draftColumns+` FROM drafts WHERE id = ?`, id))
	if err != nil {
		return storageError("deleting a draft", err)
	}
	if len(d.Synced) == 0 && len(d.Clocks) == 0 {
		return nil
	}
	t := &api.DraftCopy{ID: d.ID, Service: d.Service, Form: d.Form, Deleted: &api.DraftField{Clock: s.clock.Now()}}
	// Remembered at once, so that the feed cannot bring back what the
	// citizen deleted while the deletion is on its way.
	if err := s.rememberDeletion(ctx, tx, api.DraftCopy{}, *t); err != nil {
		return err
	}
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
		// follows). The backend's deletion is remembered, so that an
		// older copy from the feed does not bring the draft back.
		s.observe(merged)
		if err := s.rememberDeletion(ctx, tx, api.DraftCopy{}, merged); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		for k, f := range sent.Fields {
			d.Synced[k] = f.Clock
		}
		gone, err := s.merge(ctx, tx, d, merged)
		if err != nil {
			return err
		}
		for k, c := range d.Clocks {
			if !gone && d.Synced[k] != c {
				pending = true
			}
		}
	}
	// A deletion that arrived is done even when the draft lives on here
	// (another device revived it and the citizen edited it meanwhile): the
	// edits go in a copy of their own, since this item only ever sends the
	// deletion.
	revived := pending && sent.Deleted != nil
	state := "done"
	if pending && !revived {
		state = "pending"
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, next_attempt = ?, last_error = '', last_code = '' WHERE id = ?`,
		state, ms(s.now()), itemID); err != nil {
		return storageError("recording a draft copy", err)
	}
	if revived {
		if err := s.queueCopy(ctx, tx, sent.ID); err != nil {
			return err
		}
	}
	return storageError("recording a draft copy", tx.Commit())
}

// merge applies a copy from the backend to a draft in the transaction by
// the rules of package draftmerge: per field the later clock wins, a local
// value that loses is kept as a conflict where the rules say so, and a
// deletion removes the fields written before it, and the draft when none
// is left (gone reports that). A queued or sent draft no longer changes.
func (s *Store) merge(ctx context.Context, tx *sql.Tx, d *citizen.Draft, in api.DraftCopy) (gone bool, err error) {
	s.observe(in)
	if !d.State.Editable() {
		return false, s.saveSynced(ctx, tx, d)
	}
	local, err := s.localCopy(ctx, tx, d)
	if err != nil {
		return false, err
	}
	r := draftmerge.Merge(local, in)
	if err := s.rememberDeletion(ctx, tx, local, r.Copy); err != nil {
		return false, err
	}
	if draftmerge.Deleted(r.Copy) {
		_, err := tx.ExecContext(ctx, `DELETE FROM drafts WHERE id = ?`, d.ID)
		return true, storageError("applying a deletion", err)
	}
	if d.Locked {
		return false, s.saveSynced(ctx, tx, d)
	}
	for _, l := range r.Lost {
		if l.Incoming {
			continue // not on this device: the backend keeps it
		}
		if err := s.keepConflict(ctx, tx, d.ID, l.Field, d.Values[l.Field], l.Lost.Clock); err != nil {
			return false, err
		}
	}
	for _, k := range r.Taken {
		f := r.Copy.Fields[k]
		v, present, err := fieldValue(f)
		if err != nil {
			return false, err
		}
		if present {
			d.Values[k] = v
		} else {
			delete(d.Values, k)
		}
		d.Clocks[k], d.Synced[k] = f.Clock, f.Clock
	}
	for _, k := range r.Removed {
		delete(d.Values, k)
		delete(d.Clocks, k)
		delete(d.Synced, k)
	}
	// The backend has every clock it sent, also those that lost here.
	for k, f := range in.Fields {
		if local, ok := d.Clocks[k]; ok && f.Clock <= local && f.Clock > d.Synced[k] {
			d.Synced[k] = f.Clock
		}
	}
	if len(r.Taken) > 0 || len(r.Removed) > 0 {
		if err := s.writeDraft(ctx, tx, d.ID, d.Values, d.Step, d.Clocks); err != nil {
			return false, err
		}
	}
	return false, s.saveSynced(ctx, tx, d)
}

// observe moves the local clock past every clock of a copy, so that the
// next local change is later than what this device has seen.
func (s *Store) observe(in api.DraftCopy) {
	for _, f := range in.Fields {
		s.clock.Observe(f.Clock)
	}
	if in.Deleted != nil {
		s.clock.Observe(in.Deleted.Clock)
	}
}

// clockGlob matches the text form of a clock (api.ParseHLC's rule):
// fixed-width numbers first, so the latest clock of a set is its greatest
// string, and printable ASCII without spaces throughout.
const clockGlob = `clock GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9]-?*' AND clock NOT GLOB '*[^!-~]*'`

// resumeClock moves the local clock, which starts from the wall time at
// each Open, past every clock this device stored: its drafts' fields (made
// here or taken from another device, and those the backend has) and the
// deletions it remembers. A device whose time was set back across a
// restart then never stamps an edit earlier than one it already made or
// saw, which would lose against it on every other device.
func (s *Store) resumeClock(ctx context.Context) error {
	var latest sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT max(clock) FROM (
		SELECT j.value AS clock FROM drafts, json_each(CASE WHEN json_valid(drafts.clocks) THEN drafts.clocks ELSE '{}' END) AS j
		UNION ALL SELECT j.value FROM drafts, json_each(CASE WHEN json_valid(drafts.synced) THEN drafts.synced ELSE '{}' END) AS j
		UNION ALL SELECT clock FROM draft_tombstones
	) WHERE typeof(clock) = 'text' AND `+clockGlob).Scan(&latest)
	if err != nil {
		return storageError("reading the drafts' clocks", err)
	}
	if latest.Valid {
		s.clock.Observe(latest.String)
	}
	return nil
}

// localCopy is a draft as a copy for draftmerge: its fields with their
// clocks (a value without one, from before clocks, is older than any), and
// the latest deletion this device learnt of. A locked draft's fields come
// without values.
func (s *Store) localCopy(ctx context.Context, tx *sql.Tx, d *citizen.Draft) (api.DraftCopy, error) {
	c := api.DraftCopy{ID: d.ID, Service: d.Service, Form: d.Form, Fields: make(map[string]api.DraftField, len(d.Clocks))}
	for k, clock := range d.Clocks {
		c.Fields[k] = api.DraftField{Clock: clock}
	}
	for k, v := range d.Values {
		b, err := json.Marshal(v)
		if err != nil {
			return c, err
		}
		c.Fields[k] = api.DraftField{Value: b, Clock: d.Clocks[k]}
	}
	var err error
	c.Deleted, err = s.deletion(ctx, tx, d.ID)
	return c, err
}

// deletion is the latest deletion of a draft this device learnt of, nil
// for none.
func (s *Store) deletion(ctx context.Context, tx *sql.Tx, draftID string) (*api.DraftField, error) {
	var clock string
	err := tx.QueryRowContext(ctx, `SELECT clock FROM draft_tombstones WHERE draft_id = ?`, draftID).Scan(&clock)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, storageError("reading a deletion", err)
	}
	return &api.DraftField{Clock: clock}, nil
}

// rememberDeletion keeps the merged copy's deletion when it is newer than
// the one known before.
func (s *Store) rememberDeletion(ctx context.Context, tx *sql.Tx, before, after api.DraftCopy) error {
	if after.Deleted == nil || (before.Deleted != nil && before.Deleted.Clock >= after.Deleted.Clock) {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO draft_tombstones (draft_id, clock) VALUES (?, ?)
		ON CONFLICT (draft_id) DO UPDATE SET clock = max(clock, excluded.clock)`, after.ID, after.Deleted.Clock)
	return storageError("recording a deletion", err)
}

// fieldValue decodes a field's value from the backend; present is false
// for a cleared field.
func fieldValue(f api.DraftField) (v any, present bool, err error) {
	if len(f.Value) == 0 || string(f.Value) == "null" {
		return nil, false, nil
	}
	if err := json.Unmarshal(f.Value, &v); err != nil {
		return nil, false, &citizen.Error{Code: citizen.EINVALID, Message: "The server's answer could not be read.", Err: err}
	}
	return v, v != nil, nil
}

func (s *Store) saveSynced(ctx context.Context, tx *sql.Tx, d *citizen.Draft) error {
	b, err := json.Marshal(d.Synced)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE drafts SET synced = ? WHERE id = ?`, string(b), d.ID)
	return storageError("recording a draft copy", err)
}

func (s *Store) keepConflict(ctx context.Context, tx *sql.Tx, draftID, field string, value any, clock string) error {
	return s.keep(ctx, tx, draftID, field, value, clock, citizen.ConflictSync)
}

// applyRemoteDraft applies a draft copy from the changes feed: merged into
// the local draft, or a new draft when this device does not have it and it
// is not deleted.
func (s *Store) applyRemoteDraft(ctx context.Context, tx *sql.Tx, in api.DraftCopy) error {
	d, err := s.scanDraft(tx.QueryRowContext(ctx, `SELECT `+draftColumns+` FROM drafts WHERE id = ?`, in.ID))
	if err == nil {
		_, err := s.merge(ctx, tx, d, in)
		return err
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	s.observe(in)
	none := api.DraftCopy{ID: in.ID}
	if none.Deleted, err = s.deletion(ctx, tx, in.ID); err != nil {
		return err
	}
	r := draftmerge.Merge(none, in)
	if err := s.rememberDeletion(ctx, tx, none, r.Copy); err != nil {
		return err
	}
	if draftmerge.Deleted(r.Copy) {
		return nil // deleted on another device, never seen here (or seen deleted)
	}
	now := s.now()
	nd := &citizen.Draft{ID: in.ID, Service: in.Service, Form: in.Form, Values: map[string]any{}, State: citizen.DraftEditing,
		Created: now, Updated: now, Clocks: map[string]string{}, Synced: map[string]string{}}
	if err := nd.Validate(); err != nil {
		return err
	}
	for k, f := range r.Copy.Fields {
		v, present, err := fieldValue(f)
		if err != nil {
			return err
		}
		if present {
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
