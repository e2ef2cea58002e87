package store_test

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/store"
	"rathaus/assets/demotest"
)

// SaveDraft remembers what it wrote and, while the row's revision is
// unchanged, writes over it without reading it. These tests change the
// row behind its back in every way the app does, and check that the next
// save still stamps exactly the fields that differ from the row, and
// queues a copy whenever none is pending.

// openSecond opens another store on the fixture's file, as another
// process would; closed when the test ends.
func openSecond(t *testing.T, f *fixture) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), f.path, f.keys, store.WithClock(f.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSaveDraft_AfterAnotherWriter(t *testing.T) {
	ctx := context.Background()
	// Another device's change: later than this device's so far, earlier
	// than its next (the fixture's time moves on by a second before the
	// screen saves; a second store on the file does not see this one's
	// clock, as a second process would not).
	laterClock := func(f *fixture) string {
		return api.HLC{Wall: f.clock.Now().Add(500 * time.Millisecond).UnixMilli(), Device: "other-device"}.String()
	}
	tests := []struct {
		name string
		// other changes the draft after the screen saved it twice.
		other     func(t *testing.T, f *fixture, d *citizen.Draft)
		screen    map[string]any // what the screen saves next
		wantErr   string
		restamped []string // the fields that differ from the row then: they get new clocks
		wantCopy  []string // the fields of the copy then due
	}{
		{
			name: "the changes feed took a field from another device",
			other: func(t *testing.T, f *fixture, d *citizen.Draft) {
				c := laterClock(f)
				remote := api.DraftCopy{ID: d.ID, Service: d.Service, Form: d.Form,
					Fields: map[string]api.DraftField{"city": {Value: raw(t, "Bonn"), Clock: c}}}
				if _, err := f.ApplyChanges(ctx, []api.Change{{Seq: 1, Kind: api.ChangeDraft, Draft: &remote}}, "1"); err != nil {
					t.Fatal(err)
				}
			},
			screen:    map[string]any{"dog_name": "Bella", "city": "Bonn"}, // reloaded with the feed's value
			restamped: []string{"dog_name"},
			wantCopy:  []string{"dog_name"},
		},
		{
			name: "the copy was acknowledged",
			other: func(t *testing.T, f *fixture, d *citizen.Draft) {
				sent, ok, err := f.DraftCopy(ctx, d.ID)
				if err != nil || !ok {
					t.Fatalf("DraftCopy = %v, %v", ok, err)
				}
				if err := f.AckDraftCopy(ctx, pendingCopies(t, f)[0].ID, sent, sent); err != nil {
					t.Fatal(err)
				}
				if n := len(pendingCopies(t, f)); n != 0 {
					t.Fatalf("pending copies after the ack = %d, want 0", n)
				}
			},
			screen:    map[string]any{"dog_name": "Bella", "city": "Musterstadt"},
			restamped: []string{"dog_name"},
			wantCopy:  []string{"dog_name"},
		},
		{
			name: "the copy failed for good",
			other: func(t *testing.T, f *fixture, d *citizen.Draft) {
				if err := f.Fail(ctx, pendingCopies(t, f)[0].ID, "EINVALID", "refused"); err != nil {
					t.Fatal(err)
				}
			},
			screen:    map[string]any{"dog_name": "Bella", "city": "Musterstadt"},
			restamped: []string{"dog_name"},
			wantCopy:  []string{"city", "dog_name"},
		},
		{
			name: "another process saved it",
			other: func(t *testing.T, f *fixture, d *citizen.Draft) {
				s := openSecond(t, f)
				if err := s.SaveDraft(ctx, d.ID, map[string]any{"dog_name": "Bello", "city": "Bonn"}, 0); err != nil {
					t.Fatal(err)
				}
			},
			screen:    map[string]any{"dog_name": "Bello", "city": "Musterstadt"}, // not reloaded: Musterstadt is new to the row
			restamped: []string{"city"},
			wantCopy:  []string{"city", "dog_name"},
		},
		{
			name: "deleted elsewhere and brought back by another device",
			other: func(t *testing.T, f *fixture, d *citizen.Draft) {
				s := openSecond(t, f)
				if err := s.DeleteDraft(ctx, d.ID); err != nil {
					t.Fatal(err)
				}
				c := laterClock(f)
				back := api.DraftCopy{ID: d.ID, Service: d.Service, Form: d.Form,
					Fields: map[string]api.DraftField{"city": {Value: raw(t, "Bonn"), Clock: c}}}
				if _, err := s.ApplyChanges(ctx, []api.Change{{Seq: 1, Kind: api.ChangeDraft, Draft: &back}}, "1"); err != nil {
					t.Fatal(err)
				}
				if got, err := s.Draft(ctx, d.ID); err != nil || got.Values["city"] != "Bonn" || len(got.Values) != 1 {
					t.Fatalf("draft brought back = %+v, %v; want only city Bonn", got, err)
				}
			},
			screen:    map[string]any{"dog_name": "Bello", "city": "Bonn"}, // dog_name is new to the row brought back
			restamped: []string{"dog_name"},
			wantCopy:  []string{"dog_name"},
		},
		{
			// The revisions of the two rows would meet here if a row
			// brought back started where the first one did.
			name: "deleted, brought back and saved twice by another process",
			other: func(t *testing.T, f *fixture, d *citizen.Draft) {
				s := openSecond(t, f)
				if err := s.DeleteDraft(ctx, d.ID); err != nil {
					t.Fatal(err)
				}
				back := api.DraftCopy{ID: d.ID, Service: d.Service, Form: d.Form,
					Fields: map[string]api.DraftField{"city": {Value: raw(t, "Bonn"), Clock: laterClock(f)}}}
				if _, err := s.ApplyChanges(ctx, []api.Change{{Seq: 1, Kind: api.ChangeDraft, Draft: &back}}, "1"); err != nil {
					t.Fatal(err)
				}
				for _, v := range []map[string]any{{"city": "Bonn", "dog_name": "Re"}, {"city": "Bonn", "dog_name": "Rex"}} {
					if err := s.SaveDraft(ctx, d.ID, v, 0); err != nil {
						t.Fatal(err)
					}
				}
			},
			screen:    map[string]any{"dog_name": "Bello", "city": "Musterstadt"}, // not reloaded
			restamped: []string{"city", "dog_name"},
			wantCopy:  []string{"city", "dog_name"},
		},
		{
			name: "its pending copy was removed",
			other: func(t *testing.T, f *fixture, d *citizen.Draft) {
				// No writer does this today; the revision still covers it.
				if _, err := f.DB().Exec(`DELETE FROM outbox WHERE draft_id = ? AND state = 'pending'`, d.ID); err != nil {
					t.Fatal(err)
				}
			},
			screen:    map[string]any{"dog_name": "Bella", "city": "Musterstadt"},
			restamped: []string{"dog_name"},
			wantCopy:  []string{"city", "dog_name"},
		},
		{
			name: "submitted",
			other: func(t *testing.T, f *fixture, d *citizen.Draft) {
				if _, err := f.Submit(ctx, d.ID, nil); err != nil {
					t.Fatal(err)
				}
			},
			screen:  map[string]any{"dog_name": "Bella", "city": "Musterstadt"},
			wantErr: citizen.ECONFLICT,
		},
		{
			name: "deleted by another process",
			other: func(t *testing.T, f *fixture, d *citizen.Draft) {
				if err := openSecond(t, f).DeleteDraft(ctx, d.ID); err != nil {
					t.Fatal(err)
				}
			},
			screen:  map[string]any{"dog_name": "Bella", "city": "Musterstadt"},
			wantErr: citizen.ENOTFOUND,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := MustOpen(t)
			d := mustDraft(t, f, map[string]any{})
			// The screen's first save reads the row; the second writes
			// over what the store remembers.
			for _, v := range []map[string]any{
				{"dog_name": "Bel", "city": "Musterstadt"},
				{"dog_name": "Bello", "city": "Musterstadt"},
			} {
				if err := f.SaveDraft(ctx, d.ID, v, 0); err != nil {
					t.Fatal(err)
				}
			}
			tt.other(t, f, d)
			row, _ := f.Draft(ctx, d.ID) // what the row holds now
			f.clock.Advance(time.Second)

			err := f.SaveDraft(ctx, d.ID, tt.screen, 1)
			if tt.wantErr != "" {
				wantCode(t, err, tt.wantErr)
				if got, err := f.Draft(ctx, d.ID); err == nil && got.Values["dog_name"] == "Bella" {
					t.Errorf("the refused save was stored: %v", got.Values)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.Draft(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Values["dog_name"] != tt.screen["dog_name"] || got.Values["city"] != tt.screen["city"] || got.Step != 1 {
				t.Errorf("stored %v step %d, want %v step 1", got.Values, got.Step, tt.screen)
			}
			for _, k := range []string{"city", "dog_name"} {
				want := slices.Contains(tt.restamped, k)
				if stamped := got.Clocks[k] != row.Clocks[k]; stamped != want {
					t.Errorf("%s's clock %q, the row's %q: new %v, want %v", k, got.Clocks[k], row.Clocks[k], stamped, want)
				}
				if want && !(got.Clocks[k] > row.Clocks[k]) {
					t.Errorf("%s's new clock %q is not later than the row's %q", k, got.Clocks[k], row.Clocks[k])
				}
			}
			if n := len(pendingCopies(t, f)); n != 1 {
				t.Errorf("pending copies = %d, want 1", n)
			}
			c, _, err := f.DraftCopy(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if fields := slices.Sorted(maps.Keys(c.Fields)); !slices.Equal(fields, tt.wantCopy) {
				t.Errorf("copy due carries %v, want %v", fields, tt.wantCopy)
			}
		})
	}
}

// TestSaveDraft_AfterReopen: a reopened store remembers nothing and reads
// the row first; the clocks go on from what was stored.
func TestSaveDraft_AfterReopen(t *testing.T) {
	ctx := context.Background()
	f := MustOpen(t)
	d := mustDraft(t, f, map[string]any{})
	f.SaveDraft(ctx, d.ID, map[string]any{"dog_name": "Bel", "city": "Musterstadt"}, 0)
	if err := f.SaveDraft(ctx, d.ID, map[string]any{"dog_name": "Bello", "city": "Musterstadt"}, 1); err != nil {
		t.Fatal(err)
	}
	before, _ := f.Draft(ctx, d.ID)
	f.reopen(t)
	for i, name := range []string{"Bella", "Bello"} { // the first reads the row, the second does not
		if err := f.SaveDraft(ctx, d.ID, map[string]any{"dog_name": name, "city": "Musterstadt"}, 2); err != nil {
			t.Fatal(err)
		}
		got, _ := f.Draft(ctx, d.ID)
		if got.Values["dog_name"] != name || got.Step != 2 {
			t.Errorf("save %d after reopen: stored %v step %d", i, got.Values, got.Step)
		}
		if got.Clocks["city"] != before.Clocks["city"] || !(got.Clocks["dog_name"] > before.Clocks["dog_name"]) {
			t.Errorf("save %d after reopen: clocks %v, before %v; want only dog_name later", i, got.Clocks, before.Clocks)
		}
		before = got
	}
	if n := len(pendingCopies(t, f)); n != 1 {
		t.Errorf("pending copies = %d, want 1", n)
	}
}

// TestSaveDraft_ConcurrentSaves: two goroutines save one draft (each its
// own field, the other's set back to "x") while a third sends its copies
// as the engine does. Every commit, in the order they happened, stamped
// exactly the fields it changed from the one before; and in the end a
// copy is pending whenever a field is not yet synced.
func TestSaveDraft_ConcurrentSaves(t *testing.T) {
	ctx := context.Background()
	f := MustOpen(t)
	d := mustDraft(t, f, map[string]any{"a": "x", "b": "x"})
	// Test-only log of every commit that changed the values, in order.
	if _, err := f.DB().Exec(`CREATE TABLE save_log (id INTEGER PRIMARY KEY, old_step INTEGER, new_step INTEGER, old_clocks TEXT, new_clocks TEXT);
		CREATE TRIGGER log_saves AFTER UPDATE OF values_sealed ON drafts WHEN NEW.values_sealed <> OLD.values_sealed
		BEGIN INSERT INTO save_log (old_step, new_step, old_clocks, new_clocks) VALUES (OLD.step, NEW.step, OLD.clocks, NEW.clocks); END`); err != nil {
		t.Fatal(err)
	}
	n := 200
	if testing.Short() {
		n = 40
	}
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for g, field := range []string{"a", "b"} {
		wg.Go(func() {
			for i := range n {
				v := map[string]any{"a": "x", "b": "x"}
				v[field] = field + strconv.Itoa(i)
				if err := f.SaveDraft(ctx, d.ID, v, g+1); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	stop := make(chan struct{})
	var sender sync.WaitGroup
	sender.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			items, err := f.DueOutbox(ctx, f.clock.Now(), true)
			if err != nil {
				errs <- err
				return
			}
			for _, it := range items {
				sent, ok, err := f.DraftCopy(ctx, d.ID)
				if err == nil && !ok {
					err = f.AckDraftCopy(ctx, it.ID, api.DraftCopy{ID: d.ID}, api.DraftCopy{ID: d.ID})
				} else if err == nil {
					err = f.AckDraftCopy(ctx, it.ID, sent, sent)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}
	})
	wg.Wait()
	close(stop)
	sender.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	rows, err := f.DB().Query(`SELECT old_step, new_step, old_clocks, new_clocks FROM save_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	// Goroutine 1 saves with step 1 and changes a; goroutine 2 step 2, b.
	// After the other's save, both differ.
	own := map[int]string{1: "a", 2: "b"}
	commits := 0
	for rows.Next() {
		var from, to int
		var oldJSON, newJSON string
		if err := rows.Scan(&from, &to, &oldJSON, &newJSON); err != nil {
			t.Fatal(err)
		}
		commits++
		oldC, newC := clocksOf(t, oldJSON), clocksOf(t, newJSON)
		want := map[string]bool{own[to]: true}
		if from != to && from != 0 {
			want[own[from]] = true
		}
		for _, k := range []string{"a", "b"} {
			if stamped := newC[k] != oldC[k]; stamped != want[k] {
				t.Errorf("commit %d (step %d after %d): %s stamped %v, want %v", commits, to, from, k, stamped, want[k])
			}
			if newC[k] < oldC[k] {
				t.Errorf("commit %d: %s's clock went back: %q -> %q", commits, k, oldC[k], newC[k])
			}
		}
	}
	if commits != 2*n {
		t.Errorf("commits that changed the values = %d, want %d", commits, 2*n)
	}
	got, _ := f.Draft(ctx, d.ID)
	unsynced := false
	for k, c := range got.Clocks {
		unsynced = unsynced || got.Synced[k] != c
	}
	if pending := len(pendingCopies(t, f)); unsynced != (pending == 1) || pending > 1 {
		t.Errorf("fields not yet synced: %v; pending copies %d", unsynced, pending)
	}
}

// TestSaveDraft_AKeystrokeWritesOnePage: on the largest demo form a
// keystroke writes one page to the WAL: the draft's row fits one page
// (values sealed and the clocks of its fields) and nothing else is
// written while a copy is pending.
func TestSaveDraft_AKeystrokeWritesOnePage(t *testing.T) {
	ctx := context.Background()
	f := MustOpen(t)
	form := demotest.Form(t, "anmeldung-wohnung")
	d := citizen.NewDraft(api.Service{ID: form.Def.ID, Form: api.FormRef{ID: form.Def.ID, Version: form.Def.Version}}, f.clock.Now())
	values := demotest.Example(t, "anmeldung-wohnung")
	d.Values = values
	if err := f.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	// Opened and changed once: the copy for the other devices is queued.
	values["email"] = "anna@example.org"
	if err := f.SaveDraft(ctx, d.ID, values, 0); err != nil {
		t.Fatal(err)
	}
	var pageSize int64
	if err := f.DB().QueryRow(`PRAGMA page_size`).Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	if _, err := f.DB().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	const keystrokes = 20
	for i := range keystrokes {
		values["landlord_name"] = "Wohnungsbau Musterstadt GmbH"[:i+1]
		if err := f.SaveDraft(ctx, d.ID, values, 2); err != nil {
			t.Fatal(err)
		}
	}
	st, err := os.Stat(f.path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	const walHeader, frameHeader = 32, 24
	if frames := (st.Size() - walHeader) / (pageSize + frameHeader); frames != keystrokes {
		t.Errorf("WAL frames after %d keystrokes = %d, want one each", keystrokes, frames)
	}
}

func clocksOf(t *testing.T, s string) map[string]string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSaveDraft_TheScreenChangesItsMapInPlace: the form screen keeps one
// map of values and changes it in place, nested fields too; each change
// is still a change.
func TestSaveDraft_TheScreenChangesItsMapInPlace(t *testing.T) {
	ctx := context.Background()
	f := MustOpen(t)
	values := map[string]any{"person": map[string]any{"name": "Erika", "kids": []any{"Jan"}}, "city": "Musterstadt"}
	d := mustDraft(t, f, values)
	steps := []struct {
		name   string
		change func()
	}{
		{"a nested field", func() { values["person"].(map[string]any)["name"] = "Erik" }},
		{"an item of a nested list", func() { values["person"].(map[string]any)["kids"].([]any)[0] = "Jana" }},
		{"a nested field again", func() { values["person"].(map[string]any)["name"] = "Erika" }},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			before, _ := f.Draft(ctx, d.ID)
			f.clock.Advance(time.Second)
			st.change()
			if err := f.SaveDraft(ctx, d.ID, values, 0); err != nil {
				t.Fatal(err)
			}
			got, _ := f.Draft(ctx, d.ID)
			if g, _ := json.Marshal(got.Values); string(g) != string(mustJSON(t, values)) {
				t.Errorf("stored %s, want %s", g, mustJSON(t, values))
			}
			if !(got.Clocks["person"] > before.Clocks["person"]) || got.Clocks["city"] != before.Clocks["city"] {
				t.Errorf("clocks %v after %v: want only person later", got.Clocks, before.Clocks)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSaveDraft_DiskFullWhileTyping: a save that the disk refuses while
// the store writes without reading keeps the last save, and the next save
// once there is room again stores everything the screen holds.
func TestSaveDraft_DiskFullWhileTyping(t *testing.T) {
	ctx := context.Background()
	f := MustOpen(t)
	d := mustDraft(t, f, map[string]any{"note": "first"})
	for _, v := range []string{"firs", "first"} {
		if err := f.SaveDraft(ctx, d.ID, map[string]any{"note": v}, 0); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := f.Draft(ctx, d.ID)
	// One connection, capped at its current size, as in
	// TestSaveDraft_DiskFullKeepsLastSave.
	f.DB().SetMaxOpenConns(1)
	var pages int
	f.DB().QueryRow(`PRAGMA page_count`).Scan(&pages)
	if _, err := f.DB().Exec(`PRAGMA max_page_count = ` + strconv.Itoa(pages)); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 1<<20)
	wantCode(t, f.SaveDraft(ctx, d.ID, map[string]any{"note": big}, 0), citizen.ESTORAGE)
	if got, err := f.Draft(ctx, d.ID); err != nil || got.Values["note"] != "first" || got.Clocks["note"] != before.Clocks["note"] {
		t.Fatalf("draft after the refused save = %v %v, %v; want the last save", got.Values, got.Clocks, err)
	}
	if _, err := f.DB().Exec(`PRAGMA max_page_count = 1073741823`); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveDraft(ctx, d.ID, map[string]any{"note": big}, 0); err != nil {
		t.Fatal(err)
	}
	got, _ := f.Draft(ctx, d.ID)
	if got.Values["note"] != big || !(got.Clocks["note"] > before.Clocks["note"]) {
		t.Errorf("after room was made: note of %d bytes, clock %q (before %q); want the big one, later", len(got.Values["note"].(string)), got.Clocks["note"], before.Clocks["note"])
	}
}
