package forms

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/api/formschema"
	"rathaus/app/citizen"
	"rathaus/app/fill"
	"rathaus/ui/kit"
)

// FormScreen shows a draft being filled in (a fill.State), step by step,
// ending on a summary to check before sending. Every change goes to the
// state, which saves it once the citizen pauses, and at once on a step
// change, on leaving and on sending; the line above the buttons says
// "saved" only for what a save covered. Errors show on their field as the
// citizen types (once the field was touched) and block "next" and
// "submit". Every step opens at its top, or at its first field with an
// error.
type FormScreen struct {
	area  *Area
	state *fill.State
	form  *formschema.Form
	lang  string
	// shown is the save status the saved line last answered (a status or
	// "please correct"), so that a save that ends later does not take
	// the place of a newer message.
	shown fill.SaveStatus

	root      *fyne.Container
	stepTitle *widget.Label
	progress  *widget.ProgressBar
	notices   *fyne.Container // newer version, conflicts
	banner    *widget.Label   // the town hall's refusal
	body      *fyne.Container
	scroll    *kit.Scroll
	saved     *widget.Label
	back      *kit.Button
	next      *kit.Button
	submit    *kit.Button

	inputs map[string]*fieldInput       // the step's fields by instance pointer
	order  []string                     // their pointers in the order shown
	blocks map[string]fyne.CanvasObject // what each conditional field shows
}

// FormScreen builds the form screen of a draft.
func (a *Area) FormScreen(d *citizen.Draft) (*FormScreen, error) {
	f, err := a.form(d.Form)
	if err != nil {
		return nil, err
	}
	fs := &FormScreen{area: a, form: f, lang: kit.Lang()}
	fs.state = a.takeOver(d.ID)
	if fs.state == nil {
		var opts []fill.Option
		if a.Clock != nil {
			opts = append(opts, fill.WithClock(a.Clock))
		}
		fs.state = fill.New(f, d, fs.lang, a.Store, opts...)
	}
	// The timer's saves end on a goroutine of their own.
	fs.state.Notify(func() { fyne.Do(fs.onSaved) })
	a.opened(fs)
	fs.stepTitle = kit.Heading("")
	fs.progress = widget.NewProgressBar()
	fs.progress.TextFormatter = fs.progressText
	fs.banner = kit.Wrapped(lang.L("The town hall did not accept this form. Please correct the marked fields and send it again."))
	fs.banner.Importance = widget.DangerImportance
	if fs.state.Answering() {
		fs.banner.Importance = widget.WarningImportance // before SetText, which draws it
		fs.banner.SetText(answerBanner(a, d.Answers))
	} else if !fs.state.Rejected() {
		fs.banner.Hide()
	}
	fs.notices = container.NewVBox()
	fs.saved = kit.Wrapped("")
	fs.saved.Importance = widget.LowImportance
	fs.back = kit.NewButton(lang.L("Back"), theme.NavigateBackIcon(), fs.onBack)
	fs.next = kit.NewButton(lang.L("Next"), theme.NavigateNextIcon(), fs.onNext)
	fs.next.IconPlacement = widget.ButtonIconTrailingText
	fs.next.Importance = widget.HighImportance
	fs.submit = kit.NewButton(lang.L("Submit"), theme.MailSendIcon(), fs.onSubmit)
	fs.submit.Importance = widget.HighImportance
	fs.body = container.NewVBox()
	fs.scroll = kit.NewVScroll(container.NewPadded(fs.body))
	fs.addNotices()

	// Outside the scroll: a long step never pushes them off the screen.
	buttons := kit.NewPair(fs.back, container.NewStack(fs.next, fs.submit))
	top := container.NewVBox(fs.stepTitle, fs.progress, fs.notices, fs.banner)
	bottom := container.NewVBox(fs.saved, buttons)
	fs.root = container.NewBorder(top, bottom, nil, nil, fs.scroll)
	fs.showStep()
	return fs, nil
}

