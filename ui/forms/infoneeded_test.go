package forms

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/app/citizen"
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

// TestCaseNotice: a decided case's notice comes onto the device and opens
// from the case's row, as a PDF file handed to the system.
func TestCaseNotice(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	dir := t.TempDir()
	var opened []string
	oldDir, oldOpen := noticeDir, openURL
	noticeDir = func() string { return dir }
	openURL = func(u *url.URL) error { opened = append(opened, u.Path); return nil }
	t.Cleanup(func() { noticeDir, openURL = oldDir, oldOpen })

	d := r.Example(t, "sperrmuell")
	if _, err := r.Store.Submit(ctx, d.ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	cases, _ := r.Store.Cases(ctx)
	r.apps().Refresh()
	if row := r.apps().cases[cases[0].Number]; row.notice.Visible() {
		t.Error("a case in review offers a notice")
	}
	r.Backend.SetCaseStatus(cases[0].ID, api.StatusDecided, api.Text{"de": "Abholung am Montag.", "en": "Collection on Monday."})
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	r.apps().Refresh()
	row := r.apps().cases[cases[0].Number]
	if !row.notice.Visible() {
		t.Fatal("the decided case offers no notice")
	}
	row.notice.OnTapped()
	want := filepath.Join(dir, "Bescheid-"+cases[0].Number+".pdf")
	if len(opened) != 1 || opened[0] != filepath.ToSlash(want) {
		t.Fatalf("opened %v, want %s", opened, want)
	}
	b, err := os.ReadFile(want)
	if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Errorf("the file handed over: %.20q, %v", b, err)
	}
}

// TestCaseAnswer: the town hall asks for more; "Complete and send again"
// reopens the sent draft; sent again, it continues the same case.
func TestCaseAnswer(t *testing.T) {
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
	r.apps().Refresh()
	if row := r.apps().cases[cases[0].Number]; row.answer.Visible() {
		t.Error("a case nobody asked more of offers to answer")
	}
	r.Backend.SetCaseStatusFields(cases[0].ID, api.StatusInfoNeeded, api.Text{"de": "Bitte die Etage nennen.", "en": "Please tell us the floor."},
		[]string{"/given_name"})
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	r.apps().Refresh()
	row := r.apps().cases[cases[0].Number]
	if !row.answer.Visible() {
		t.Fatal("the case the town hall asked more of offers no answer")
	}
	row.answer.OnTapped()
	reopened, err := r.Store.Draft(ctx, d.ID)
	if err != nil || reopened.State != citizen.DraftEditing || reopened.Answers != cases[0].ID {
		t.Fatalf("after tapping: draft %+v, %v; want it editable, answering the case", reopened, err)
	}
	// The form opened, saying what the town hall asks, the field marked.
	fs := r.current
	if fs == nil || fs.state.Draft().ID != d.ID {
		t.Fatal("tapping did not open the draft")
	}
	if !fs.banner.Visible() || !strings.Contains(fs.banner.Text, "The town hall asks: Please tell us the floor.") {
		t.Errorf("banner = %q (visible %v), want the request", fs.banner.Text, fs.banner.Visible())
	}
	fs.onChangeStep(fs.form.StepOf("/given_name"))
	if in := r.input(t, "/given_name"); !in.errLabel.Visible() || in.errLabel.Text != "The town hall asks about this." {
		t.Errorf("the field asked about shows %q (visible %v)", in.errLabel.Text, in.errLabel.Visible())
	}
	r.Back()
	if _, err := r.Store.Submit(ctx, d.ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if n := r.Backend.Cases(); n != 1 {
		t.Errorf("the backend holds %d cases, want 1", n)
	}
	r.apps().Refresh()
	row = r.apps().cases[cases[0].Number]
	if row == nil || !strings.HasPrefix(row.phase.Text, "In review since") || row.answer.Visible() {
		t.Errorf("the case after the answer: %+v", row)
	}
}
