package forms

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"

	"rathaus/app/citizen"
	"rathaus/assets"
	"rathaus/assets/demotest"
)

// TestEveryDemoFormOffline: every form of the demo municipality can be
// filled in and submitted with the backend out of reach, the citizen's way
// through the screens (its example's values typed, chosen, picked and
// signed, step by step to the summary); when the backend is back, each
// goes out once and becomes a case.
func TestEveryDemoFormOffline(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.Backend.Stop()
	cat, err := assets.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}

	queued := map[string]string{} // draft ID -> service
	for _, s := range cat.Services {
		t.Run(s.ID, func(t *testing.T) {
			fs := r.startForm(t, s.ID)
			if fs == nil || fs.form.Def.ID != s.Form.ID || fs.form.Def.Version != s.Form.Version {
				t.Fatalf("form on screen = %v, want %s version %d", fs, s.Form.ID, s.Form.Version)
			}
			r.fillAll(t, demotest.Example(t, s.Form.ID))
			id := fs.state.Draft().ID
			test.Tap(r.button(t, "Submit"))
			test.Tap(r.button(t, "OK")) // "Your application waits in the outbox"
			d, err := r.Store.Draft(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if d.State != citizen.DraftQueued {
				t.Fatalf("draft after submit = %s, want queued", d.State)
			}
			queued[id] = s.ID
		})
	}
	if t.Failed() {
		return
	}

	r.Backend.Start()
	for range 5 {
		if err := r.Engine.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if items, _ := r.Store.Outbox(ctx); len(items) == 0 {
			break
		}
	}
	for id, service := range queued {
		d, err := r.Store.Draft(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if d.State != citizen.DraftSent || d.CaseNumber == "" {
			t.Errorf("%s: draft after sync = %s %q (%+v), want sent with a case number", service, d.State, d.CaseNumber, d.Problem)
		}
	}
	if got, want := r.Backend.Cases(), len(cat.Services); got != want {
		t.Errorf("server cases = %d, want %d (one per demo form)", got, want)
	}
}
