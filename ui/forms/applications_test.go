package forms

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/fill"
	"rathaus/assets/demotest"
	"rathaus/sync/engine"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

// TestFillSubmitAndSync is the citizen's way through the app: find the dog
// tax, fill its two steps (an error blocks "next"), submit, and see the
// case number once the engine has sent it.
func TestFillSubmitAndSync(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	fs := r.startForm(t, "hundesteuer")
	if fs == nil || fs.form.Def.ID != "hundesteuer" {
		t.Fatalf("form on screen = %v, want hundesteuer", fs)
	}

	// Every change is in the store once typing pauses.
	test.Type(r.input(t, "given_name").input.(*kit.Entry), "Erika")
	r.clock.Advance(fill.DefaultQuiet)
	if got := r.storedDraft(t).Values["given_name"]; got != "Erika" {
		t.Fatalf("stored given_name = %v, want Erika", got)
	}

	// A wrong postcode shows its message on its field and blocks "next".
	values := demotest.Example(t, "hundesteuer")
	values["postcode"] = "123"
	r.fill(t, values)
	pc := r.input(t, "postcode")
	if !pc.errLabel.Visible() || !strings.Contains(pc.errLabel.Text, "five digits") {
		t.Errorf("postcode error = %q (visible %v), want the five-digit message", pc.errLabel.Text, pc.errLabel.Visible())
	}
	test.Tap(r.button(t, "Next"))
	if fs.state.Step() != 0 {
		t.Fatalf("step after next with an error = %d, want 0", fs.state.Step())
	}
	pc.input.(*kit.Entry).SetText("")
	test.Type(pc.input.(*kit.Entry), "51147")
	if pc.errLabel.Visible() {
		t.Errorf("postcode error still shown after a valid postcode: %q", pc.errLabel.Text)
	}
	test.Tap(r.button(t, "Next"))
	if fs.state.Step() != 1 {
		t.Fatalf("step after next = %d, want 1", fs.state.Step())
	}
	r.fillAll(t, values) // the rest of the steps
	test.Tap(r.button(t, "Submit"))

	d := r.storedDraft(t)
	if d.State != citizen.DraftQueued {
		t.Fatalf("draft after submit = %s, want queued", d.State)
	}
	for k, want := range demotest.Example(t, "hundesteuer") {
		if k == "iban" { // stored as the bank writes it, without spaces
			want = strings.ReplaceAll(want.(string), " ", "")
		}
		if got := d.Values[k]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("stored %s = %v, want %v", k, got, want)
		}
	}
	items, _ := r.Store.Outbox(ctx)
	if len(items) != 1 || items[0].DraftID != d.ID || items[0].IdempotencyKey == "" {
		t.Fatalf("outbox = %+v, want one item for the draft with a key", items)
	}
	if r.submitted != d.ID || r.current != nil {
		t.Errorf("after submit: the navigator was told %q, form on screen %v; want My applications for %s", r.submitted, r.current, d.ID)
	}

	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if n := r.Backend.Cases(); n != 1 {
		t.Errorf("server cases = %d, want 1", n)
	}
	d = r.storedDraft(t)
	if d.State != citizen.DraftSent || d.CaseNumber == "" {
		t.Fatalf("draft after sync = %s %q, want sent with a case number", d.State, d.CaseNumber)
	}
	row := r.apps().rows[d.ID]
	if row == nil || !strings.Contains(row.status.Text, d.CaseNumber) {
		t.Errorf("drafts screen row = %+v, want the case number %s", row, d.CaseNumber)
	}
	if got := r.apps().submitted.text.Text; !strings.Contains(got, d.CaseNumber) {
		t.Errorf("dialog after the engine sent it = %q, want the case number %s", got, d.CaseNumber)
	}
	// The receipt names the key the backend verified the signature with:
	// the backend's fingerprint, which is the device's own.
	cases, _ := r.Store.Cases(ctx)
	if len(cases) != 1 || cases[0].KeyFingerprint == "" || cases[0].KeyFingerprint != r.Engine.KeyFingerprint() {
		t.Fatalf("the case's fingerprint is %v, want the device's %q", cases, r.Engine.KeyFingerprint())
	}
	if got := r.apps().submitted.text.Text; !strings.Contains(got, cases[0].KeyFingerprint) {
		t.Errorf("the receipt %q does not show the key fingerprint %s", got, cases[0].KeyFingerprint)
	}
}

