package forms

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/assets/demotest"
	"rathaus/sync/engine"
	"rathaus/ui/kit"
)

func TestDraftStatus(t *testing.T) {
	retried := &citizen.OutboxItem{Attempts: 2, LastError: "The town hall's server is busy; the app tries again by itself."}
	for _, tc := range []struct {
		name  string
		draft citizen.Draft
		item  *citizen.OutboxItem
		state engine.State
		want  string
	}{
		{"editing", citizen.Draft{State: citizen.DraftEditing}, nil, engine.Idle, "Draft, last changed"},
		{"queued offline", citizen.Draft{State: citizen.DraftQueued}, &citizen.OutboxItem{}, engine.Offline, "Waiting for connection"},
		{"queued, fresh", citizen.Draft{State: citizen.DraftQueued}, &citizen.OutboxItem{}, engine.Idle, "Sending…"},
		{"queued, retried", citizen.Draft{State: citizen.DraftQueued}, retried, engine.Error, "Waiting to be sent again. The town hall's server is busy"},
		{"sent", citizen.Draft{State: citizen.DraftSent, CaseNumber: "2026-000007"}, nil, engine.Idle, "Sent – case number 2026-000007"},
		{"rejected", citizen.Draft{State: citizen.DraftRejected}, &citizen.OutboxItem{LastError: "The town hall did not accept this."}, engine.Idle, "Not accepted – please correct and send again. The town hall did not accept this."},
		{"locked", citizen.Draft{State: citizen.DraftEditing, Locked: true}, nil, engine.Idle, "Cannot be opened"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := draftStatus(&tc.draft, tc.item, tc.state); !strings.HasPrefix(got, tc.want) {
				t.Errorf("draftStatus = %q, want it to start with %q", got, tc.want)
			}
		})
	}
}

