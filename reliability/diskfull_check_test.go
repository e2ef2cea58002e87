package reliability

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/app/citizen"
	"rathaus/app/fill"
	"rathaus/app/fill/filltest"
	"rathaus/app/store"
	"rathaus/assets/demotest"
	"rathaus/server/loadtest"
	"rathaus/server/servertest"
)

// TestDiskFull's parts: drafts and forms as the screens make them, and
// what it holds the app to.

// newFormState starts a draft of a service and opens its form's state, as
// the service screen's "Start" and the form screen do, saving by clock.
func newFormState(t *testing.T, st *store.Store, cat api.Catalog, service string, clock *filltest.Clock) *fill.State {
	t.Helper()
	ctx := t.Context()
	for _, s := range cat.Services {
		if s.ID != service {
			continue
		}
		d := citizen.NewDraft(s, time.Now())
		if err := st.CreateDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
		body, err := st.Form(ctx, d.Form)
		if err != nil {
			t.Fatal(err)
		}
		f, err := formschema.Parse(body)
		if err != nil {
			t.Fatal(err)
		}
		return fill.New(f, d, "de", st, fill.WithClock(clock))
	}
	t.Fatalf("no service %s", service)
	return nil
}

// enterExample enters the form's demo example, a file as the file field
// attaches it (and saves at once), and leaves the step (and saves).
func enterExample(t *testing.T, st *store.Store, state *fill.State) {
	t.Helper()
	for _, l := range exampleLeaves(state.Form(), demotest.Example(t, state.Form().Def.ID)) {
		if l.repeat != "" {
			for state.Items(l.repeat) <= l.item {
				state.AddItem(l.repeat)
			}
		}
		v := l.value
		if l.widget == api.WidgetFile || l.widget == api.WidgetPhoto {
			ex, _ := l.value.(map[string]any)
			name, _ := ex["name"].(string)
			mediaType, _ := ex["type"].(string)
			att, err := st.AddAttachment(t.Context(), state.Draft().ID, name, mediaType, []byte(strings.Repeat("photo bytes ", 6000)))
			if err != nil {
				t.Fatal(err)
			}
			v = fill.ToValue(att)
			state.Set(l.pointer, v)
			if err := state.Flush(); err != nil {
				t.Fatal(err)
			}
			continue
		}
		state.Set(l.pointer, v)
	}
	if err := state.Flush(); err != nil {
		t.Fatal(err)
	}
}

// typedDraft is a draft the citizen types into, one text field.
type typedDraft struct {
	state   *fill.State
	clock   *filltest.Clock // the one its state saves by
	pointer string
	typed   string // what the field holds on the screen
	saved   string // what the store was last told
}

// keystroke appends s to the field, as the field's OnChanged does, and
// the citizen pauses: the form saves. It returns the save's error.
func (d *typedDraft) keystroke(t *testing.T, s string) error {
	t.Helper()
	d.typed += s
	d.state.Set(d.pointer, d.typed)
	d.clock.Advance(fill.DefaultQuiet)
	return d.state.SaveStatus().Err
}

// checkKept: the form shows everything typed; the store holds what it
// acknowledged last, and the draft's other values.
func (d *typedDraft) checkKept(t *testing.T, st *store.Store) {
	t.Helper()
	if v, _ := d.state.Value(d.pointer); v != d.typed {
		t.Errorf("the form shows %q, the citizen typed %q", v, d.typed)
	}
	got, err := st.Draft(t.Context(), d.state.Draft().ID)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := formschema.Get(got.Values, d.pointer); v != d.saved {
		t.Errorf("the store holds %.40q..., the last save acknowledged %.40q...", v, d.saved)
	}
	for k, v := range d.state.Values() {
		if "/"+k == d.pointer {
			continue
		}
		if fmt.Sprint(got.Values[k]) != fmt.Sprint(v) {
			t.Errorf("field %s: the store holds %v, the form %v", k, got.Values[k], v)
		}
	}
}

// checkFullMessage: the error of a save on a full disk is ESTORAGE, with
// the message the form shows ("Not saved: ...") in English and German.
func checkFullMessage(t *testing.T, err error) {
	t.Helper()
	if citizen.ErrorCode(err) != citizen.ESTORAGE || citizen.ErrorMessage(err) != storageFull {
		t.Fatalf("a save on a full disk: code %s, message %q (%v); want %s, %q",
			citizen.ErrorCode(err), citizen.ErrorMessage(err), err, citizen.ESTORAGE, storageFull)
	}
	en, de := translations(t)
	if en[storageFull] != storageFull {
		t.Errorf("English: %q", en[storageFull])
	}
	if de[storageFull] == "" || de[storageFull] == storageFull || !strings.Contains(de[storageFull], "Speicher") {
		t.Errorf("German: %q", de[storageFull])
	}
	if en["Not saved: {{.Error}}"] == "" || de["Not saved: {{.Error}}"] == "" {
		t.Errorf("the form's line for a failed save is not translated")
	}
}

// checkOutboxIntact: every submission is still pending, or done with its
// draft sent; none refused, parked or gone.
func checkOutboxIntact(t *testing.T, st *store.Store, drafts []string) {
	t.Helper()
	items := submissionItems(t, st)
	for _, id := range drafts {
		its := items[id]
		if len(its) != 1 {
			t.Errorf("draft %s has %d submissions", id, len(its))
			continue
		}
		d, err := st.Draft(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case its[0].state == citizen.OutboxPending.String() && d.State == citizen.DraftQueued:
		case its[0].state == citizen.OutboxDone.String() && d.State == citizen.DraftSent:
		default:
			t.Errorf("draft %s is %v, its submission %s (%s)", id, d.State, its[0].state, its[0].lastError)
		}
	}
	var attempts int
	if err := st.DB().QueryRowContext(t.Context(), "SELECT coalesce(sum(attempts), 0) FROM outbox").Scan(&attempts); err != nil {
		t.Fatal(err)
	}
	if attempts != 0 {
		t.Errorf("a full disk counted %d failed attempts against the outbox's items", attempts)
	}
}

// checkDelivered: every submission is done, its draft sent, and the
// backend holds exactly one case for each, the one the app recorded.
func checkDelivered(t *testing.T, st *store.Store, b *servertest.Backend, drafts []string) {
	t.Helper()
	ctx := t.Context()
	items := submissionItems(t, st)
	cases, err := st.Cases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	caseOf := map[string]string{}
	for _, c := range cases {
		caseOf[c.DraftID] = c.ID
	}
	device, err := st.SyncValue(ctx, store.KeyDeviceID)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := loadtest.OpenIndex(b.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	snap, err := idx.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Cases != len(drafts) || len(snap.Keys) != len(drafts) || snap.Orphans != 0 {
		t.Errorf("the backend has %d cases under %d keys (%d without one) for %d submissions", snap.Cases, len(snap.Keys), snap.Orphans, len(drafts))
	}
	for _, id := range drafts {
		its := items[id]
		if len(its) != 1 || its[0].state != citizen.OutboxDone.String() {
			t.Errorf("draft %s: submissions %+v", id, its)
			continue
		}
		if got := snap.Keys[loadtest.ScopedKey{Scope: device, Key: its[0].key}]; got == "" || got != caseOf[id] {
			t.Errorf("draft %s: the backend's case %q, the app's %q", id, got, caseOf[id])
		}
	}
}
