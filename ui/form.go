package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/app/citizen"
)

// formScreen fills in one draft, step by step, and ends on a summary to
// check before sending. Every change is saved to the store at once; errors
// show on their field as the citizen types (once the field was touched) and
// block "next" and "submit". Steps and fields whose condition does not hold
// are skipped, and their values are not sent.
type formScreen struct {
	ui    *UI
	form  *formschema.Form
	draft *citizen.Draft
	lang  string

	step       int                       // index into the form's steps; len(steps) is the summary
	touched    map[string]bool           // pointers the citizen changed or "next" checked
	serverErrs map[string]api.FieldError // the backend's, until the field changes

	root      *fyne.Container
	stepTitle *widget.Label
	progress  *widget.ProgressBar
	notices   *fyne.Container // newer version, conflicts, the backend's refusal
	banner    *widget.Label
	body      *fyne.Container
	saved     *widget.Label
	back      *widget.Button
	next      *widget.Button
	submit    *widget.Button

	inputs map[string]*fieldInput       // the current step's fields by pointer
	order  []string                     // their pointers in the order shown
	blocks map[string]fyne.CanvasObject // what each conditional field shows, by pointer
}

func newFormScreen(u *UI, f *formschema.Form, d *citizen.Draft) *formScreen {
	fs := &formScreen{
		ui: u, form: f, draft: d, lang: currentLang(),
		touched:    map[string]bool{},
		serverErrs: map[string]api.FieldError{},
	}
	if d.Values == nil {
		d.Values = map[string]any{}
	}
	fs.stepTitle = widget.NewLabel("")
	fs.stepTitle.TextStyle = fyne.TextStyle{Bold: true}
	fs.stepTitle.Wrapping = fyne.TextWrapWord
	fs.progress = widget.NewProgressBar()
	fs.progress.TextFormatter = fs.progressText
	fs.banner = widget.NewLabel("")
	fs.banner.Wrapping = fyne.TextWrapWord
	fs.banner.Importance = widget.DangerImportance
	fs.banner.Hide()
	fs.notices = container.NewVBox()
	fs.saved = widget.NewLabel("")
	fs.saved.Importance = widget.LowImportance
	fs.saved.Wrapping = fyne.TextWrapWord
	fs.back = widget.NewButtonWithIcon(lang.L("Back"), theme.NavigateBackIcon(), fs.onBack)
	fs.next = widget.NewButtonWithIcon(lang.L("Next"), theme.NavigateNextIcon(), fs.onNext)
	fs.next.IconPlacement = widget.ButtonIconTrailingText
	fs.next.Importance = widget.HighImportance
	fs.submit = widget.NewButtonWithIcon(lang.L("Submit"), theme.MailSendIcon(), fs.onSubmit)
	fs.submit.Importance = widget.HighImportance
	fs.body = container.NewVBox()

	if d.State == citizen.DraftRejected && d.Problem != nil {
		for _, e := range d.Problem.Errors {
			fs.serverErrs[e.Pointer] = e
		}
		fs.banner.SetText(lang.L("The town hall did not accept this form. Please correct the marked fields and send it again."))
		fs.banner.Show()
	}
	fs.addNotices()

	buttons := container.NewGridWithColumns(2, fs.back, container.NewStack(fs.next, fs.submit))
	top := container.NewVBox(fs.stepTitle, fs.progress, fs.notices, fs.banner)
	bottom := container.NewVBox(fs.saved, buttons)
	fs.root = container.NewBorder(top, bottom, nil, nil, container.NewVScroll(container.NewPadded(fs.body)))

	fs.step = fs.shownFrom(min(max(d.Step, 0), len(f.Def.Steps)-1), +1)
	fs.showStep()
	return fs
}

func (fs *formScreen) content() fyne.CanvasObject { return fs.root }

func (fs *formScreen) summary() bool { return fs.step >= len(fs.form.Def.Steps) }

// shownFrom returns the first step from i on (dir +1) or back (dir -1)
// whose condition holds; past the last step comes the summary, before the
// first the first step.
func (fs *formScreen) shownFrom(i, dir int) int {
	for ; i >= 0 && i < len(fs.form.Def.Steps); i += dir {
		if fs.form.StepShown(i, fs.draft.Values) {
			return i
		}
	}
	if i < 0 {
		return fs.shownFrom(0, +1)
	}
	return len(fs.form.Def.Steps)
}