// TestFieldErrorsInGerman: in German, a value the app refuses and one the
// town hall's backend refuses (over loopback: 422 with a pointer) both
// show their German message on their own field.
func TestFieldErrorsInGerman(t *testing.T) {
	if err := kit.SetLanguage("de"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := kit.SetLanguage("en"); err != nil {
			t.Fatal(err)
		}
	})
	const postcodeDE = "Eine Postleitzahl hat fünf Ziffern."
	r := newRig(t)
	ctx := context.Background()

	// The app's own check, as the citizen types, and on "Weiter".
	r.openService(t, "hundesteuer")
	test.Tap(r.button(t, "Formular ausfüllen"))
	fs := r.current
	pc := r.input(t, "postcode")
	test.Type(pc.input.(*kit.Entry), "123")
	if got := pc.errLabel.Text; !pc.errLabel.Visible() || got != postcodeDE {
		t.Errorf("postcode error = %q (visible %v), want %q", got, pc.errLabel.Visible(), postcodeDE)
	}
	test.Tap(r.button(t, "Weiter"))
	if fs.state.Step() != 0 {
		t.Fatalf("step after Weiter with an error = %d, want 0", fs.state.Step())
	}

	// The backend's check: a submission whose postcode the app would have
	// refused goes out unchecked, and the backend's answer comes back.
	values := demotest.Example(t, "hundesteuer")
	values["postcode"] = "5114"
	d := fs.state.Draft()
	if err := r.Store.SaveDraft(ctx, d.ID, values, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Store.Submit(ctx, d.ID, values); err != nil {
		t.Fatal(err)
	}
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := r.Store.Draft(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.State != citizen.DraftRejected || d.Problem == nil || len(d.Problem.Errors) == 0 {
		t.Fatalf("draft after sync = %s, problem %+v; want rejected with field errors", d.State, d.Problem)
	}
	if fe := d.Problem.Errors[0]; fe.Pointer != "/postcode" || fe.Message.In("de") != postcodeDE {
		t.Errorf("backend's field error = %s %q, want /postcode %q", fe.Pointer, fe.Message.In("de"), postcodeDE)
	}
	r.OpenDraft(d)
	fs = r.current
	fs.onChangeStep(fs.form.StepOf("/postcode"))
	pc = r.input(t, "postcode")
	if got := pc.errLabel.Text; !pc.errLabel.Visible() || got != postcodeDE {
		t.Errorf("postcode error from the backend = %q (visible %v), want %q", got, pc.errLabel.Visible(), postcodeDE)
	}
}

// TestFormatMessagesOnTheirField: a wrong IBAN says what is wrong with it
// and an impossible date that the day does not exist, on their fields,
// in German and English; a lower-case IBAN is fine. Every date field
// shows the format it expects.
func TestFormatMessagesOnTheirField(t *testing.T) {
	type want struct{ de, en string }
	ibans := []struct {
		name, typed string
		msg         want
	}{
		{"check digits", "DE88 3704 0044 0532 0130 00", want{
			"Die Prüfziffer stimmt nicht: Bitte vergleichen Sie die IBAN Zeichen für Zeichen mit Ihrer Bankkarte.",
			"The check digits are wrong: please compare the IBAN character by character with your bank card."}},
		{"length", "DE89 3704 0044 0532 0130 0", want{
			"Eine IBAN mit dem Ländercode DE hat 22 Zeichen, diese hat 21.",
			"An IBAN with the country code DE has 22 characters; this one has 21."}},
		{"country", "XX89 3704 0044 0532 0130 00", want{
			"XX ist kein Ländercode einer IBAN. Eine deutsche IBAN beginnt mit DE.",
			"XX is not the country code of any IBAN. A German IBAN starts with DE."}},
		{"lower case is fine", "de89 3704 0044 0532 0130 00", want{}},
	}
	day := want{
		"Diesen Tag gibt es nicht. Bitte prüfen Sie Tag und Monat (TT.MM.JJJJ).",
		"This day does not exist. Please check the day and month (DD/MM/YYYY)."}
	hint := want{"TT.MM.JJJJ", "DD/MM/YYYY"}
	typedDay := want{"31.02.2026", "31/02/2026"}
	pick := func(w want, lng string) string {
		if lng == "de" {
			return w.de
		}
		return w.en
	}
	for _, lng := range []string{"de", "en"} {
		t.Run(lng, func(t *testing.T) {
			if err := kit.SetLanguage(lng); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = kit.SetLanguage("en") })
			r := newRig(t)
			r.OpenDraft(r.Draft(t, "hundesteuer", nil))
			fs := r.current
			fs.onChangeStep(fs.form.StepOf("/iban"))
			r.input(t, "payment").input.(*kit.RadioList).SetSelected(fs.form.Field("/payment").Options[0].Label.In(lng))
			iban := r.input(t, "iban")
			for _, tc := range ibans {
				iban.input.(*kit.Entry).SetText("")
				test.Type(iban.input.(*kit.Entry), tc.typed)
				got := ""
				if iban.errLabel.Visible() {
					got = iban.errLabel.Text
				}
				if want := pick(tc.msg, lng); got != want {
					t.Errorf("IBAN %s: message %q, want %q", tc.name, got, want)
				}
			}
			if v, _ := fs.state.Value("/iban"); v != "DE89370400440532013000" {
				t.Errorf("IBAN typed in lower case is kept as %v, want it in capitals", v)
			}

			fs.onChangeStep(fs.form.StepOf("/kept_since"))
			date := r.input(t, "kept_since")
			entry := date.input.(*kit.DateEntry)
			if entry.PlaceHolder != pick(hint, lng) {
				t.Errorf("date hint = %q, want %q", entry.PlaceHolder, pick(hint, lng))
			}
			test.Type(entry, pick(typedDay, lng))
			if got, want := date.errLabel.Text, pick(day, lng); !date.errLabel.Visible() || got != want {
				t.Errorf("impossible date: message %q (visible %v), want %q", got, date.errLabel.Visible(), want)
			}
			entry.SetText("")
			test.Type(entry, pick(want{"28.02.2026", "28/02/2026"}, lng))
			if v, _ := fs.state.Value("/kept_since"); v != "2026-02-28" || date.errLabel.Visible() {
				t.Errorf("a good date is kept as %v (error %q), want 2026-02-28", v, date.errLabel.Text)
			}
		})
	}
}

// TestEveryDateFieldShowsItsFormat walks every step of every demo form.
func TestEveryDateFieldShowsItsFormat(t *testing.T) {
	r := newRig(t)
	dates := 0
	for _, s := range r.catalog.Services {
		r.OpenDraft(r.Example(t, s.ID))
		fs := r.current
		for i := range fs.form.Def.Steps {
			fs.onChangeStep(i)
			for p, fi := range fs.inputs {
				if fi.field.Widget != api.WidgetDate {
					continue
				}
				dates++
				if e, ok := fi.input.(*kit.DateEntry); !ok || e.PlaceHolder != "DD/MM/YYYY" {
					t.Errorf("%s %s: date input %T without the format as its hint", s.ID, p, fi.input)
				}
			}
		}
	}
	if dates < 10 {
		t.Errorf("found %d date fields in the demo forms, want at least 10", dates)
	}
}
