// Package draftmerge is the one merge of draft copies (api.DraftCopy) that
// the backend and the app both use, so that every device of an account and
// the backend end with the same draft whatever order the copies arrive in,
// however often, and whoever merges them.
//
// The rules, and why:
//
//   - Per top-level field the later clock (api.HLC, compared as strings)
//     wins. A field is the unit of a change, so two devices editing
//     different fields both keep their edits.
//   - Equal clock strings are the same change (the clock names its
//     device), so a repeat changes nothing and is no conflict. Should equal
//     clocks ever carry different values (a device whose wall clock was set
//     back across a restart), the greater value in canonical JSON wins
//     everywhere and the other is kept, since nothing says which came last.
//   - A cleared field is a change like any other: a clock without a value.
//   - A deletion (Deleted) is a clock for the whole draft; the latest one
//     is kept. It removes every field not written after it: the citizen
//     threw the draft away, and what was written before goes with it,
//     whichever device wrote it. A field written after it revives the
//     draft with that field alone (a fresh start, not the old draft). The
//     draft is deleted while it has a deletion and no field written after
//     it.
//   - A value that loses is worth keeping for the citizen (a conflict) when
//     it is a value (a cleared field loses nothing), differs from the
//     winner as JSON, and another device made the winner: a device
//     replacing its own value is editing. A value removed by a deletion is
//     no conflict: the deletion was the citizen's choice about the whole
//     draft, and a deleted draft has nowhere to show it.
//   - Service and form follow the copy with the latest change.
//
// Merging is commutative, associative and idempotent on fields and
// deletion, which is what lets copies arrive late, twice, or crossed.
package draftmerge

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"

	"rathaus/api"
)

// Loss is a losing value worth keeping for the citizen.
type Loss struct {
	Field string
	// Lost is the value that lost, with its clock.
	Lost api.DraftField
	// Winner is the clock of the value that won.
	Winner string
	// Incoming: the value came with the copy merged in; otherwise it was
	// the receiver's own and was replaced.
	Incoming bool
}

// Device is the device that made the losing value.
func (l Loss) Device() string { return Device(l.Lost.Clock) }

// Result is the outcome of a Merge.
type Result struct {
	// Copy is the merged copy: ID and Device are the receiver's.
	Copy api.DraftCopy
	// Taken are the fields whose value or clock now comes from the copy
	// merged in, sorted.
	Taken []string
	// Removed are the receiver's fields the deletion removed, sorted.
	Removed []string
	// Lost are the losing values worth keeping, of either side.
	Lost []Loss
	// Changed: Copy differs from the receiver's copy.
	Changed bool
}

// Merge merges the copy in into cur, the receiver's copy (the backend's
// stored copy, or a device's draft), by the rules in the package doc.
// Neither argument is modified.
func Merge(cur, in api.DraftCopy) Result {
	out := cur
	out.Fields = make(map[string]api.DraftField, len(cur.Fields)+len(in.Fields))
	var r Result
	out.Deleted = cur.Deleted
	if in.Deleted != nil && (cur.Deleted == nil || in.Deleted.Clock > cur.Deleted.Clock) {
		out.Deleted = in.Deleted
		r.Changed = true
	}
	if out.Deleted != nil {
		out.Deleted = &api.DraftField{Clock: out.Deleted.Clock}
	}
	// written reports whether a field survives the deletion.
	written := func(f api.DraftField) bool { return out.Deleted == nil || f.Clock > out.Deleted.Clock }

	keys := slices.Sorted(maps.Keys(cur.Fields))
	for k := range in.Fields {
		if _, ok := cur.Fields[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		c, mine := cur.Fields[k]
		f, theirs := in.Fields[k]
		win, taken := c, false
		switch {
		case !theirs:
		case !mine:
			win, taken = f, true
		case Wins(f, c):
			win, taken = f, true
			if written(c) && Keep(c, f) {
				r.Lost = append(r.Lost, Loss{Field: k, Lost: c, Winner: f.Clock})
			}
		case Wins(c, f):
			if written(f) && Keep(f, c) {
				r.Lost = append(r.Lost, Loss{Field: k, Lost: f, Winner: c.Clock, Incoming: true})
			}
		}
		switch {
		case !written(win):
			if mine {
				r.Removed = append(r.Removed, k)
			}
		case taken:
			out.Fields[k] = win
			r.Taken = append(r.Taken, k)
		default:
			out.Fields[k] = c
		}
	}

	newer := Latest(in) > Latest(cur)
	if in.Service != "" && (cur.Service == "" || newer) && in.Service != cur.Service {
		out.Service = in.Service
		r.Changed = true
	}
	if in.Form.ID != "" && (cur.Form.ID == "" || newer) && in.Form != cur.Form {
		out.Form = in.Form
		r.Changed = true
	}
	r.Copy = out
	r.Changed = r.Changed || len(r.Taken) > 0 || len(r.Removed) > 0
	return r
}

// Wins reports whether field value a wins over b: a later clock, or, for
// equal clocks, a greater value in canonical JSON (no value is least).
func Wins(a, b api.DraftField) bool {
	if a.Clock != b.Clock {
		return a.Clock > b.Clock
	}
	if bytes.Equal(a.Value, b.Value) {
		return false // a repeat: the common case, and no need to decode
	}
	return bytes.Compare(canonical(a.Value), canonical(b.Value)) > 0
}

// Keep reports whether loser, losing against winner, is a conflict worth
// keeping for the citizen: a value, not equal to the winner's as JSON, and
// the winner made by another device (or both made at the same clock).
func Keep(loser, winner api.DraftField) bool {
	if !present(loser.Value) || Equal(loser.Value, winner.Value) {
		return false
	}
	return loser.Clock == winner.Clock || Device(loser.Clock) != Device(winner.Clock)
}

// Deleted reports whether a copy stands for a deleted draft: it has a
// deletion and no field written after it.
func Deleted(c api.DraftCopy) bool {
	if c.Deleted == nil {
		return false
	}
	for _, f := range c.Fields {
		if f.Clock > c.Deleted.Clock {
			return false
		}
	}
	return true
}

// Latest is the latest clock of a copy's fields and deletion ("" for
// none).
func Latest(c api.DraftCopy) string {
	latest := ""
	for _, f := range c.Fields {
		latest = max(latest, f.Clock)
	}
	if c.Deleted != nil {
		latest = max(latest, c.Deleted.Clock)
	}
	return latest
}

// Equal reports whether two field values are the same JSON value (object
// keys in any order, numbers by value); no value and JSON null are equal.
func Equal(a, b json.RawMessage) bool {
	return bytes.Equal(canonical(a), canonical(b))
}

// Device is the device part of a clock, "" when it cannot be read.
func Device(clock string) string {
	c, err := api.ParseHLC(clock)
	if err != nil {
		return ""
	}
	return c.Device
}

func present(v json.RawMessage) bool {
	return len(canonical(v)) > 0
}

// canonical is v re-encoded with sorted keys and numbers as float64, the
// way the app keeps values (nil for no value or null); v itself when it is
// not JSON, so that such values still compare by their bytes.
func canonical(v json.RawMessage) []byte {
	if len(v) == 0 {
		return nil
	}
	var x any
	if err := json.Unmarshal(v, &x); err != nil {
		return v
	}
	if x == nil {
		return nil
	}
	b, err := json.Marshal(x)
	if err != nil {
		return v
	}
	return b
}
