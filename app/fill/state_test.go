package fill_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/app/citizen"
	"rathaus/app/fill"
	"rathaus/app/fill/filltest"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/assets/demotest"
)

// rig is a real store file with one draft of a demo form in it, and a
// clock that moves when the test says.
type rig struct {
	store *store.Store
	form  *formschema.Form
	draft *citizen.Draft
	clock *filltest.Clock
}

func newRig(t testing.TB, formID string, values map[string]any) *rig {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "app.db"), secrets.OpenMemory("rathaus-fill-test"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r := &rig{store: st, form: demotest.Form(t, formID), clock: filltest.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))}
	svc := api.Service{ID: formID, Form: api.FormRef{ID: formID, Version: r.form.Def.Version}}
	r.draft = citizen.NewDraft(svc, r.clock.Now())
	r.draft.Values = values
	if err := st.CreateDraft(ctx, r.draft); err != nil {
		t.Fatal(err)
	}
	return r
}

// open starts filling in the rig's draft in lng, saving into its store by
// its clock (and through saver instead, if one is given).
func (r *rig) open(lng string, saver ...fill.Saver) *fill.State {
	var sv fill.Saver = r.store
	if len(saver) > 0 {
		sv = saver[0]
	}
	return fill.New(r.form, r.draft, lng, sv, fill.WithClock(r.clock))
}

