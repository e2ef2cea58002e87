package store_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
)

// The app merges draft copies by the rules of api/draftmerge, like the
// backend. These tests pin the rules where the app's merge used to differ
// from the backend's, and the deletions it now remembers.

// remoteClock is a clock of device "other" at the fixture's time plus d.
func remoteClock(f *fixture, d time.Duration) string {
	return api.HLC{Wall: f.clock.Now().Add(d).UnixMilli(), Device: "other"}.String()
}

func applyDraft(t *testing.T, f *fixture, seq int, c api.DraftCopy) {
	t.Helper()
	cursor := strconv.Itoa(seq)
	if _, err := f.ApplyChanges(context.Background(), []api.Change{{Seq: int64(seq), Kind: api.ChangeDraft, Draft: &c}}, cursor); err != nil {
		t.Fatal(err)
	}
}

// TestApplyChanges_DeletionRemovesWhatWasWrittenBeforeIt: a deletion
// older than some local fields keeps the draft, but without the fields
// written before it. (The app used to ignore such a deletion and keep
// every field, while the backend removed them: the devices and the
// backend disagreed.)
func TestApplyChanges_DeletionRemovesWhatWasWrittenBeforeIt(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	d := mustDraft(t, f, map[string]any{})
	f.SaveDraft(ctx, d.ID, map[string]any{"dog_name": "Bello"}, 0)
	deletedAt := remoteClock(f, time.Second)
	f.clock.Advance(2 * time.Second)
	f.SaveDraft(ctx, d.ID, map[string]any{"dog_name": "Bello", "city": "Köln"}, 0)

	applyDraft(t, f, 1, api.DraftCopy{ID: d.ID, Deleted: &api.DraftField{Clock: deletedAt}})
	got, err := f.Draft(ctx, d.ID)
	if err != nil {
		t.Fatalf("the draft with a field written after the deletion is gone: %v", err)
	}
	if _, ok := got.Values["dog_name"]; ok || got.Values["city"] != "Köln" {
		t.Errorf("values = %v, want only city (written after the deletion)", got.Values)
	}
	if _, ok := got.Clocks["dog_name"]; ok {
		t.Errorf("clocks = %v, want none for the removed field", got.Clocks)
	}
	if c, _ := f.Conflicts(ctx, d.ID); len(c) != 0 {
		t.Errorf("conflicts = %+v, want none: a deletion keeps nothing it removes", c)
	}
}

// TestApplyChanges_ADeviceReplacingItsOwnValueIsNoConflict: a value that
// came from another device and is replaced by that device's later value
// is just edited there. (The app used to keep every replaced value; the
// backend kept only values replaced by another device's.)
func TestApplyChanges_ADeviceReplacingItsOwnValueIsNoConflict(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	d := mustDraft(t, f, map[string]any{})
	first := api.DraftCopy{ID: d.ID, Service: d.Service, Form: d.Form,
		Fields: map[string]api.DraftField{"dog_name": {Value: raw(t, "Bello"), Clock: remoteClock(f, time.Second)}}}
	applyDraft(t, f, 1, first)
	second := first
	second.Fields = map[string]api.DraftField{"dog_name": {Value: raw(t, "Rex"), Clock: remoteClock(f, 2*time.Second)}}
	applyDraft(t, f, 2, second)

	got, _ := f.Draft(ctx, d.ID)
	if got.Values["dog_name"] != "Rex" {
		t.Errorf("dog_name = %v, want the later Rex", got.Values["dog_name"])
	}
	if c, _ := f.Conflicts(ctx, d.ID); len(c) != 0 {
		t.Errorf("conflicts = %+v, want none", c)
	}
}

// TestApplyChanges_AnOlderCopyAfterTheDeletionDoesNotBringItBack: the feed
// and the answer to a sent copy cross, so a copy from before a deletion
// may arrive after it.
func TestApplyChanges_AnOlderCopyAfterTheDeletionDoesNotBringItBack(t *testing.T) {
	ctx := context.Background()
	id := "0123456789abcdef0123456789abcdef"
	f := MustOpen(t) // for the clocks only: each case has a store of its own
	older := api.DraftCopy{ID: id, Service: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 1},
		Fields: map[string]api.DraftField{"dog_name": {Value: raw(t, "Bello"), Clock: remoteClock(f, time.Second)}}}
	deleted := api.DraftCopy{ID: id, Deleted: &api.DraftField{Clock: remoteClock(f, 2*time.Second)}}
	revived := api.DraftCopy{ID: id, Service: "hundesteuer", Form: older.Form, Deleted: deleted.Deleted,
		Fields: map[string]api.DraftField{"city": {Value: raw(t, "Köln"), Clock: remoteClock(f, 3*time.Second)}}}

	tests := []struct {
		name   string
		copies []api.DraftCopy
		want   map[string]any // nil: deleted
	}{
		{"deleted before the draft came", []api.DraftCopy{deleted, older}, nil},
		{"deleted after it came", []api.DraftCopy{older, deleted, older}, nil},
		{"revived, then the older copy", []api.DraftCopy{older, revived, older}, map[string]any{"city": "Köln"}},
		{"the older copy into the revived draft", []api.DraftCopy{revived, older}, map[string]any{"city": "Köln"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := MustOpen(t)
			for j, c := range tt.copies {
				applyDraft(t, f, j+1, c)
			}
			got, err := f.Draft(ctx, id)
			if tt.want == nil {
				wantCode(t, err, citizen.ENOTFOUND)
				return
			}
			if err != nil || len(got.Values) != len(tt.want) || got.Values["city"] != tt.want["city"] {
				t.Errorf("draft = %+v, %v; want values %v", got, err, tt.want)
			}
		})
	}
}