// Content is the screen's root.
func (fs *FormScreen) Content() fyne.CanvasObject { return fs.root }

// Shown is for whoever puts the screen on the window, once it is there:
// the step opens at its first error (a refused draft's, say), which needs
// the screen laid out on its canvas.
func (fs *FormScreen) Shown() { fs.place() }

// Left is for whoever takes the screen off the window for good: what
// waits is saved now. If that fails (a full disk) the citizen is told, and
// the area keeps the values, tries again with every flush and opens the
// draft with them again.
func (fs *FormScreen) Left() {
	if err := fs.flush(); err != nil {
		kit.ShowError(textError(fs.notSaved(err)), fs.area.Window)
		return
	}
	fs.area.closed(fs)
}

// flush saves what waits now and says so.
func (fs *FormScreen) flush() error {
	err := fs.state.Flush()
	fs.showSaved()
	return err
}

// Title is the service's name, or the form's.
func (fs *FormScreen) Title() string {
	if s, ok := fs.area.Catalog.Service(fs.state.Draft().Service); ok {
		if t := s.Title.In(fs.lang); t != "" {
			return t
		}
	}
	return fs.form.Def.Title.In(fs.lang)
}

func (fs *FormScreen) progressText() string {
	k, n := fs.state.Position()
	return lang.L("Step {{.Step}} of {{.Total}}", map[string]any{"Step": k, "Total": n})
}

func (fs *FormScreen) progressValue() float64 {
	k, n := fs.state.Position()
	return float64(k) / float64(n)
}

// showStep shows the current step, or the summary, from its top or from
// its first field with an error.
func (fs *FormScreen) showStep() {
	fs.build()
	fs.place()
}

// build builds the current step's fields, or the summary.
func (fs *FormScreen) build() {
	fs.body.RemoveAll()
	fs.inputs, fs.blocks, fs.order = map[string]*fieldInput{}, map[string]fyne.CanvasObject{}, nil
	if fs.state.OnSummary() {
		fs.stepTitle.SetText(lang.L("Check and send"))
		fs.showSummary()
	} else {
		st := &fs.form.Def.Steps[fs.state.Step()]
		fs.stepTitle.SetText(st.Title.In(fs.lang))
		if fs.state.First() {
			if intro := fs.form.Def.Intro.In(fs.lang); intro != "" {
				fs.body.Add(kit.Wrapped(intro))
			}
		}
		fs.renderFields(st.Fields, "", fs.body)
	}
	if fs.state.First() {
		fs.back.Disable()
	} else {
		fs.back.Enable()
	}
	if fs.state.OnSummary() {
		fs.next.Hide()
		fs.submit.Show()
	} else {
		fs.next.Show()
		fs.submit.Hide()
	}
	// Lay the footer out again: "Submit" can be wider than "Next" (in
	// Ukrainian at 200 %), so that the pair stacks.
	fs.root.Refresh()
	fs.refresh()
	fs.showSaved()
}

// place scrolls the step to its first field with an error, and focuses
// that field's input, or to its top.
func (fs *FormScreen) place() {
	p := fs.state.Focus()
	fi := fs.inputs[p]
	if fi == nil {
		fs.scroll.ScrollToTop()
		return
	}
	fs.scroll.ScrollTo(fi.box)
	if f, ok := fi.input.(fyne.Focusable); ok {
		if c := fyne.CurrentApp().Driver().CanvasForObject(fs.root); c != nil {
			c.Focus(f)
		}
	}
}

// refresh shows and hides the conditional fields and puts each error of
// the step on its field.
func (fs *FormScreen) refresh() {
	for p, obj := range fs.blocks {
		if fs.state.FieldShown(p) {
			obj.Show()
		} else {
			obj.Hide()
		}
	}
	for _, p := range fs.order {
		fs.inputs[p].setError(fs.state.Message(p))
	}
	fs.progress.SetValue(fs.progressValue())
}

