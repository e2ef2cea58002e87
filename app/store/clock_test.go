package store_test

import (
	"context"
	"testing"
	"time"

	"rathaus/api"
)

// TestOpen_ClockResumesPastStoredClocks: the device's time goes back an
// hour across a restart (set by hand, or a phone without network time).
// An edit after the restart still gets a clock later than every clock the
// device stored before it, so it wins over them on every device.
func TestOpen_ClockResumesPastStoredClocks(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// before stores clocks and returns the latest of them.
		before func(t *testing.T, f *fixture) string
	}{
		{name: "an edit made here", before: func(t *testing.T, f *fixture) string {
			d := mustDraft(t, f, map[string]any{})
			if err := f.SaveDraft(ctx, d.ID, map[string]any{"dog_name": "Bello"}, 0); err != nil {
				t.Fatal(err)
			}
			return clockOf(t, f, d.ID, "dog_name")
		}},
		{name: "an edit taken from another device", before: func(t *testing.T, f *fixture) string {
			d := mustDraft(t, f, map[string]any{})
			later := remoteClock(f, 10*time.Minute)
			applyDraft(t, f, 1, api.DraftCopy{ID: d.ID, Service: d.Service, Form: d.Form,
				Fields: map[string]api.DraftField{"city": {Value: raw(t, "Köln"), Clock: later}}})
			if got := clockOf(t, f, d.ID, "city"); got != later {
				t.Fatalf("clock of the field taken = %q, want %q", got, later)
			}
			return later
		}},
		{name: "a deletion made here", before: func(t *testing.T, f *fixture) string {
			d := mustDraft(t, f, map[string]any{})
			if err := f.SaveDraft(ctx, d.ID, map[string]any{"dog_name": "Bello"}, 0); err != nil {
				t.Fatal(err)
			}
			if err := f.DeleteDraft(ctx, d.ID); err != nil {
				t.Fatal(err)
			}
			items := pendingCopies(t, f)
			if len(items) != 1 || tombstone(items[0]) == nil || tombstone(items[0]).Deleted == nil {
				t.Fatalf("pending after the deletion = %+v, want its tombstone", items)
			}
			return tombstone(items[0]).Deleted.Clock
		}},
		{name: "beside clocks that cannot be read", before: func(t *testing.T, f *fixture) string {
			d := mustDraft(t, f, map[string]any{})
			if err := f.SaveDraft(ctx, d.ID, map[string]any{"dog_name": "Bello"}, 0); err != nil {
				t.Fatal(err)
			}
			damaged := mustDraft(t, f, map[string]any{})
			if _, err := f.DB().ExecContext(ctx, `UPDATE drafts SET clocks = '{"a":', synced = '{"a": 9, "b": "9999999999999-99999-x y"}' WHERE id = ?`, damaged.ID); err != nil {
				t.Fatal(err)
			}
			return clockOf(t, f, d.ID, "dog_name")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := MustOpen(t)
			latest := tt.before(t, f)
			f.clock.Advance(-time.Hour)
			f.reopen(t)

			d := mustDraft(t, f, map[string]any{})
			if err := f.SaveDraft(ctx, d.ID, map[string]any{"dog_name": "Rex"}, 0); err != nil {
				t.Fatal(err)
			}
			if got := clockOf(t, f, d.ID, "dog_name"); got <= latest {
				t.Errorf("clock of an edit after the restart = %q, want later than the stored %q", got, latest)
			}
		})
	}
}

func clockOf(t *testing.T, f *fixture, draftID, field string) string {
	t.Helper()
	d, err := f.Draft(context.Background(), draftID)
	if err != nil {
		t.Fatal(err)
	}
	return d.Clocks[field]
}
