package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"maps"
	"slices"
	"sync"
	"unicode/utf8"

	"rathaus/app/citizen"
)

// Each keystroke saves the draft. Reading the row and unsealing it to find
// the fields that changed, and marshalling every field again, cost more
// than the write, so the store remembers what it last wrote for each draft
// it saved: the values (a copy of its own: the screen changes its map in
// place), their JSON, their clocks and whether a copy is pending. That
// memory is used only while the row's revision is the one it was taken at
// (migration 7): any other writer, in this process or another, moves the
// revision, and the save then reads the row.

// savedDraft is a draft's row as the store last wrote it, at revision rev.
// It is never changed once remembered: a save makes a new one.
type savedDraft struct {
	rev         int64
	values      map[string]any // owned here
	plain       object         // the values' JSON, as sealed
	clocks      object
	copyPending bool
}

// maxRemembered bounds the memory; a draft that was forgotten costs one
// slow save.
const maxRemembered = 32

// savedDrafts is the memory, safe for concurrent use. A stale entry is
// harmless (its revision no longer matches), so the last writer wins.
type savedDrafts struct {
	mu sync.Mutex
	m  map[string]*savedDraft
}

func (r *savedDrafts) get(id string) *savedDraft {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.m[id]
}

func (r *savedDrafts) put(id string, d *savedDraft) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if d == nil {
		delete(r.m, id)
		return
	}
	if r.m == nil {
		r.m = map[string]*savedDraft{}
	}
	if _, ok := r.m[id]; !ok && len(r.m) >= maxRemembered {
		for k := range r.m {
			delete(r.m, k)
			break
		}
	}
	r.m[id] = d
}

func (r *savedDrafts) forget(id string) { r.put(id, nil) }

// saveKnown saves values over the remembered row prev without reading it:
// the fields that differ from prev get new clocks, and one UPDATE, guarded
// by prev's revision, writes the row. While a copy is pending (the usual
// case while typing) that statement is the whole transaction; else a copy
// is queued with it. done is false, and nothing was written, when the row
// moved on since prev.
func (s *Store) saveKnown(ctx context.Context, id string, prev *savedDraft, values map[string]any, step int) (done bool, err error) {
	next, changed, err := s.advance(prev, values)
	if err != nil {
		return false, err
	}
	sealed, err := s.sealer.Seal(next.plain.bytes(), draftAD(id))
	if err != nil {
		return false, err
	}
	// Alone, the UPDATE commits by itself; a copy to queue needs a
	// transaction around both.
	var db interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	} = s.db
	var tx *sql.Tx
	if changed && !prev.copyPending {
		if tx, err = s.db.BeginTx(ctx, nil); err != nil {
			return false, storageError("saving a draft", err)
		}
		defer tx.Rollback()
		db = tx
	}
	res, err := db.ExecContext(ctx, `UPDATE drafts SET values_sealed = ?, step = ?, clocks = ?, updated = ?, rev = rev + 1 WHERE id = ? AND rev = ?`,
		sealed, step, string(next.clocks.bytes()), ms(s.now()), id, prev.rev)
	if err != nil {
		return false, storageError("saving a draft", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return false, storageError("saving a draft", err)
	}
	if tx != nil {
		if err := s.queueCopy(ctx, tx, id); err != nil {
			return false, err
		}
		if err := tx.Commit(); err != nil {
			return false, storageError("saving a draft", err)
		}
		next.copyPending = true
	}
	s.saved.put(id, next)
	return true, nil
}

// advance is prev with values saved over it, at the next revision: the
// fields that differ get new clocks (changed reports whether any did).
func (s *Store) advance(prev *savedDraft, values map[string]any) (next *savedDraft, changed bool, err error) {
	n := *prev
	n.rev = prev.rev + 1
	change := func() {
		if !changed {
			n.values, n.plain, n.clocks, changed = maps.Clone(prev.values), prev.plain.clone(), prev.clocks.clone(), true
		}
	}
	for k, v := range values {
		if old, ok := prev.values[k]; ok && sameValue(old, v) {
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, false, &citizen.Error{Code: citizen.EINVALID, Message: "The draft cannot be stored.", Err: err}
		}
		change()
		n.values[k] = copyValue(v)
		n.plain.set(k, b)
		n.clocks.set(k, clockJSON(s.clock.Now()))
	}
	for k := range prev.values {
		if _, ok := values[k]; !ok {
			change()
			delete(n.values, k)
			n.plain.remove(k)
			n.clocks.set(k, clockJSON(s.clock.Now())) // cleared
		}
	}
	return &n, changed, nil
}

