package forms

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/app/citizen"
	"rathaus/app/fill"
	"rathaus/assets/demotest"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

// TestResidenceRegistration walks the largest demo form: nested groups, a
// repeat of household members with a condition inside each item, a
// conditional step for an address abroad; back and forth; a summary; then
// the submission and the backend's 201 (a case).
func TestResidenceRegistration(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	fs := r.startForm(t, "anmeldung-wohnung")
	values := demotest.Example(t, "anmeldung-wohnung")

	abroad := demotest.Step(t, fs.form, "ausland")
	seenAbroad := false
	for !fs.state.OnSummary() {
		r.fill(t, values)
		seenAbroad = seenAbroad || fs.state.Step() == abroad
		test.Tap(r.button(t, "Next"))
	}
	if !seenAbroad {
		t.Error("the step for an address abroad was not shown although the example moved from abroad")
	}

	// The repeat holds three people; the third's "namely" field (shown
	// only for "something else") holds its value.
	d := r.storedDraft(t)
	members, _ := formschema.Get(d.Values, "/members")
	if got := len(asList(members)); got != 3 {
		t.Fatalf("stored members = %d, want 3", got)
	}
	if got, _ := formschema.Get(d.Values, "/members/2/relationship_other"); got != "Mutter" {
		t.Errorf("third member's relationship_other = %v, want Mutter", got)
	}

	// Back to the previous home: moving from Germany hides the abroad step,
	// and its values are no longer in what is sent (they stay in the draft).
	for fs.state.Step() != demotest.Step(t, fs.form, "bisher") {
		test.Tap(r.button(t, "Back"))
	}
	r.input(t, "previous_residence").input.(*kit.RadioList).SetSelected("in Germany")
	if !r.input(t, "previous_address").box.Visible() {
		t.Error("the previous address in Germany is hidden after choosing Germany")
	}
	r.fill(t, map[string]any{"previous_address": map[string]any{"street": "Bergstraße 3", "postcode": "69117", "city": "Heidelberg"}})
	test.Tap(r.button(t, "Next"))
	if fs.state.Step() == abroad {
		t.Fatal("the abroad step is shown after choosing Germany")
	}
	for !fs.state.OnSummary() {
		test.Tap(r.button(t, "Next"))
	}
	summary := bodyText(fs)
	if strings.Contains(summary, "Kraków") || !strings.Contains(summary, "Heidelberg") || !strings.Contains(summary, "Zofia") {
		t.Errorf("summary = %q, want Heidelberg and the household, not the address abroad", summary)
	}
	test.Tap(r.button(t, "Submit"))

	d = r.storedDraft(t)
	if d.State != citizen.DraftQueued {
		t.Fatalf("draft after submit = %s, want queued", d.State)
	}
	if _, kept := d.Values["abroad_address"]; !kept {
		t.Error("the draft lost the hidden step's values; they should stay in the draft")
	}
	items, _ := r.Store.Outbox(ctx)
	sub, _ := items[0].Payload.(*citizen.SubmissionPayload)
	if sub == nil {
		t.Fatalf("outbox item = %+v, want a submission", items[0])
	}
	var sent map[string]any
	if err := json.Unmarshal(sub.Request.Data, &sent); err != nil {
		t.Fatal(err)
	}
	if _, ok := sent["abroad_address"]; ok {
		t.Error("the submission carries the hidden step's address abroad")
	}
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if d = r.storedDraft(t); d.State != citizen.DraftSent {
		t.Fatalf("draft after sync = %s (%+v), want sent: the backend's 201", d.State, d.Problem)
	}
	if n := r.Backend.Cases(); n != 1 {
		t.Errorf("server cases = %d, want 1", n)
	}
}