func (r *rig) stored(t *testing.T) *citizen.Draft {
	t.Helper()
	d, err := r.store.Draft(context.Background(), r.draft.ID)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestNextStopsOnTheFirstError: "next" on an empty step stays, marks the
// step's errors and names the first field in form order for the screen to
// open at; once the values are right it goes on, saving the step.
func TestNextStopsOnTheFirstError(t *testing.T) {
	r := newRig(t, "hundesteuer", nil)
	s := r.open("de")
	if s.Step() != 0 || !s.First() || s.Focus() != "" {
		t.Fatalf("new state: step %d, first %v, focus %q; want step 0 at the top", s.Step(), s.First(), s.Focus())
	}
	if got := s.Message("/given_name"); got != "" {
		t.Errorf("message before anything was touched = %q, want none", got)
	}
	if s.Next() {
		t.Fatal("next on an empty step moved on")
	}
	if got, want := s.Focus(), "/given_name"; got != want {
		t.Errorf("focus after a refused next = %q, want %q (the step's first field)", got, want)
	}
	if got := s.Message("/postcode"); got != "Bitte füllen Sie dieses Feld aus." {
		t.Errorf("postcode message = %q, want the German required message", got)
	}
	values := demotest.Example(t, "hundesteuer")
	for _, p := range s.StepPointers(0) {
		v, _ := formschema.Get(values, p)
		s.Set(p, v)
	}
	s.Set("/postcode", "123")
	if got, want := s.Focus(), "/postcode"; got != want {
		t.Errorf("focus with only the postcode wrong = %q, want %q", got, want)
	}
	if s.Next() {
		t.Fatal("next with a wrong postcode moved on")
	}
	s.Set("/postcode", fill.Parse(api.WidgetPostcode, " 51147 "))
	if !s.Next() || s.Step() != 1 || s.Focus() != "" {
		t.Fatalf("next with good values: step %d, focus %q; want step 1 at the top", s.Step(), s.Focus())
	}
	if d := r.stored(t); d.Step != 1 || d.Values["postcode"] != "51147" {
		t.Errorf("stored draft: step %d, postcode %v; want step 1 and 51147", d.Step, d.Values["postcode"])
	}
	if st := s.SaveStatus(); st.Saved.IsZero() || st.Pending || st.Err != nil {
		t.Errorf("SaveStatus() = %+v; want a time, nothing pending and no error", st)
	}
	if !s.Back() || s.Step() != 0 || s.Back() {
		t.Errorf("back: step %d; want step 0 and no further back", s.Step())
	}
}

// TestStepsShownAndPosition: a step shown only under a condition counts
// only when it holds; the summary is the last position.
func TestStepsShownAndPosition(t *testing.T) {
	values := demotest.Example(t, "anmeldung-wohnung")
	r := newRig(t, "anmeldung-wohnung", values)
	s := r.open("en")
	abroad := demotest.Step(t, r.form, "ausland")
	_, withAbroad := s.Position()
	s.Set("/previous_residence", "germany")
	s.Set("/previous_address", map[string]any{"street": "Bergstraße 3", "postcode": "69117", "city": "Heidelberg"})
	_, withoutAbroad := s.Position()
	if withAbroad != withoutAbroad+1 {
		t.Errorf("positions: %d steps with the abroad step, %d without; want one fewer", withAbroad, withoutAbroad)
	}
	s.GoTo(demotest.Step(t, r.form, "bisher"))
	if !s.Next() {
		t.Fatalf("next from the previous home: focus %q %q", s.Focus(), s.Message(s.Focus()))
	}
	if s.Step() == abroad {
		t.Error("the abroad step is shown after moving from Germany")
	}
	for !s.OnSummary() {
		if !s.Next() {
			t.Fatalf("step %d: %s: %s", s.Step(), s.Focus(), s.Message(s.Focus()))
		}
	}
	if k, n := s.Position(); k != n {
		t.Errorf("position on the summary = %d of %d, want the last", k, n)
	}
	if _, sent := s.Payload()["abroad_address"]; sent {
		t.Error("the payload carries the hidden step's address")
	}
	if _, kept := s.Values()["abroad_address"]; !kept {
		t.Error("the values lost the hidden step's address; the draft keeps it")
	}
	for _, e := range s.Summary() {
		if strings.HasPrefix(e.Pointer, "/abroad_address") {
			t.Errorf("the summary shows %s of a hidden step", e.Pointer)
		}
	}
}

// TestServerErrorsAndCheckAll: the town hall's error shows on its field
// until the field changes, and a step holding one opens at it; CheckAll
// goes to the first step with an error.
func TestServerErrorsAndCheckAll(t *testing.T) {
	values := demotest.Example(t, "hundesteuer")
	values["kept_since"] = "2026-02-31"
	r := newRig(t, "hundesteuer", values)
	r.draft.State = citizen.DraftRejected
	r.draft.Problem = &api.Problem{Status: 422, Errors: []api.FieldError{{Pointer: "/city", Code: "enum",
		Message: api.Text{"de": "Nur für Musterstadt.", "en": "Only for Musterstadt."}}}}
	s := r.open("en")
	if !s.Rejected() || s.Focus() != "/city" || s.Message("/city") != "Only for Musterstadt." {
		t.Fatalf("rejected draft: rejected %v, focus %q, city %q; want the town hall's message as focus", s.Rejected(), s.Focus(), s.Message("/city"))
	}
	s.Set("/city", "Musterstadt")
	if s.Message("/city") != "" {
		t.Errorf("city message after a change = %q, want none", s.Message("/city"))
	}
	s.GoTo(len(r.form.Def.Steps))
	if s.CheckAll() {
		t.Fatal("CheckAll passed a date that does not exist")
	}
	if got, want := s.Step(), demotest.Step(t, r.form, "hund"); got != want {
		t.Errorf("step after CheckAll = %d, want %d (the dog's)", got, want)
	}
	if got, want := s.Focus(), "/kept_since"; got != want {
		t.Errorf("focus = %q, want %q", got, want)
	}
	if got := s.Message("/kept_since"); !strings.Contains(got, "does not exist") {
		t.Errorf("date message = %q, want that the day does not exist", got)
	}
}

// TestRepeatItems: items come and go; the marks of a removed item's fields
// go with it.
func TestRepeatItems(t *testing.T) {
	r := newRig(t, "anmeldung-wohnung", map[string]any{"household": true})
	s := r.open("en")
	s.GoTo(demotest.Step(t, r.form, "haushalt"))
	s.AddItem("/members")
	s.AddItem("/members")
	if n := s.Items("/members"); n != 2 {
		t.Fatalf("items = %d, want 2", n)
	}
	s.Set("/members/1/family_name", "Kowalski")
	if s.Next() {
		t.Fatal("next with an empty member moved on")
	}
	if got := s.Focus(); !strings.HasPrefix(got, "/members/0/") {
		t.Errorf("focus = %q, want a field of the first member", got)
	}
	ps := s.StepPointers(s.Step())
	if !slices.Contains(ps, "/members/1/family_name") {
		t.Errorf("step pointers %v lack the second member's name", ps)
	}
	s.RemoveItem("/members", 0)
	got, _ := s.Value("/members")
	if l, _ := got.([]any); len(l) != 1 || l[0].(map[string]any)["family_name"] != "Kowalski" {
		t.Errorf("members after removing the first = %v, want only Kowalski", got)
	}
	if m := s.Message("/members/0/family_name"); m != "" {
		t.Errorf("the moved-up item's name shows %q, want no mark left from the removed item", m)
	}
}

// TestSaveFailureKeepsValues: when the store cannot save, the State says
// so and keeps the values for the next save.
func TestSaveFailureKeepsValues(t *testing.T) {
	r := newRig(t, "hundesteuer", nil)
	s := r.open("en")
	r.store.Close()
	s.Set("/given_name", "Erika")
	if err := s.Flush(); err == nil {
		t.Fatal("Flush() into a closed store = nil error")
	}
	if st := s.SaveStatus(); st.Err == nil || !st.Pending {
		t.Fatalf("SaveStatus() after a failed save = %+v, want the error and the change pending", st)
	}
	if v, _ := s.Value("/given_name"); v != "Erika" {
		t.Errorf("value after a failed save = %v, want Erika", v)
	}
}

func TestParseAndFormat(t *testing.T) {
	tests := []struct {
		name   string
		widget api.Widget
		typed  string
		value  any
		shown  map[string]string // by language, when shown again
	}{
		{"empty", api.WidgetText, "  ", nil, nil},
		{"text kept as typed", api.WidgetText, " Bello ", " Bello ", nil},
		{"integer", api.WidgetInteger, "3", int64(3), map[string]string{"de": "3"}},
		{"integer as words stays text", api.WidgetInteger, "drei", "drei", nil},
		{"decimal German", api.WidgetDecimal, "1.234,5", 1234.5, map[string]string{"de": "1234,5", "en": "1234.5"}},
		{"decimal English", api.WidgetDecimal, "1,234.5", 1234.5, nil},
		{"money", api.WidgetMoney, "12,5 €", 12.5, map[string]string{"de": "12,50", "en": "12.50"}},
		{"IBAN lower case with spaces", api.WidgetIBAN, "de89 3704 0044 0532 0130 00", "DE89370400440532013000",
			map[string]string{"de": "DE89 3704 0044 0532 0130 00"}},
		{"date German", api.WidgetDate, "31.12.2026", "2026-12-31", map[string]string{"de": "31.12.2026", "en": "31/12/2026"}},
		{"date British", api.WidgetDate, "31/12/2026", "2026-12-31", nil},
		{"date short", api.WidgetDate, "1.2.2026", "2026-02-01", nil},
		{"date as stored", api.WidgetDate, "2026-12-31", "2026-12-31", nil},
		{"date that does not exist", api.WidgetDate, "31.02.2026", "31.02.2026", map[string]string{"de": "31.02.2026", "en": "31.02.2026"}},
		{"date half typed", api.WidgetDate, "31.12.20", "31.12.20", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fill.Parse(tt.widget, tt.typed)
			if got != tt.value {
				t.Errorf("Parse(%s, %q) = %#v, want %#v", tt.widget, tt.typed, got, tt.value)
			}
			for lng, want := range tt.shown {
				if s := fill.Format(tt.widget, got, lng); s != want {
					t.Errorf("Format(%s, %#v, %s) = %q, want %q", tt.widget, got, lng, s, want)
				}
			}
		})
	}
	// A value stored with spaces (from elsewhere) shows in blocks of four.
	if got, want := fill.Format(api.WidgetIBAN, "DE89 3704 0044 05 32 0130 00", "de"), "DE89 3704 0044 0532 0130 00"; got != want {
		t.Errorf("Format(IBAN spaced oddly) = %q, want %q", got, want)
	}
}
