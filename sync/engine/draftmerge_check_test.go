package engine_test

// The checks of TestDrafts_DevicesAndBackendAgree once a history settled.

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"rathaus/api"
	"rathaus/api/draftmerge"
	"rathaus/app/citizen"
	"rathaus/server"
)

func (h *history) check() {
	ctx := context.Background()
	want := h.expected()
	had := false
	got, err := h.backend.DB.PutDraft(ctx, h.first, h.draftID, func(stored *api.DraftCopy) (api.DraftCopy, []server.DraftConflict, bool) {
		if stored == nil {
			return api.DraftCopy{}, nil, false
		}
		had = true
		return *stored, nil, false
	})
	if err != nil {
		h.fatalf("reading the backend's copy: %v", err)
	}
	if draftmerge.Deleted(got) != draftmerge.Deleted(want) || !sameFields(got.Fields, want.Fields) {
		h.fatalf("the backend has %s, want %s (deleted %v)", copyString(got), copyString(want), draftmerge.Deleted(want))
	}
	// A draft the backend never had is deleted wherever it was.
	deleted := !had || draftmerge.Deleted(got)

	for _, d := range h.devices {
		dr, err := d.store.Draft(ctx, h.draftID)
		gone := citizen.ErrorCode(err) == citizen.ENOTFOUND
		if err != nil && !gone {
			h.fatalf("%s: draft: %v", d.name, err)
		}
		if gone != deleted {
			h.fatalf("%s has the draft deleted: %v; the backend: %v (%s)", d.name, gone, deleted, copyString(got))
		}
		if gone {
			continue
		}
		fields := map[string]api.DraftField{}
		for k, c := range dr.Clocks {
			f := api.DraftField{Clock: c}
			if v, ok := dr.Values[k]; ok {
				f.Value, _ = json.Marshal(v)
			}
			fields[k] = f
		}
		if !sameFields(fields, got.Fields) {
			h.fatalf("%s has %s, the backend %s", d.name, copyString(api.DraftCopy{Fields: fields}), copyString(got))
		}
		if c, ok, _ := d.store.DraftCopy(ctx, h.draftID); ok {
			h.fatalf("%s still has %s to send", d.name, copyString(c))
		}
	}
	if deleted {
		h.seen.EndedDeleted++
	} else if got.Deleted != nil {
		h.seen.EndedRevived++
	}
	h.checkConflicts(got)
}

// expected is what the backend must make of every copy sent to it: per
// field the latest, nothing written before the latest deletion.
func (h *history) expected() api.DraftCopy {
	c := api.DraftCopy{ID: h.draftID, Fields: map[string]api.DraftField{}}
	for _, in := range h.sent {
		for k, f := range in.Fields {
			if cur, ok := c.Fields[k]; !ok || f.Clock > cur.Clock {
				c.Fields[k] = f
			}
		}
		if in.Deleted != nil && (c.Deleted == nil || in.Deleted.Clock > c.Deleted.Clock) {
			c.Deleted = &api.DraftField{Clock: in.Deleted.Clock}
		}
	}
	if c.Deleted != nil {
		for k, f := range c.Fields {
			if f.Clock <= c.Deleted.Clock {
				delete(c.Fields, k)
			}
		}
	}
	return c
}

func (h *history) checkConflicts(final api.DraftCopy) {
	ctx := context.Background()
	type kept struct{ field, clock string }
	onBackend := map[kept]bool{}
	rows, err := openReadOnly(h.t, h.backend.DBPath).QueryContext(ctx,
		`SELECT field, clock, device, winner FROM draft_conflicts WHERE draft_id = ?`, h.draftID)
	if err != nil {
		h.fatalf("backend conflicts: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		var field, clock, device, winner string
		if err := rows.Scan(&field, &clock, &device, &winner); err != nil {
			h.fatalf("backend conflicts: %v", err)
		}
		if draftmerge.Device(winner) == device {
			h.fatalf("the backend kept %s@%s, which its own device replaced (%s)", field, clock, winner)
		}
		onBackend[kept{field, clock}] = true
		h.seen.KeptOnBackend++
	}
	if err := rows.Err(); err != nil {
		h.fatalf("backend conflicts: %v", err)
	}

	// The last value of each field on each device.
	last := map[kept]write{}
	for _, w := range h.writes {
		key := kept{w.device, w.field}
		if cur, ok := last[key]; !ok || w.clock > cur.clock {
			last[key] = w
		}
	}
	for _, w := range last {
		win, ok := final.Fields[w.field]
		deleted := final.Deleted != nil && w.clock <= final.Deleted.Clock
		if w.value == "" || deleted || !ok || win.Clock == w.clock || draftmerge.Device(win.Clock) == w.device {
			continue
		}
		h.seen.LossesChecked++
		if onBackend[kept{w.field, w.clock}] {
			continue
		}
		var d *mergeDevice
		for _, x := range h.devices {
			if x.store.InstallID() == w.device {
				d = x
			}
		}
		conflicts, err := d.store.Conflicts(ctx, h.draftID)
		if err != nil {
			h.fatalf("%s: conflicts: %v", d.name, err)
		}
		if !slices.ContainsFunc(conflicts, func(c citizen.Conflict) bool { return c.Field == w.field && c.Clock == w.clock }) {
			h.fatalf("%s's %s = %q @%s lost to %s@%s and is kept neither on the backend nor on %s",
				d.name, w.field, w.value, w.clock, win.Value, win.Clock, d.name)
		}
	}
}

// sameFields compares fields by clock and JSON value.
func sameFields(a, b map[string]api.DraftField) bool {
	if len(a) != len(b) {
		return false
	}
	for k, f := range a {
		g, ok := b[k]
		if !ok || f.Clock != g.Clock || !draftmerge.Equal(f.Value, g.Value) {
			return false
		}
	}
	return true
}

// copyString is a copy in a line: fields sorted, a deletion as "deleted@".
func copyString(c api.DraftCopy) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(c.Fields)) {
		f := c.Fields[k]
		v := string(f.Value)
		if v == "" {
			v = "cleared"
		}
		parts = append(parts, fmt.Sprintf("%s=%s@%s", k, v, shortClock(f.Clock)))
	}
	if c.Deleted != nil {
		parts = append(parts, "deleted@"+shortClock(c.Deleted.Clock))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// shortClock leaves out the leading digits of the wall time, which are the
// same throughout a history.
func shortClock(c string) string {
	if len(c) > 20 {
		return c[8:19] + c[19:min(len(c), 26)]
	}
	return c
}