// position returns where the citizen is: step k of n, counting the steps
// that are shown and the summary.
func (fs *formScreen) position() (k, n int) {
	n, k = 1, 1
	for i := range fs.form.Def.Steps {
		if fs.form.StepShown(i, fs.draft.Values) {
			n++
			if i < fs.step {
				k++
			}
		}
	}
	if fs.summary() {
		k = n
	}
	return k, n
}

func (fs *formScreen) progressText() string {
	k, n := fs.position()
	return lang.L("Step {{.Step}} of {{.Total}}", map[string]any{"Step": k, "Total": n})
}

func (fs *formScreen) progressValue() float64 {
	k, n := fs.position()
	return float64(k) / float64(n)
}

// showStep builds the current step's fields, or the summary.
func (fs *formScreen) showStep() {
	fs.body.RemoveAll()
	fs.inputs, fs.blocks, fs.order = map[string]*fieldInput{}, map[string]fyne.CanvasObject{}, nil
	if fs.summary() {
		fs.stepTitle.SetText(lang.L("Check and send"))
		fs.showSummary()
	} else {
		st := &fs.form.Def.Steps[fs.step]
		fs.stepTitle.SetText(st.Title.In(fs.lang))
		if fs.step == fs.shownFrom(0, +1) {
			if intro := fs.form.Def.Intro.In(fs.lang); intro != "" {
				fs.body.Add(wrapped(intro))
			}
		}
		if fs.defaultBooleans(st.Fields, "") {
			fs.save()
		}
		fs.renderFields(st.Fields, "", fs.body)
	}
	fs.progress.SetValue(fs.progressValue())
	if fs.step == fs.shownFrom(0, +1) {
		fs.back.Disable()
	} else {
		fs.back.Enable()
	}
	if fs.summary() {
		fs.next.Hide()
		fs.submit.Show()
	} else {
		fs.next.Show()
		fs.submit.Hide()
	}
	fs.refresh()
}

// defaultBooleans stores "no" for the unticked boxes of fields, so that an
// unticked box is never reported as missing; it reports whether it did.
func (fs *formScreen) defaultBooleans(fields []api.Field, base string) bool {
	changed := false
	for i := range fields {
		fd := &fields[i]
		p := base + api.PointerToken(fd.Key)
		switch {
		case fd.Widget == api.WidgetBoolean:
			if _, set := formschema.Get(fs.draft.Values, p); !set && fs.parentExists(base) {
				formschema.Set(fs.draft.Values, p, false)
				changed = true
			}
		case fd.Widget == api.WidgetGroup || fd.Widget == api.WidgetAddress:
			changed = fs.defaultBooleans(fs.form.Children(fd), p) || changed
		}
	}
	return changed
}

// parentExists reports whether the object at base is in the data (the
// root always is): booleans are not defaulted into absent groups.
func (fs *formScreen) parentExists(base string) bool {
	if base == "" {
		return true
	}
	_, ok := formschema.Get(fs.draft.Values, base)
	return ok
}

// onChange keeps a new value at pointer (nil removes it), saves the draft
// at once and shows what follows from it.
func (fs *formScreen) onChange(pointer string, v any) {
	if v == nil {
		formschema.Delete(fs.draft.Values, pointer)
	} else {
		formschema.Set(fs.draft.Values, pointer, v)
	}
	fs.touched[pointer] = true
	delete(fs.serverErrs, pointer)
	fs.save()
	fs.refresh()
}

// save writes the draft; a failure (a full disk) is shown, and the values
// stay on screen so that the next change saves them all.
func (fs *formScreen) save() bool {
	ctx, cancel := fs.ui.ctx()
	defer cancel()
	if err := fs.ui.store.SaveDraft(ctx, fs.draft.ID, fs.draft.Values, fs.step); err != nil {
		fs.saved.Importance = widget.DangerImportance
		fs.saved.SetText(lang.L("Not saved: {{.Error}}", map[string]any{"Error": errorText(err)}))
		return false
	}
	fs.saved.Importance = widget.LowImportance
	fs.saved.SetText(lang.L("Draft saved at {{.Time}}", map[string]any{"Time": timeNow().Format("15:04:05")}))
	return true
}