// TestRepeatAddRemoveAndErrors: items come and go, an empty required item
// field blocks "next" with its message on that very field.
func TestRepeatAddRemoveAndErrors(t *testing.T) {
	r := newRig(t)
	fs := r.startForm(t, "anmeldung-wohnung")
	fs.onChangeStep(demotest.Step(t, fs.form, "haushalt"))
	r.input(t, "household").input.(*kit.Check).SetChecked(true)
	members := r.input(t, "members")
	if !members.box.Visible() {
		t.Fatal("the household members are hidden after ticking the box")
	}
	test.Tap(r.button(t, "Next"))
	if fs.form.Def.Steps[fs.state.Step()].ID != "haushalt" || !members.errLabel.Visible() {
		t.Fatalf("next with no member: step %s, error %q; want blocked with a message on the list", fs.form.Def.Steps[fs.state.Step()].ID, members.errLabel.Text)
	}
	add := fs.form.Field("/members").AddLabel.In("en")
	test.Tap(uitest.ButtonIn(t, r.input(t, "members").box, add))
	test.Tap(uitest.ButtonIn(t, r.input(t, "members").box, add))
	test.Type(r.input(t, "/members/1/family_name").input.(*kit.Entry), "Kowalski")
	test.Tap(r.button(t, "Next"))
	name := r.input(t, "/members/0/family_name")
	if !name.errLabel.Visible() || !strings.Contains(name.errLabel.Text, "fill in") {
		t.Errorf("first member's family name error = %q (visible %v), want the required message", name.errLabel.Text, name.errLabel.Visible())
	}
	// Remove the first: the second moves up with its value.
	test.Tap(uitest.ButtonIn(t, r.input(t, "members").box, "Remove"))
	got, _ := formschema.Get(r.storedDraft(t).Values, "/members")
	if l := asList(got); len(l) != 1 || l[0].(map[string]any)["family_name"] != "Kowalski" {
		t.Errorf("members after removing the first = %v, want only Kowalski", got)
	}
	if v := r.input(t, "/members/0/family_name").input.(*kit.Entry).Text; v != "Kowalski" {
		t.Errorf("the first item's field shows %q after the removal, want Kowalski", v)
	}
}

// TestPhotoAndFileAttachments: the parking permit needs a photo of the
// registration (downscaled on the device) and, for a company car, a file;
// both are sealed in the store, uploaded by tus and checked by the backend.
func TestPhotoAndFileAttachments(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	fs := r.startForm(t, "bewohnerparkausweis")
	r.fillAll(t, demotest.Example(t, "bewohnerparkausweis"))
	d := r.storedDraft(t)
	atts, err := r.Store.Attachments(ctx, d.ID)
	if err != nil || len(atts) != 2 {
		t.Fatalf("attachments in the store = %d (%v), want the photo and the file", len(atts), err)
	}
	var photo api.Attachment
	v, _ := formschema.Get(d.Values, "/registration_photo")
	if fill.FromValue(v, &photo) != nil || photo.Type != "image/jpeg" || !strings.HasSuffix(photo.Name, ".jpg") {
		t.Errorf("photo value = %+v, want a JPEG made on the device", photo)
	}
	// Replacing the photo deletes the first one from the store.
	fs.onChangeStep(demotest.Step(t, fs.form, fs.form.Def.Steps[fs.form.StepOf("/registration_photo")].ID))
	r.input(t, "registration_photo").choose("other.png", sampleFile(t, fs.form.Field("/registration_photo")))
	if atts, _ := r.Store.Attachments(ctx, d.ID); len(atts) != 2 {
		t.Errorf("attachments after replacing the photo = %d, want still 2", len(atts))
	}
	// A file of the wrong kind is refused on its field.
	uc := fs.form.Field("/use_confirmation")
	if uc != nil && fs.inputs["/use_confirmation"] != nil {
		fi := fs.inputs["/use_confirmation"]
		fi.choose("notes.txt", []byte("just some text"))
		if !fi.errLabel.Visible() || !strings.Contains(fi.errLabel.Text, "not accepted") {
			t.Errorf("wrong file type: error %q, want not accepted", fi.errLabel.Text)
		}
	}
	for !fs.state.OnSummary() {
		test.Tap(r.button(t, "Next"))
	}
	test.Tap(r.button(t, "Submit"))
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if d = r.storedDraft(t); d.State != citizen.DraftSent {
		t.Fatalf("draft after sync = %s (%+v), want sent", d.State, d.Problem)
	}
	atts, _ = r.Store.Attachments(ctx, d.ID)
	for _, a := range atts {
		if !a.Uploaded {
			t.Errorf("attachment %s not uploaded", a.Name)
		}
	}
}

