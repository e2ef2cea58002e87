package forms

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"rathaus/api"
)

// TestCaseInfoNeeded: the town hall asks for more information; the app
// shows the request with its message on the case's row, marked, and in
// the timeline.
func TestCaseInfoNeeded(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	d := r.Example(t, "sperrmuell")
	if _, err := r.Store.Submit(ctx, d.ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	cases, _ := r.Store.Cases(ctx)
	if len(cases) != 1 {
		t.Fatalf("cases = %d, want 1", len(cases))
	}
	msg := api.Text{"de": "Bitte nennen Sie die Etage.", "en": "Please tell us the floor."}
	r.Backend.SetCaseStatus(cases[0].ID, api.StatusInfoNeeded, msg)
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	r.apps().Refresh()
	row := r.apps().cases[cases[0].Number]
	if row == nil {
		t.Fatal("no row for the case")
	}
	if got := row.phase.Text; !strings.HasPrefix(got, "More information needed since") || !strings.Contains(got, "The town hall asks: Please tell us the floor.") {
		t.Errorf("case row = %q, want the request with its message", got)
	}
	if row.phase.Importance != widget.WarningImportance {
		t.Errorf("the request's importance = %v, want a warning", row.phase.Importance)
	}
	row.timeline.OnTapped()
	if got := overlayText(r); !strings.Contains(got, "More information needed") || !strings.Contains(got, "Please tell us the floor.") {
		t.Errorf("timeline = %q, want the request and its message", got)
	}
}