// errors validates what would be sent (hidden fields pruned) and returns
// the first error per pointer.
func (fs *formScreen) errors() map[string]api.FieldError {
	out := map[string]api.FieldError{}
	for _, e := range fs.form.Validate(fs.form.Prune(fs.draft.Values)) {
		if _, seen := out[e.Pointer]; !seen {
			out[e.Pointer] = e
		}
	}
	return out
}

// refresh shows and hides the conditional fields and puts each error of
// the current step on its field: the validator's for touched fields, else
// the backend's.
func (fs *formScreen) refresh() {
	for p, obj := range fs.blocks {
		if fs.form.FieldShown(p, fs.draft.Values) {
			obj.Show()
		} else {
			obj.Hide()
		}
	}
	errs := fs.errors()
	for _, p := range fs.order {
		fi := fs.inputs[p]
		msg := ""
		if e, ok := errs[p]; ok && fs.touched[p] {
			msg = messageIn(e, fs.lang)
		} else if e, ok := fs.serverErrs[p]; ok {
			msg = messageIn(e, fs.lang)
		}
		fi.setError(msg)
	}
	fs.progress.SetValue(fs.progressValue())
}

func messageIn(e api.FieldError, lng string) string {
	if m := e.Message.In(lng); m != "" {
		return m
	}
	return e.Detail
}

// stepErrors returns the pointers with errors on step i (validator's and
// backend's).
func (fs *formScreen) stepErrors(i int) []string {
	var out []string
	for p := range fs.errors() {
		if fs.form.StepOf(p) == i || i == fs.step && fs.inputs[p] != nil {
			out = append(out, p)
		}
	}
	for p := range fs.serverErrs {
		if fs.form.StepOf(p) == i {
			out = append(out, p)
		}
	}
	return out
}

func (fs *formScreen) onBack() {
	if prev := fs.shownFrom(fs.step-1, -1); prev != fs.step {
		fs.step = prev
		fs.save()
		fs.showStep()
	}
}

func (fs *formScreen) onNext() {
	for p := range fs.inputs {
		fs.touched[p] = true
	}
	if errs := fs.stepErrors(fs.step); len(errs) > 0 {
		for _, p := range errs {
			fs.touched[p] = true
		}
		fs.refresh()
		fs.saved.Importance = widget.DangerImportance
		fs.saved.SetText(lang.L("Please correct the marked fields."))
		return
	}
	fs.step = fs.shownFrom(fs.step+1, +1)
	fs.save()
	fs.showStep()
}

// goToStep shows step i (from the summary's "change" buttons).
func (fs *formScreen) goToStep(i int) {
	fs.step = i
	fs.save()
	fs.showStep()
}

// onSubmit checks every shown step, then queues the draft in the outbox and
// wakes the sync engine.
func (fs *formScreen) onSubmit() {
	for i := range fs.form.Def.Steps {
		if !fs.form.StepShown(i, fs.draft.Values) {
			continue
		}
		if errs := fs.stepErrors(i); len(errs) > 0 {
			for _, p := range errs {
				fs.touched[p] = true
			}
			fs.step = i
			fs.showStep()
			fs.saved.Importance = widget.DangerImportance
			fs.saved.SetText(lang.L("Please correct the marked fields."))
			return
		}
	}
	if !fs.save() {
		return
	}
	ctx, cancel := fs.ui.ctx()
	defer cancel()
	if _, err := fs.ui.store.Submit(ctx, fs.draft.ID, fs.form.Prune(fs.draft.Values)); err != nil {
		fs.ui.showError(err)
		return
	}
	fs.ui.syncer.Kick()
	fs.ui.nav.popToRoot()
	fs.ui.current = nil
	fs.ui.drafts.refresh()
	fs.ui.tabs.SelectIndex(1)
	dialog.ShowInformation(lang.L("Submitted"),
		lang.L("Your form is in the outbox. It is sent as soon as there is a connection; you can follow it under My applications."), fs.ui.win)
}