// TestServerErrorOnNestedField: the backend refuses a draft naming a field
// inside a group; the message shows on that field when the draft is opened.
func TestServerErrorOnNestedField(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	d := r.Example(t, "bewohnerparkausweis")
	it, err := r.Store.Submit(ctx, d.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &api.Problem{Status: 422, Title: "Validation failed", Errors: []api.FieldError{{
		Pointer: "/vehicle/plate", Code: "pattern", Detail: "Unknown plate.",
		Message: api.Text{"de": "Dieses Kennzeichen ist nicht zugelassen.", "en": "This registration number is not registered."}}}}
	if err := r.Store.Reject(ctx, it.ID, p, citizen.EINVALID, "The town hall found errors in the form. Please correct the marked fields."); err != nil {
		t.Fatal(err)
	}
	d, _ = r.Store.Draft(ctx, d.ID)
	r.OpenDraft(d)
	fs := r.current
	fs.onChangeStep(fs.form.StepOf("/vehicle/plate"))
	plate := r.input(t, "/vehicle/plate")
	if !plate.errLabel.Visible() || plate.errLabel.Text != "This registration number is not registered." {
		t.Errorf("plate error = %q (visible %v), want the backend's message", plate.errLabel.Text, plate.errLabel.Visible())
	}
	test.Type(plate.input.(*kit.Entry), "X")
	if plate.errLabel.Visible() && plate.errLabel.Text == "This registration number is not registered." {
		t.Error("the backend's message stays after the citizen changed the field")
	}
}

// TestMigrateToNewVersion: a dog-tax draft begun on version 1 keeps
// working; the citizen is offered version 2, the values that fit move, and
// the one whose field is gone is kept and listed.
func TestMigrateToNewVersion(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	v1 := api.Service{ID: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 1}}
	d := citizen.NewDraft(v1, timeNow())
	d.Values = map[string]any{"given_name": "Erika", "dog_name": "Bello", "born": "2024-03-12"}
	if err := r.Store.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	r.OpenDraft(d)
	fs := r.current
	if fs.form.Def.Version != 1 {
		t.Fatalf("the draft opened with version %d, want its own version 1", fs.form.Def.Version)
	}
	test.Tap(uitest.ButtonIn(t, fs.notices, "Use the new version"))
	test.Tap(r.button(t, "Yes"))

	got, _ := r.Store.Draft(ctx, d.ID)
	if got.Form.Version != 2 || got.Values["given_name"] != "Erika" || got.Values["dog_name"] != "Bello" {
		t.Errorf("draft after moving = v%d %v, want version 2 with the values that fit", got.Form.Version, got.Values)
	}
	if _, still := got.Values["born"]; still {
		t.Error("the field version 2 no longer has is still in the values")
	}
	kept, _ := r.Store.Conflicts(ctx, d.ID)
	if len(kept) != 1 || kept[0].Field != "/born" || kept[0].Value != "2024-03-12" || kept[0].Reason != citizen.ConflictRemoved {
		t.Errorf("kept values = %+v, want born listed as removed", kept)
	}
	if r.current.form.Def.Version != 2 || len(r.current.notices.Objects) == 0 {
		t.Errorf("screen after moving: version %d, %d notices; want version 2 and a notice of the kept value", r.current.form.Def.Version, len(r.current.notices.Objects))
	}
}

// bodyText joins the texts of the labels on the form's body.
func bodyText(fs *FormScreen) string {
	var b strings.Builder
	uitest.Walk(fs.body, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			b.WriteString(l.Text)
			b.WriteByte('\n')
		}
	})
	return b.String()
}

// TestCaseStatusAndProgress: the town hall moves a case on; the app shows
// the new status and its timeline with the note. An upload under way shows
// its progress on its item.
func TestCaseStatusAndProgress(t *testing.T) {
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
	r.Backend.SetCaseStatus(cases[0].ID, api.StatusInspection, api.Text{"de": "Wir sehen uns die Stelle an.", "en": "We will look at the spot."})
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	r.apps().Refresh()
	row := r.apps().cases[cases[0].Number]
	if row == nil || !strings.HasPrefix(row.phase.Text, "Inspection since") {
		t.Fatalf("case row = %+v, want the status Inspection", row)
	}
	test.Tap(row.timeline)
	if got := overlayText(r); !strings.Contains(got, "Received") || !strings.Contains(got, "Inspection") || !strings.Contains(got, "We will look at the spot.") {
		t.Errorf("timeline = %q, want both steps and the note", got)
	}

	// An item whose files are half uploaded shows how far it got.
	d2 := r.Draft(t, "sperrmuell", map[string]any{"x": "y"})
	r.Store.AddAttachment(ctx, d2.ID, "sofa.jpg", "image/jpeg", make([]byte, 4000))
	it, _ := r.Store.Submit(ctx, d2.ID, nil)
	r.Store.SetProgress(ctx, it.ID, 1000, 4000)
	r.apps().Refresh()
	bar := r.apps().rows[d2.ID].progress
	if !bar.Visible() || bar.Value != 1000 || bar.Max != 4000 {
		t.Errorf("progress = %v of %v (visible %v), want 1000 of 4000", bar.Value, bar.Max, bar.Visible())
	}
}
