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

// formScreen fills in one draft, step by step. Every change is saved to the
// store at once; errors show on their field as the citizen types (once the
// field was touched) and block "next" and "submit".
type formScreen struct {
	ui    *UI
	form  *formschema.Form
	draft *citizen.Draft
	lang  string

	step       int
	touched    map[string]bool           // pointers the citizen changed or "next" checked
	serverErrs map[string]api.FieldError // the backend's, until the field changes

	root      *fyne.Container
	stepTitle *widget.Label
	progress  *widget.ProgressBar
	banner    *widget.Label
	body      *fyne.Container
	saved     *widget.Label
	back      *widget.Button
	next      *widget.Button
	submit    *widget.Button
	inputs    []*fieldInput // of the current step
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
	fs.step = min(max(d.Step, 0), len(f.Def.Steps)-1)
	fs.stepTitle = widget.NewLabel("")
	fs.stepTitle.TextStyle = fyne.TextStyle{Bold: true}
	fs.stepTitle.Wrapping = fyne.TextWrapWord
	fs.progress = widget.NewProgressBar()
	fs.progress.TextFormatter = func() string {
		return lang.L("Step {{.Step}} of {{.Total}}", map[string]any{"Step": fs.step + 1, "Total": len(fs.form.Def.Steps)})
	}
	fs.banner = widget.NewLabel("")
	fs.banner.Wrapping = fyne.TextWrapWord
	fs.banner.Importance = widget.DangerImportance
	fs.banner.Hide()
	fs.saved = widget.NewLabel("")
	fs.saved.Importance = widget.LowImportance
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

	buttons := container.NewGridWithColumns(2, fs.back, container.NewStack(fs.next, fs.submit))
	top := container.NewVBox(fs.stepTitle, fs.progress, fs.banner)
	bottom := container.NewVBox(fs.saved, buttons)
	fs.root = container.NewBorder(top, bottom, nil, nil, container.NewVScroll(container.NewPadded(fs.body)))
	fs.showStep()
	return fs
}

func (fs *formScreen) content() fyne.CanvasObject { return fs.root }

// showStep builds the current step's fields.
func (fs *formScreen) showStep() {
	st := &fs.form.Def.Steps[fs.step]
	fs.stepTitle.SetText(st.Title.In(fs.lang))
	fs.progress.SetValue(float64(fs.step+1) / float64(len(fs.form.Def.Steps)))
	fs.body.RemoveAll()
	fs.inputs = fs.inputs[:0]
	if fs.step == 0 {
		if intro := fs.form.Def.Intro.In(fs.lang); intro != "" {
			fs.body.Add(wrapped(intro))
		}
	}
	defaulted := false
	for i := range st.Fields {
		fd := &st.Fields[i]
		if _, set := fs.draft.Values[fd.Key]; fd.Widget == api.WidgetBoolean && !set {
			// An unticked box says "no": store it, so that it is never
			// reported as missing.
			fs.draft.Values[fd.Key] = false
			defaulted = true
		}
		fi := newFieldInput(fd, fs.form.Required(fd), fs.draft.Values[fd.Key], fs.lang, func(v any) { fs.onFieldChanged(fd, v) })
		fs.inputs = append(fs.inputs, fi)
		fs.body.Add(fi.box)
	}
	if defaulted {
		fs.save()
	}
	last := fs.step == len(fs.form.Def.Steps)-1
	if fs.step == 0 {
		fs.back.Disable()
	} else {
		fs.back.Enable()
	}
	if last {
		fs.next.Hide()
		fs.submit.Show()
	} else {
		fs.next.Show()
		fs.submit.Hide()
	}
	fs.showErrors()
}

// onFieldChanged keeps the new value and saves the draft at once.
func (fs *formScreen) onFieldChanged(fd *api.Field, v any) {
	if v == nil {
		delete(fs.draft.Values, fd.Key)
	} else {
		fs.draft.Values[fd.Key] = v
	}
	fs.touched[fd.Pointer()] = true
	delete(fs.serverErrs, fd.Pointer())
	fs.save()
	fs.showErrors()
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

// errors validates the whole draft and returns the first error per field.
func (fs *formScreen) errors() map[string]api.FieldError {
	out := map[string]api.FieldError{}
	for _, e := range fs.form.Validate(fs.draft.Values) {
		if _, seen := out[e.Pointer]; !seen {
			out[e.Pointer] = e
		}
	}
	return out
}

// showErrors puts each error of the current step on its field: the
// validator's for touched fields, else the backend's.
func (fs *formScreen) showErrors() int {
	errs := fs.errors()
	shown := 0
	for _, fi := range fs.inputs {
		p := fi.field.Pointer()
		msg := ""
		if e, ok := errs[p]; ok && fs.touched[p] {
			msg = messageIn(e, fs.lang)
		} else if e, ok := fs.serverErrs[p]; ok {
			msg = messageIn(e, fs.lang)
		}
		if msg != "" {
			shown++
		}
		fi.setError(msg)
	}
	return shown
}

func messageIn(e api.FieldError, lng string) string {
	if m := e.Message.In(lng); m != "" {
		return m
	}
	return e.Detail
}

// stepOf returns the index of the step holding pointer, or -1.
func (fs *formScreen) stepOf(pointer string) int {
	for i, st := range fs.form.Def.Steps {
		for j := range st.Fields {
			if st.Fields[j].Pointer() == pointer {
				return i
			}
		}
	}
	return -1
}

// checkStep marks the step's fields touched and reports whether any of
// them has an error.
func (fs *formScreen) checkStep(step int) bool {
	for _, fd := range fs.form.Def.Steps[step].Fields {
		if fd.Widget.HasValue() {
			fs.touched[fd.Pointer()] = true
		}
	}
	for p := range fs.errors() {
		if fs.stepOf(p) == step {
			return true
		}
	}
	for p := range fs.serverErrs {
		if fs.stepOf(p) == step {
			return true
		}
	}
	return false
}

func (fs *formScreen) onBack() {
	if fs.step > 0 {
		fs.step--
		fs.save()
		fs.showStep()
	}
}

func (fs *formScreen) onNext() {
	if fs.checkStep(fs.step) {
		fs.showErrors()
		fs.saved.Importance = widget.DangerImportance
		fs.saved.SetText(lang.L("Please correct the marked fields."))
		return
	}
	fs.step++
	fs.save()
	fs.showStep()
}

// onSubmit checks every step, then queues the draft in the outbox and wakes
// the sync engine.
func (fs *formScreen) onSubmit() {
	for i := range fs.form.Def.Steps {
		if fs.checkStep(i) {
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
	if _, err := fs.ui.store.Submit(ctx, fs.draft.ID); err != nil {
		fs.ui.showError(err)
		return
	}
	fs.ui.syncer.Kick()
	fs.ui.nav.popToRoot()
	fs.ui.drafts.refresh()
	fs.ui.tabs.SelectIndex(1)
	dialog.ShowInformation(lang.L("Submitted"),
		lang.L("Your form is in the outbox. It is sent as soon as there is a connection; you can follow it under My drafts."), fs.ui.win)
}