// showSaved says whether the changes are saved: "saved at" only for what
// a save covered, "saving" while changes wait, and a failed save until one
// works.
func (fs *FormScreen) showSaved() {
	st := fs.state.SaveStatus()
	fs.shown = st
	switch {
	case st.Err != nil:
		fs.saved.Importance = widget.DangerImportance
		fs.saved.SetText(fs.notSaved(st.Err))
	case st.Pending:
		fs.saved.Importance = widget.LowImportance
		fs.saved.SetText(lang.L("Saving…"))
	case !st.Saved.IsZero():
		fs.saved.Importance = widget.LowImportance
		fs.saved.SetText(lang.L("Draft saved at {{.Time}}", map[string]any{"Time": st.Saved.Local().Format("15:04:05")}))
	}
}

func (fs *FormScreen) notSaved(err error) string {
	return lang.L("Not saved: {{.Error}}", map[string]any{"Error": kit.ErrorText(err)})
}

// onSaved shows the end of a save the timer started, unless the line
// already answered that status (a flush waited for the save).
func (fs *FormScreen) onSaved() {
	if st := fs.state.SaveStatus(); !sameStatus(st, fs.shown) {
		fs.showSaved()
	}
}

func sameStatus(a, b fill.SaveStatus) bool {
	return a.Pending == b.Pending && a.Saved.Equal(b.Saved) && (a.Err == nil) == (b.Err == nil) &&
		(a.Err == nil || a.Err.Error() == b.Err.Error())
}

// blocked says that the marked fields need correcting.
func (fs *FormScreen) blocked() {
	fs.shown = fs.state.SaveStatus()
	fs.saved.Importance = widget.DangerImportance
	fs.saved.SetText(lang.L("Please correct the marked fields."))
}

// onChange keeps a new value (nil removes it) and shows what follows
// from it.
func (fs *FormScreen) onChange(pointer string, v any) {
	fs.state.Set(pointer, v)
	fs.refresh()
	fs.showSaved()
}

func (fs *FormScreen) onBack() { fs.StepBack() }

// StepBack goes back a step, as the Back button does; it reports whether
// there was one (the shell's Escape and back key leave the form at its
// first step).
func (fs *FormScreen) StepBack() bool {
	if !fs.state.Back() {
		return false
	}
	fs.showStep()
	return true
}

func (fs *FormScreen) onNext() {
	if !fs.state.Next() {
		fs.refresh()
		fs.blocked()
		fs.place()
		return
	}
	fs.showStep()
}

// onChangeStep shows step i (the summary's "change" buttons).
func (fs *FormScreen) onChangeStep(i int) {
	fs.state.GoTo(i)
	fs.showStep()
}

// onSubmit checks every shown step, then queues the draft in the outbox,
// wakes the sync engine and shows what became of it.
func (fs *FormScreen) onSubmit() {
	if !fs.state.CheckAll() {
		fs.showStep()
		fs.blocked()
		return
	}
	if fs.flush() != nil {
		return
	}
	ctx, cancel := fs.area.ctx()
	defer cancel()
	id := fs.state.Draft().ID
	if _, err := fs.area.Store.Submit(ctx, id, fs.state.Payload()); err != nil {
		fs.area.showError(err)
		return
	}
	fs.area.Sync.Kick()
	fs.area.Nav.ShowSubmitted(id)
}

// answerBanner says, on a draft reopened to answer the town hall, what the
// town hall asked for (its case's last note).
func answerBanner(a *Area, caseID string) string {
	msg := ""
	cases, _ := a.Store.Cases(context.Background())
	for _, c := range cases {
		if c.ID == caseID && len(c.History) > 0 {
			msg = c.History[len(c.History)-1].Note.In(kit.Lang())
		}
	}
	if msg == "" {
		return lang.L("The town hall asks for more information. Please complete the marked fields and send the application again.")
	}
	return lang.L("The town hall asks: {{.Message}}", map[string]any{"Message": msg}) + "\n" +
		lang.L("Please complete the application and send it again.")
}