// TestDeleteDraft_TheFeedDoesNotBringBackWhatWasDeletedHere: a copy from
// before the deletion, arriving while the deletion is on its way, does
// not bring the draft back; one written after it does, with that field
// alone.
func TestDeleteDraft_TheFeedDoesNotBringBackWhatWasDeletedHere(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	d := mustDraft(t, f, map[string]any{})
	f.SaveDraft(ctx, d.ID, map[string]any{"dog_name": "Bello"}, 0)
	before := api.DraftCopy{ID: d.ID, Service: d.Service, Form: d.Form,
		Fields: map[string]api.DraftField{"city": {Value: raw(t, "Bonn"), Clock: remoteClock(f, -time.Minute)}}}
	if err := f.DeleteDraft(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	applyDraft(t, f, 1, before)
	_, err := f.Draft(ctx, d.ID)
	wantCode(t, err, citizen.ENOTFOUND)

	after := before
	after.Fields = map[string]api.DraftField{"breed": {Value: raw(t, "Dackel"), Clock: remoteClock(f, time.Minute)}}
	after.Fields["city"] = before.Fields["city"]
	applyDraft(t, f, 2, after)
	got, err := f.Draft(ctx, d.ID)
	if err != nil || len(got.Values) != 1 || got.Values["breed"] != "Dackel" {
		t.Errorf("draft = %+v, %v; want revived with the breed alone", got, err)
	}
}

// TestAckDraftCopy_ADeletionThatArrivedIsDoneWhileTheRevivedDraftGoesOn:
// the citizen deleted the draft, another device's later edit revived it
// here before the deletion went out, and the citizen edited it. When the
// deletion's answer comes, the edits go in a copy of their own. (The
// deletion's item used to stay pending and send only the deletion, again
// and again.)
func TestAckDraftCopy_ADeletionThatArrivedIsDoneWhileTheRevivedDraftGoesOn(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	d := mustDraft(t, f, map[string]any{})
	f.SaveDraft(ctx, d.ID, map[string]any{"dog_name": "Bello"}, 0)
	sent, _, _ := f.DraftCopy(ctx, d.ID)
	f.AckDraftCopy(ctx, pendingCopies(t, f)[0].ID, sent, sent)
	if err := f.DeleteDraft(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	revival := api.DraftCopy{ID: d.ID, Service: d.Service, Form: d.Form,
		Fields: map[string]api.DraftField{"city": {Value: raw(t, "Köln"), Clock: remoteClock(f, time.Minute)}}}
	applyDraft(t, f, 1, revival)
	f.clock.Advance(2 * time.Minute)
	if err := f.SaveDraft(ctx, d.ID, map[string]any{"city": "Köln", "breed": "Dackel"}, 0); err != nil {
		t.Fatal(err)
	}

	items := pendingCopies(t, f)
	if len(items) != 1 || tombstone(items[0]) == nil {
		t.Fatalf("pending = %+v, want the deletion", items)
	}
	tomb := *tombstone(items[0])
	merged := revival
	merged.Deleted = tomb.Deleted
	if err := f.AckDraftCopy(ctx, items[0].ID, tomb, merged); err != nil {
		t.Fatal(err)
	}
	items = pendingCopies(t, f)
	if len(items) != 1 || tombstone(items[0]) != nil {
		t.Fatalf("pending after the deletion's answer = %+v, want one copy of the edits", items)
	}
	c, ok, err := f.DraftCopy(ctx, d.ID)
	if err != nil || !ok || len(c.Fields) != 1 || string(c.Fields["breed"].Value) != `"Dackel"` {
		t.Errorf("next copy = %+v, %v, %v; want the breed written after the revival", c, ok, err)
	}
}

// TestAckDraftCopy_AnAnswerThatDeletesLeavesNothingToSend: the backend's
// answer carries another device's later deletion; the draft goes, and
// with it every copy it had to send.
func TestAckDraftCopy_AnAnswerThatDeletesLeavesNothingToSend(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	d := mustDraft(t, f, map[string]any{})
	f.SaveDraft(ctx, d.ID, map[string]any{"dog_name": "Bello"}, 0)
	sent, _, _ := f.DraftCopy(ctx, d.ID)
	f.SaveDraft(ctx, d.ID, map[string]any{"dog_name": "Bello", "city": "Köln"}, 0) // typed while the copy was on its way
	merged := api.DraftCopy{ID: d.ID, Fields: map[string]api.DraftField{}, Deleted: &api.DraftField{Clock: remoteClock(f, time.Minute)}}
	if err := f.AckDraftCopy(ctx, pendingCopies(t, f)[0].ID, sent, merged); err != nil {
		t.Fatal(err)
	}
	_, err := f.Draft(ctx, d.ID)
	wantCode(t, err, citizen.ENOTFOUND)
	if items := pendingCopies(t, f); len(items) != 0 {
		t.Errorf("pending after the draft was deleted = %+v, want none", items)
	}
}
