package forms

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/app/citizen"
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
	test.Type(pc.input.(*widget.Entry), "123")
	if got := pc.errLabel.Text; !pc.errLabel.Visible() || got != postcodeDE {
		t.Errorf("postcode error = %q (visible %v), want %q", got, pc.errLabel.Visible(), postcodeDE)
	}
	test.Tap(r.button(t, "Weiter"))
	if fs.state.Step() != 0 {
		t.Fatalf("step after Weiter with an error = %d, want 0", fs.state.Step())
	}

	// The backend's check: a submission whose postcode the app would have
	// refused goes out unchecked, and the backend's answer comes back.
	values := example(t, "hundesteuer")
	values["postcode"] = "5114"
	d := fs.state.Draft()
	if err := r.store.SaveDraft(ctx, d.ID, values, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Submit(ctx, d.ID, values); err != nil {
		t.Fatal(err)
	}
	if err := r.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := r.store.Draft(ctx, d.ID)
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