// TestOfflineSubmitWaitsThenGoesOnce: with the backend down the item says
// it waits for a connection; when the backend is back it goes out once.
func TestOfflineSubmitWaitsThenGoesOnce(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.Backend.Stop()
	r.startForm(t, "sperrmuell")
	r.fillAll(t, demotest.Example(t, "sperrmuell"))
	test.Tap(r.button(t, "Submit"))
	_ = r.Engine.Sync(ctx)

	d := r.storedDraft(t)
	if got := r.apps().rows[d.ID].status.Text; got != "Waiting for connection" {
		t.Errorf("row status offline = %q, want Waiting for connection", got)
	}
	if r.apps().rows[d.ID].delete.Disabled() == false {
		t.Error("a queued draft can be deleted")
	}

	r.Backend.Start()
	for i := 0; i < 3; i++ {
		if err := r.Engine.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := r.Backend.Cases(); n != 1 {
		t.Errorf("server cases = %d, want exactly 1", n)
	}
	if got := r.apps().rows[d.ID].status.Text; !strings.HasPrefix(got, "Sent") {
		t.Errorf("row status after sync = %q, want Sent…", got)
	}
}

// TestDraftSurvivesRestartAndCanBeDeleted: quit with a half-filled form,
// start again: the draft is listed, resumes with its values, and can be
// deleted.
func TestDraftSurvivesRestartAndCanBeDeleted(t *testing.T) {
	r := newRig(t)
	r.startForm(t, "hundesteuer")
	test.Type(r.input(t, "family_name").input.(*kit.Entry), "Mustermann")
	test.Type(r.input(t, "city").input.(*kit.Entry), "Musterstadt")
	r.quit()

	r.open(t)
	d := r.storedDraft(t)
	row := r.apps().rows[d.ID]
	if row == nil || !strings.HasPrefix(row.status.Text, "Draft") {
		t.Fatalf("drafts screen after restart: row %+v, want the draft", row)
	}
	test.Tap(row.resume)
	if got := r.input(t, "family_name").input.(*kit.Entry).Text; got != "Mustermann" {
		t.Errorf("family name after restart = %q, want Mustermann", got)
	}

	r.showApplications()
	test.Tap(r.apps().rows[d.ID].delete)
	test.Tap(r.button(t, "Yes"))
	drafts, _ := r.Store.Drafts(context.Background())
	if len(drafts) != 0 {
		t.Errorf("drafts after delete = %d, want 0", len(drafts))
	}
	if len(r.apps().rows) != 0 || !r.apps().empty.Visible() {
		t.Errorf("applications screen after delete: %d rows, empty note visible %v", len(r.apps().rows), r.apps().empty.Visible())
	}
}

// overlayText joins the texts of the labels of the dialog on top.
func overlayText(r *rig) string { return uitest.Text(r.win.Canvas().Overlays().Top()) }

// sendAt submits a draft of service with its example values and syncs.
func (r *rig) sendAt(t *testing.T, service string) *citizen.Draft {
	t.Helper()
	ctx := context.Background()
	d := r.Example(t, service)
	if _, err := r.Store.Submit(ctx, d.ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestOneRowPerApplication: a sent application and its case are one row,
// with where it stands, its case number, the town hall's status and its
// timeline; it offers no editing. Removing it from the device says that
// the application is not withdrawn, and its case stays listed.
func TestOneRowPerApplication(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	d := r.sendAt(t, "sperrmuell")
	cases, _ := r.Store.Cases(ctx)
	if len(cases) != 1 {
		t.Fatalf("cases = %d, want 1", len(cases))
	}
	number := cases[0].Number
	r.apps().Refresh()
	if got := len(r.apps().list.Objects) / 2; got != 1 { // a row and its separator
		t.Fatalf("rows for one application = %d, want 1", got)
	}
	row := r.apps().rows[d.ID]
	if row == nil || r.apps().cases[number] != row {
		t.Fatalf("the draft's row and the case's row differ: %+v, %+v", row, r.apps().cases[number])
	}
	if !strings.Contains(row.status.Text, number) || !strings.HasPrefix(row.phase.Text, "Received since") || !row.timeline.Visible() {
		t.Errorf("row = %q / %q (timeline %v), want the case number, its status and a timeline", row.status.Text, row.phase.Text, row.timeline.Visible())
	}
	if row.resume.Visible() {
		t.Error("a sent application offers to edit it")
	}
	if !row.delete.Visible() || row.delete.Text != "Remove from this device" {
		t.Fatalf("remove button = %q (visible %v), want \"Remove from this device\"", row.delete.Text, row.delete.Visible())
	}
	test.Tap(row.delete)
	asked := overlayText(r)
	if strings.Contains(asked, "Delete draft") || !strings.Contains(asked, "not withdrawn") {
		t.Errorf("removing a sent application asks %q; want it to say the application is not withdrawn", asked)
	}
	test.Tap(r.button(t, "Yes"))
	if drafts, _ := r.Store.Drafts(ctx); len(drafts) != 0 {
		t.Errorf("drafts after removal = %d, want 0", len(drafts))
	}
	row = r.apps().cases[number]
	if row == nil || row.delete.Visible() || !row.timeline.Visible() || !strings.Contains(row.status.Text, number) {
		t.Errorf("after removal: case row %+v, want the case with its number and timeline, nothing to remove", row)
	}
	if r.apps().empty.Visible() {
		t.Error("the list says there are no applications while the case is listed")
	}
}

// TestSubmittedSaysWhatHappened: after "Submit" the dialog says what is
// known: sent with the case number (whether the engine sent it before the
// dialog showed or while it shows), or waiting in the outbox while
// offline; never the outbox while a case number is known.
func TestSubmittedSaysWhatHappened(t *testing.T) {
	for _, tc := range []struct {
		name        string
		offline     bool
		sentAtOnce  bool // the engine sends it before the dialog shows
		want, never string
	}{
		{"sent before the dialog shows", false, true, "case number", "outbox"},
		{"sent while the dialog shows", false, false, "case number", "outbox"},
		{"offline", true, false, "waits in the outbox", "case number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			ctx := context.Background()
			if tc.offline {
				r.Backend.Stop()
			}
			d := r.Example(t, "sperrmuell")
			r.OpenDraft(d)
			r.current.onChangeStep(len(r.current.form.Def.Steps))
			if tc.sentAtOnce {
				r.beforeSubmitted = func() { _ = r.Engine.Sync(ctx) }
			}
			test.Tap(r.button(t, "Submit"))
			if !tc.sentAtOnce {
				if got := r.apps().submitted.text.Text; strings.Contains(got, "case number") || strings.Contains(got, "outbox") {
					t.Errorf("dialog before the engine ran = %q, want neither sent nor waiting claimed", got)
				}
				_ = r.Engine.Sync(ctx)
			}
			got := r.apps().submitted.text.Text
			if !strings.Contains(got, tc.want) || strings.Contains(got, tc.never) {
				t.Errorf("dialog = %q, want %q and never %q", got, tc.want, tc.never)
			}
			stored, _ := r.Store.Draft(ctx, d.ID)
			if stored.CaseNumber != "" && !strings.Contains(got, stored.CaseNumber) {
				t.Errorf("dialog = %q while the row behind it shows case %s", got, stored.CaseNumber)
			}
			test.Tap(r.button(t, "OK"))
			if r.apps().submitted != nil {
				t.Error("the dialog is still followed after it was closed")
			}
		})
	}
}

// TestSubmittedFollowsTheEngine: the dialog about an application just sent
// follows what the engine's passes report, with no reload of its own: a
// pass the server refuses for now says why and that it goes again; the
// pass that sends it gives the case number.
func TestSubmittedFollowsTheEngine(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	real := r.Backend.Handler()
	r.Backend.SetHandler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == api.PathSubmissions {
			w.Header().Set("Retry-After", "0")
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		real.ServeHTTP(w, req)
	}))
	d := r.Example(t, "sperrmuell")
	r.OpenDraft(d)
	r.current.onChangeStep(len(r.current.form.Def.Steps))
	test.Tap(r.button(t, "Submit"))

	_ = r.Engine.Sync(ctx)
	if got := r.apps().submitted.text.Text; !strings.HasPrefix(got, "Not sent yet") || !strings.Contains(got, "sent again by itself") {
		t.Errorf("dialog after a refused pass = %q, want Not sent yet… sent again by itself", got)
	}
	if got := r.apps().rows[d.ID].status.Text; !strings.HasPrefix(got, "Waiting to be sent again") {
		t.Errorf("row after a refused pass = %q, want Waiting to be sent again…", got)
	}

	r.Backend.SetHandler(nil)
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	stored, _ := r.Store.Draft(ctx, d.ID)
	if got := r.apps().submitted.text.Text; stored.CaseNumber == "" || !strings.Contains(got, stored.CaseNumber) {
		t.Errorf("dialog after the pass that sent it = %q, want case number %q", got, stored.CaseNumber)
	}
}

func TestCaseAndSubmittedWords(t *testing.T) {
	c := citizen.Case{Number: "2026-000007", Status: api.StatusInReview}
	if got := caseStatus(c); !strings.HasPrefix(got, "In review since") {
		t.Errorf("caseStatus = %q, want In review since…", got)
	}
	if got, _ := submittedText(&citizen.Draft{State: citizen.DraftQueued}, &citizen.OutboxItem{Attempts: 1, LastError: "The town hall's server is busy; the app tries again by itself."}, engine.Error); !strings.Contains(got, "busy") {
		t.Errorf("submittedText after a failed try = %q, want the reason", got)
	}
}