// remember makes the memory of a row just written with values and clocks
// at revision rev.
func remember(rev int64, values map[string]any, clocks map[string]string, copyPending bool) (*savedDraft, error) {
	d := &savedDraft{rev: rev, values: make(map[string]any, len(values)), copyPending: copyPending}
	for k, v := range values {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		d.values[k] = copyValue(v)
		d.plain.set(k, b)
	}
	for k, c := range clocks {
		d.clocks.set(k, clockJSON(c))
	}
	return d, nil
}

func clockJSON(c string) []byte {
	b, _ := json.Marshal(c)
	return b
}

// object is a JSON object kept member by member, so that a change to one
// member marshals only that one. Its bytes are json.Marshal's for the same
// map: members sorted by key, keys escaped alike.
type object struct {
	keys    []string          // sorted
	members map[string][]byte // `"key":value`
}

func (o object) clone() object {
	return object{keys: o.keys, members: maps.Clone(o.members)} // keys is replaced, never changed in place
}

func (o *object) set(k string, value []byte) {
	if o.members == nil {
		o.members = map[string][]byte{}
	}
	if _, ok := o.members[k]; !ok {
		i, _ := slices.BinarySearch(o.keys, k)
		o.keys = slices.Insert(slices.Clip(o.keys), i, k)
	}
	kb, _ := json.Marshal(k)
	o.members[k] = append(append(kb, ':'), value...)
}

func (o *object) remove(k string) {
	if _, ok := o.members[k]; !ok {
		return
	}
	delete(o.members, k)
	i, _ := slices.BinarySearch(o.keys, k)
	o.keys = slices.Delete(slices.Clone(o.keys), i, i+1)
}

func (o object) bytes() []byte {
	n := 2
	for _, m := range o.members {
		n += len(m) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, '{')
	for i, k := range o.keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, o.members[k]...)
	}
	return append(b, '}')
}

// sameValue reports whether two values have the same JSON, as comparing
// json.Marshal's results would, without marshalling the usual kinds of a
// form's values.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case nil:
		if b == nil {
			return true
		}
	case string:
		if y, ok := b.(string); ok && (x == y || utf8.ValidString(x) && utf8.ValidString(y)) {
			return x == y // distinct valid strings have distinct JSON; invalid ones may not
		}
	case bool:
		if y, ok := b.(bool); ok {
			return x == y
		}
	case float64:
		if y, ok := b.(float64); ok && (x != y || x != 0) {
			return x == y // 0 and -0 are equal but marshal apart
		}
	case map[string]any:
		if y, ok := b.(map[string]any); ok && (x == nil) == (y == nil) {
			if len(x) != len(y) {
				return false
			}
			for k, xv := range x {
				yv, ok := y[k]
				if !ok || !sameValue(xv, yv) {
					return false
				}
			}
			return true
		}
	case []any:
		if y, ok := b.([]any); ok && (x == nil) == (y == nil) {
			if len(x) != len(y) {
				return false
			}
			for i := range x {
				if !sameValue(x[i], y[i]) {
					return false
				}
			}
			return true
		}
	}
	return sameJSON(a, b)
}

// copyValue returns a copy of v that shares nothing the caller may change:
// maps and slices are copied, other kinds of value go through JSON.
func copyValue(v any) any {
	switch x := v.(type) {
	case nil, string, bool, float64, json.Number:
		return v
	case map[string]any:
		if x == nil {
			return x
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = copyValue(e)
		}
		return out
	case []any:
		if x == nil {
			return x
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = copyValue(e)
		}
		return out
	}
	b, err := json.Marshal(v)
	if err != nil {
		return v // not storable: the save fails before this is kept
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}
