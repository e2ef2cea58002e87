package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
)

func pendingCopies(t *testing.T, f *fixture) []*citizen.OutboxItem {
	t.Helper()
	items, err := f.DueOutbox(context.Background(), f.clock.Now().Add(time.Hour), true)
	if err != nil {
		t.Fatal(err)
	}
	var out []*citizen.OutboxItem
	for _, it := range items {
		if it.Kind == citizen.OutboxDraft {
			out = append(out, it)
		}
	}
	return out
}

// tombstone is a draft copy item's tombstone (nil for a copy of changes).
func tombstone(it *citizen.OutboxItem) *api.DraftCopy {
	if p, ok := it.Payload.(*citizen.DraftCopyPayload); ok {
		return p.Tombstone
	}
	return nil
}

func raw(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSaveDraft_StampsChangedFieldsAndQueuesOneCopy(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	d := mustDraft(t, f, map[string]any{})
	if err := f.SaveDraft(ctx, d.ID, map[string]any{"dog_name": "Bello", "city": "Musterstadt"}, 0); err != nil {
		t.Fatal(err)
	}
	first, _ := f.Draft(ctx, d.ID)
	if err := f.SaveDraft(ctx, d.ID, map[string]any{"dog_name": "Bello", "city": "Köln"}, 0); err != nil {
		t.Fatal(err)
	}
	got, _ := f.Draft(ctx, d.ID)
	if got.Clocks["dog_name"] != first.Clocks["dog_name"] {
		t.Errorf("unchanged dog_name got a new clock: %q -> %q", first.Clocks["dog_name"], got.Clocks["dog_name"])
	}
	if !(got.Clocks["city"] > first.Clocks["city"]) {
		t.Errorf("changed city kept its clock: %q -> %q", first.Clocks["city"], got.Clocks["city"])
	}
	if n := len(pendingCopies(t, f)); n != 1 {
		t.Errorf("pending draft copies after two saves = %d, want 1", n)
	}
	// A copy of the submission kind is not shown as on its way.
	if items, _ := f.Outbox(ctx); len(items) != 0 {
		t.Errorf("Outbox lists %d items for a draft that was never submitted", len(items))
	}
}

func TestDraftCopy_SendsOnlyWhatTheBackendLacks(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	d := mustDraft(t, f, map[string]any{})
	f.SaveDraft(ctx, d.ID, map[string]any{"dog_name": "Bello", "city": "Musterstadt"}, 0)
	sent, ok, err := f.DraftCopy(ctx, d.ID)
	if err != nil || !ok || len(sent.Fields) != 2 || string(sent.Fields["dog_name"].Value) != `"Bello"` {
		t.Fatalf("first copy = %+v, %v, %v; want both fields", sent, ok, err)
	}
	// The citizen types while the copy is on its way.
	f.SaveDraft(ctx, d.ID, map[string]any{"dog_name": "Bello", "city": "Köln"}, 0)
	item := pendingCopies(t, f)[0]
	if err := f.AckDraftCopy(ctx, item.ID, sent, sent); err != nil {
		t.Fatal(err)
	}
	if n := len(pendingCopies(t, f)); n != 1 {
		t.Fatalf("pending copies after an ack with a newer edit = %d, want 1 (still pending)", n)
	}
	next, ok, _ := f.DraftCopy(ctx, d.ID)
	if !ok || len(next.Fields) != 1 || string(next.Fields["city"].Value) != `"Köln"` {
		t.Errorf("second copy = %+v, want only the city edited meanwhile", next)
	}
	if err := f.AckDraftCopy(ctx, item.ID, next, next); err != nil {
		t.Fatal(err)
	}
	if n := len(pendingCopies(t, f)); n != 0 {
		t.Errorf("pending copies after everything was acknowledged = %d, want 0", n)
	}
	if _, ok, _ := f.DraftCopy(ctx, d.ID); ok {
		t.Error("DraftCopy has something to send after everything was acknowledged")
	}
	// Clearing a field travels as a clock without a value.
	f.SaveDraft(ctx, d.ID, map[string]any{"dog_name": "Bello"}, 0)
	c, _, _ := f.DraftCopy(ctx, d.ID)
	if fl, ok := c.Fields["city"]; !ok || len(fl.Value) != 0 || fl.Clock == "" {
		t.Errorf("cleared field in the copy = %+v, want a clock without value", c.Fields)
	}
}

func TestApplyChanges_LaterClockWinsAndLoserIsKept(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	d := mustDraft(t, f, map[string]any{})
	f.SaveDraft(ctx, d.ID, map[string]any{"dog_name": "Bello", "city": "Musterstadt"}, 0)
	local, _ := f.Draft(ctx, d.ID)

	later := api.HLC{Wall: f.clock.Now().Add(time.Minute).UnixMilli(), Device: "other-device"}.String()
	earlier := api.HLC{Wall: f.clock.Now().Add(-time.Hour).UnixMilli(), Device: "other-device"}.String()
	remote := api.DraftCopy{ID: d.ID, Service: d.Service, Form: d.Form, Fields: map[string]api.DraftField{
		"dog_name": {Value: raw(t, "Rex"), Clock: later},      // wins
		"city":     {Value: raw(t, "Bonn"), Clock: earlier},   // loses against the local value
		"breed":    {Value: raw(t, "Dackel"), Clock: earlier}, // new field
	}}
	if _, err := f.ApplyChanges(ctx, []api.Change{{Seq: 1, Kind: api.ChangeDraft, Draft: &remote}}, "1"); err != nil {
		t.Fatal(err)
	}
	got, _ := f.Draft(ctx, d.ID)
	if got.Values["dog_name"] != "Rex" || got.Values["city"] != "Musterstadt" || got.Values["breed"] != "Dackel" {
		t.Errorf("values after merge = %v, want Rex (later), Musterstadt (local later), Dackel (new)", got.Values)
	}
	conflicts, err := f.Conflicts(ctx, d.ID)
	if err != nil || len(conflicts) != 1 || conflicts[0].Field != "dog_name" || conflicts[0].Value != "Bello" || conflicts[0].Clock != local.Clocks["dog_name"] {
		t.Errorf("conflicts = %+v, %v; want the overwritten local dog_name Bello", conflicts, err)
	}
	if cur, _ := f.SyncValue(ctx, "changes_cursor"); cur != "1" {
		t.Errorf("cursor = %q, want 1", cur)
	}
	// Applying the same page again changes nothing.
	if _, err := f.ApplyChanges(ctx, []api.Change{{Seq: 1, Kind: api.ChangeDraft, Draft: &remote}}, "1"); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.Conflicts(ctx, d.ID); len(c) != 1 {
		t.Errorf("conflicts after applying the page twice = %d, want 1", len(c))
	}
	// The fields that came from the backend are not sent back to it.
	c, _, _ := f.DraftCopy(ctx, d.ID)
	if _, echoed := c.Fields["dog_name"]; echoed {
		t.Errorf("copy echoes a field the backend sent: %+v", c.Fields)
	}
	if err := f.MarkConflictsSeen(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.Conflicts(ctx, d.ID); !c[0].Seen {
		t.Error("conflict not marked seen")
	}
}

func TestApplyChanges_NewDraftAndTombstones(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	clock := api.HLC{Wall: f.clock.Now().UnixMilli(), Device: "other"}.String()
	remote := api.DraftCopy{ID: "0123456789abcdef0123456789abcdef", Service: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 1},
		Fields: map[string]api.DraftField{"dog_name": {Value: raw(t, "Bello"), Clock: clock}}}
	if _, err := f.ApplyChanges(ctx, []api.Change{{Seq: 5, Kind: api.ChangeDraft, Draft: &remote}}, "5"); err != nil {
		t.Fatal(err)
	}
	got, err := f.Draft(ctx, remote.ID)
	if err != nil || got.Values["dog_name"] != "Bello" || got.State != citizen.DraftEditing {
		t.Fatalf("draft from another device = %+v, %v", got, err)
	}
	if _, ok, _ := f.DraftCopy(ctx, remote.ID); ok {
		t.Error("a draft that came from the backend is sent back")
	}

	older := api.DraftCopy{ID: remote.ID, Deleted: &api.DraftField{Clock: api.HLC{Wall: f.clock.Now().Add(-time.Hour).UnixMilli(), Device: "other"}.String()}}
	f.ApplyChanges(ctx, []api.Change{{Seq: 6, Kind: api.ChangeDraft, Draft: &older}}, "6")
	if _, err := f.Draft(ctx, remote.ID); err != nil {
		t.Errorf("an older deletion removed the draft: %v", err)
	}
	newer := api.DraftCopy{ID: remote.ID, Deleted: &api.DraftField{Clock: api.HLC{Wall: f.clock.Now().Add(time.Hour).UnixMilli(), Device: "other"}.String()}}
	f.ApplyChanges(ctx, []api.Change{{Seq: 7, Kind: api.ChangeDraft, Draft: &newer}}, "7")
	_, err = f.Draft(ctx, remote.ID)
	wantCode(t, err, citizen.ENOTFOUND)
}

// TestDeleteDraft_TombstoneWhenTheBackendMayHaveIt: a draft that never
// changed was never sent, so its deletion stays here. One whose copy was
// queued may be on the backend although no answer came (it was lost), so
// its deletion goes out too. (It used to go only once an answer had come:
// the property test TestDrafts_DevicesAndBackendAgree in sync/engine found
// a deletion after a lost answer that never reached the other devices.)
func TestDeleteDraft_TombstoneWhenTheBackendMayHaveIt(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	untouched := mustDraft(t, f, map[string]any{})
	if err := f.DeleteDraft(ctx, untouched.ID); err != nil {
		t.Fatal(err)
	}
	if n := len(pendingCopies(t, f)); n != 0 {
		t.Errorf("pending copies after deleting a draft that never changed = %d, want 0", n)
	}

	unanswered := mustDraft(t, f, map[string]any{})
	f.SaveDraft(ctx, unanswered.ID, map[string]any{"dog_name": "Bello"}, 0)
	if err := f.DeleteDraft(ctx, unanswered.ID); err != nil {
		t.Fatal(err)
	}
	items := pendingCopies(t, f)
	if len(items) != 1 || tombstone(items[0]) == nil || items[0].DraftID != unanswered.ID {
		t.Fatalf("pending after deleting a draft whose copy got no answer = %+v, want one tombstone", items)
	}
	if err := f.AckDraftCopy(ctx, items[0].ID, *tombstone(items[0]), *tombstone(items[0])); err != nil {
		t.Fatal(err)
	}

	synced := mustDraft(t, f, map[string]any{})
	f.SaveDraft(ctx, synced.ID, map[string]any{"dog_name": "Bello"}, 0)
	sent, _, _ := f.DraftCopy(ctx, synced.ID)
	f.AckDraftCopy(ctx, pendingCopies(t, f)[0].ID, sent, sent)
	if err := f.DeleteDraft(ctx, synced.ID); err != nil {
		t.Fatal(err)
	}
	items = pendingCopies(t, f)
	if len(items) != 1 || tombstone(items[0]) == nil || tombstone(items[0]).Deleted == nil || items[0].DraftID != synced.ID {
		t.Fatalf("pending after deleting a synced draft = %+v, want one tombstone", items)
	}
	if err := f.AckDraftCopy(ctx, items[0].ID, *tombstone(items[0]), *tombstone(items[0])); err != nil {
		t.Fatal(err)
	}
	if n := len(pendingCopies(t, f)); n != 0 {
		t.Errorf("pending after the tombstone was acknowledged = %d, want 0", n)
	}
}

func TestApplyChanges_CaseTimeline(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	d := mustDraft(t, f, map[string]any{"a": "b"})
	it, _ := f.Submit(ctx, d.ID, nil)
	created := f.clock.Now()
	c := api.Case{ID: "c_1", Number: "2026-000001", Service: "hundesteuer", Form: d.Form, Status: api.StatusReceived, Created: created,
		History: []api.CaseEvent{{Status: api.StatusReceived, At: created}}}
	if err := f.Acknowledge(ctx, it.ID, c); err != nil {
		t.Fatal(err)
	}
	c.Status = api.StatusInReview
	c.History = append(c.History, api.CaseEvent{Status: api.StatusInReview, At: created.Add(time.Hour), Note: api.Text{"de": "Wir prüfen.", "en": "We are checking."}})
	other := api.Case{ID: "c_2", Number: "2026-000002", Service: "sperrmuell", Form: api.FormRef{ID: "sperrmuell", Version: 1}, Status: api.StatusReceived, Created: created}
	page := []api.Change{{Seq: 3, Kind: api.ChangeCase, Case: &c}, {Seq: 4, Kind: api.ChangeCase, Case: &other}}
	if applied, err := f.ApplyChanges(ctx, page, "4"); err != nil || !applied.Cases {
		t.Fatalf("a new status and a new case = %+v, %v; want cases reported changed", applied, err)
	}
	// The same page again (fetched twice) changes nothing.
	if applied, err := f.ApplyChanges(ctx, page, "4"); err != nil || applied.Cases {
		t.Errorf("the same page again = %+v, %v; want no case changed", applied, err)
	}
	cases, _ := f.Cases(ctx)
	if len(cases) != 2 {
		t.Fatalf("cases = %d, want 2 (one from another device)", len(cases))
	}
	for _, got := range cases {
		if got.ID == "c_1" && (got.Status != api.StatusInReview || len(got.History) != 2 || got.DraftID != d.ID || got.History[1].Note["de"] != "Wir prüfen.") {
			t.Errorf("case c_1 = %+v, want in review with two events and its draft", got)
		}
	}
	applied, err := f.ApplyChanges(ctx, []api.Change{{Seq: 9, Kind: api.ChangeCatalog, Catalog: `"e2"`}}, "9")
	if err != nil || !applied.Catalog || applied.Cases || applied.Drafts {
		t.Errorf("catalog change = %+v, %v; want the catalog reported, nothing else", applied, err)
	}
}

// TestAcknowledge_AfterNewerStatusKeepsIt: the feed brought the case with a
// later status before the submission's own answer (sent when the case was
// made) was recorded; the older answer links the draft but does not turn
// the status back.
func TestAcknowledge_AfterNewerStatusKeepsIt(t *testing.T) {
	f := MustOpen(t)
	ctx := context.Background()
	d := mustDraft(t, f, map[string]any{"a": "b"})
	it, _ := f.Submit(ctx, d.ID, nil)
	created := f.clock.Now()
	answer := api.Case{ID: "c_1", Number: "2026-000001", Service: "hundesteuer", Form: d.Form, Status: api.StatusReceived, Created: created,
		History: []api.CaseEvent{{Status: api.StatusReceived, At: created}}}
	newer := answer
	newer.Status = api.StatusInReview
	newer.History = append(append([]api.CaseEvent{}, answer.History...), api.CaseEvent{Status: api.StatusInReview, At: created.Add(time.Minute)})
	if _, err := f.ApplyChanges(ctx, []api.Change{{Seq: 1, Kind: api.ChangeCase, Case: &newer}}, "1"); err != nil {
		t.Fatal(err)
	}
	if err := f.Acknowledge(ctx, it.ID, answer); err != nil {
		t.Fatal(err)
	}
	cases, _ := f.Cases(ctx)
	if len(cases) != 1 || cases[0].Status != api.StatusInReview || len(cases[0].History) != 2 || cases[0].DraftID != d.ID {
		t.Errorf("cases = %+v, want c_1 in review with two events, linked to its draft", cases)
	}
	got, _ := f.Draft(ctx, d.ID)
	if got.State != citizen.DraftSent || got.CaseNumber != answer.Number {
		t.Errorf("draft = %s %q, want sent with %s", got.State, got.CaseNumber, answer.Number)
	}
}
