package forms

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/ui/kit"
)

// ServiceScreen shows what a service is, what it costs and how long it
// takes, and starts or continues its form.
type ServiceScreen struct {
	area    *Area
	service api.Service
	draft   *citizen.Draft // the newest open draft of this service, if any

	start   *kit.Button
	resume  *kit.Button
	book    *kit.Button // nil where the service has no appointments
	problem *widget.Label
}

// ServiceScreen builds the screen of a service.
func (a *Area) ServiceScreen(s api.Service) *ServiceScreen {
	sc := &ServiceScreen{area: a, service: s}
	sc.start = kit.NewWrapButton(lang.L("Fill in the form"), theme.DocumentCreateIcon(), sc.onStart)
	sc.start.Importance = widget.HighImportance
	sc.resume = kit.NewWrapButton(lang.L("Continue my draft"), theme.DocumentIcon(), sc.onResume)
	sc.problem = kit.Wrapped("")
	sc.problem.Importance = widget.DangerImportance
	sc.problem.Hide()

	ctx, cancel := a.ctx()
	defer cancel()
	if drafts, err := a.Store.Drafts(ctx); err == nil {
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
	if ap := a.Appointments; ap != nil && ap.Offers(s.ID) {
		sc.book = kit.NewWrapButton(lang.L("Book an appointment"), theme.CalendarIcon(), func() { ap.OpenBooking(s.ID) })
	}
	if _, err := a.form(s.Form); err != nil {
		sc.problem.SetText(lang.L("This form is not on your device yet. Connect to the internet once to load it."))
		sc.problem.Show()
		sc.start.Disable()
	}
	return sc
}

// Title is the service's name.
func (sc *ServiceScreen) Title() string { return sc.service.Title.In(kit.Lang()) }

// Content lays the screen out.
func (sc *ServiceScreen) Content() fyne.CanvasObject {
	l := kit.Lang()
	// Each fact's name above its value, both wrapping: fyne's form keeps
	// its names on one line in a column, in Ukrainian wider than a phone.
	facts := container.NewVBox()
	fact := func(name string, value string) {
		facts.Add(container.New(layout.NewCustomPaddedVBoxLayout(0), kit.Heading(name), kit.Wrapped(value)))
	}
	if v := sc.service.Fee.In(l); v != "" {
		fact(lang.L("Fee"), v)
	}
	if v := sc.service.Duration.In(l); v != "" {
		fact(lang.L("Processing time"), v)
	}
	if v := sc.service.OfficeName.In(l); v != "" {
		fact(lang.L("Office"), v)
	} else if v := sc.service.Office; v != "" {
		fact(lang.L("Office"), v)
	}
	box := container.NewVBox(kit.Heading(sc.service.Title.In(l)), kit.Wrapped(sc.service.Summary.In(l)), facts, sc.problem, sc.resume, sc.start)
	if sc.book != nil {
		box.Add(sc.book)
	}
	return kit.NewVScroll(container.NewPadded(box))
}

func (sc *ServiceScreen) onStart() {
	ctx, cancel := sc.area.ctx()
	defer cancel()
	d := citizen.NewDraft(sc.service, timeNow())
	if err := sc.area.Store.CreateDraft(ctx, d); err != nil {
		sc.area.showError(err)
		return
	}
	sc.area.Nav.OpenDraft(d)
}

func (sc *ServiceScreen) onResume() {
	if sc.draft != nil {
		sc.area.Nav.OpenDraft(sc.draft)
	}
}
