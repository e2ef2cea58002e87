package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/app/citizen"
)

// serviceScreen shows what a service is, what it costs and how long it
// takes, and starts or continues its form.
type serviceScreen struct {
	ui      *UI
	service api.Service
	draft   *citizen.Draft // the newest open draft of this service, if any

	start   *widget.Button
	resume  *widget.Button
	problem *widget.Label
}

func newServiceScreen(u *UI, s api.Service) *serviceScreen {
	sc := &serviceScreen{ui: u, service: s}
	sc.start = widget.NewButtonWithIcon(lang.L("Fill in the form"), theme.DocumentCreateIcon(), sc.onStart)
	sc.start.Importance = widget.HighImportance
	sc.resume = widget.NewButtonWithIcon(lang.L("Continue my draft"), theme.DocumentIcon(), sc.onResume)
	sc.problem = widget.NewLabel("")
	sc.problem.Wrapping = fyne.TextWrapWord
	sc.problem.Importance = widget.DangerImportance
	sc.problem.Hide()

	ctx, cancel := u.ctx()
	defer cancel()
	if drafts, err := u.store.Drafts(ctx); err == nil {
		for _, d := range drafts {
			if d.Service == s.ID && d.State == citizen.DraftEditing && !d.Locked {
				sc.draft = d
				break
			}
		}
	}
	if sc.draft == nil {
		sc.resume.Hide()
	} else {
		sc.start.SetText(lang.L("Start a new form"))
		sc.start.Importance = widget.MediumImportance
		sc.resume.Importance = widget.HighImportance
	}
	if _, err := u.form(s.Form); err != nil {
		sc.problem.SetText(lang.L("This form is not on your device yet. Connect to the internet once to load it."))
		sc.problem.Show()
		sc.start.Disable()
	}
	return sc
}

func (sc *serviceScreen) content() fyne.CanvasObject {
	l := currentLang()
	title := widget.NewLabel(sc.service.Title.In(l))
	title.TextStyle = fyne.TextStyle{Bold: true}
	title.Wrapping = fyne.TextWrapWord
	summary := widget.NewLabel(sc.service.Summary.In(l))
	summary.Wrapping = fyne.TextWrapWord
	facts := widget.NewForm()
	if v := sc.service.Fee.In(l); v != "" {
		facts.Append(lang.L("Fee"), wrapped(v))
	}
	if v := sc.service.Duration.In(l); v != "" {
		facts.Append(lang.L("Processing time"), wrapped(v))
	}
	if v := sc.service.Office; v != "" {
		facts.Append(lang.L("Office"), wrapped(v))
	}
	box := container.NewVBox(title, summary, facts, sc.problem, sc.resume, sc.start)
	return container.NewVScroll(container.NewPadded(box))
}

func wrapped(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func (sc *serviceScreen) onStart() {
	ctx, cancel := sc.ui.ctx()
	defer cancel()
	d := citizen.NewDraft(sc.service, timeNow())
	if err := sc.ui.store.CreateDraft(ctx, d); err != nil {
		sc.ui.showError(err)
		return
	}
	sc.ui.openDraft(d)
}

func (sc *serviceScreen) onResume() {
	if sc.draft != nil {
		sc.ui.openDraft(sc.draft)
	}
}
