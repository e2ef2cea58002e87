package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/ui/appointments"
	"rathaus/ui/assistant"
	"rathaus/ui/catalog"
	"rathaus/ui/forms"
	"rathaus/ui/kit"
)

// The shell is the one place screens navigate through: each area declares
// the moves its screens make, and the shell makes them.
var (
	_ catalog.Navigator   = (*UI)(nil)
	_ forms.Navigator     = (*UI)(nil)
	_ assistant.Navigator = (*UI)(nil)
)

// OpenService shows a service's details above the services, on their tab
// when it was opened from another (the assistant's answer).
func (u *UI) OpenService(s api.Service) {
	if u.tabs != nil && u.tabs.SelectedIndex() != 0 {
		u.nav.popToRoot()
		u.tabs.SelectIndex(0)
	}
	sc := u.forms.ServiceScreen(s)
	u.nav.push(sc.Content(), sc.Title(), nil)
}

// OpenDraft shows a draft's form on the services tab: above the screen
// that opened it there, or alone when it was opened elsewhere.
func (u *UI) OpenDraft(d *citizen.Draft) {
	fs, err := u.forms.FormScreen(d)
	if err != nil {
		u.showError(err)
		return
	}
	if u.tabs.SelectedIndex() != 0 {
		u.nav.popToRoot()
		u.tabs.SelectIndex(0)
	}
	u.nav.push(fs.Content(), fs.Title(), fs.Left)
	u.nav.setStepBack(fs.StepBack)
	u.openDraft, u.openForm = d.ID, fs.Content()
	fs.Shown()
}

// ShowSubmitted leaves the form just sent for "My applications", which
// says what became of it.
func (u *UI) ShowSubmitted(draftID string) {
	u.nav.popToRoot()
	u.tabs.SelectIndex(1)
	u.apps.ShowSubmitted(draftID)
}

// AskAssistant shows the assistant answering question.
func (u *UI) AskAssistant(question string) {
	for _, t := range u.tabs.Items {
		if t.Content == u.assistant.Content() {
			u.tabs.Select(t)
		}
	}
	u.assistant.Ask(question)
}

// OpenHelp shows the help and contact screen.
func (u *UI) OpenHelp() {
	for _, t := range u.tabs.Items {
		if t.Content == u.help.Content() {
			u.tabs.Select(t)
		}
	}
}

// Back leaves the screen on top of the services tab.
func (u *UI) Back() { u.nav.pop() }

// Service finds a service of the catalog by id.
func (u *UI) Service(id string) (api.Service, bool) { return u.home.Service(id) }

// apptsNavigator moves between the appointments' screens, on their tab.
type apptsNavigator struct{ u *UI }

var _ appointments.Navigator = apptsNavigator{}

func (n apptsNavigator) show() {
	if n.u.tabs.Selected().Content != n.u.apptsNav.content() {
		for i, t := range n.u.tabs.Items {
			if t.Content == n.u.apptsNav.content() {
				n.u.tabs.SelectIndex(i)
			}
		}
	}
}

// OpenBooking shows the choice of a time above the appointments.
func (n apptsNavigator) OpenBooking(service, replaces string) {
	n.show()
	b := n.u.appts.BookScreen(service, replaces)
	n.u.apptsNav.push(b.Content(), b.Title(), nil)
}

// OpenTicket shows an appointment above the list (a booking just made
// replaces the choice of its time).
func (n apptsNavigator) OpenTicket(local string) {
	n.show()
	n.u.apptsNav.popToRoot()
	t := n.u.appts.TicketScreen(local)
	n.u.apptsNav.push(t.Content(), t.Title(), nil)
}

// AppointmentsHome goes back to the list.
func (n apptsNavigator) AppointmentsHome() {
	n.show()
	n.u.apptsNav.popToRoot()
}

// serviceAppointments leads from a service's screen to booking an
// appointment for it.
type serviceAppointments struct{ u *UI }

var _ forms.Appointments = serviceAppointments{}

func (s serviceAppointments) Offers(service string) bool { return s.u.appts.Offers(service) }

func (s serviceAppointments) OpenBooking(service string) {
	apptsNavigator(s).OpenBooking(service, "")
}

// navigator is a stack of screens with a back button and a title. Unlike
// fyne's container.Navigation it has no "forward": a screen left behind (a
// form already submitted) can never come back stale.
type navigator struct {
	bar    *fyne.Container // back button and title, hidden on the root screen
	back   *kit.Button
	title  *widget.Label
	stack  *fyne.Container
	titles []string
	lefts  []func() // per screen, called when it is taken off (or nil)
	root   *fyne.Container

	// per screen, a way back within it (a form's steps; or nil), tried
	// before the screen is left by Escape or the back key
	stepBacks []func() bool
}

func newNavigator(root fyne.CanvasObject, title string) *navigator {
	n := &navigator{stack: container.NewStack(root), titles: []string{title}, lefts: []func(){nil}, stepBacks: []func() bool{nil}}
	n.back = kit.NewButton("", theme.NavigateBackIcon(), func() { n.pop() })
	n.title = widget.NewLabel(title)
	n.title.TextStyle = fyne.TextStyle{Bold: true}
	n.title.Truncation = fyne.TextTruncateEllipsis
	n.bar = container.NewBorder(nil, nil, n.back, nil, n.title)
	n.root = container.NewBorder(n.bar, nil, nil, nil, n.stack)
	n.refresh()
	return n
}

func (n *navigator) content() fyne.CanvasObject { return n.root }

// top is the screen shown.
func (n *navigator) top() fyne.CanvasObject { return n.stack.Objects[len(n.stack.Objects)-1] }

// push shows obj on top; left, if not nil, is called when obj is taken
// off (a form saves what waits).
func (n *navigator) push(obj fyne.CanvasObject, title string, left func()) {
	if len(n.stack.Objects) > 0 {
		n.stack.Objects[len(n.stack.Objects)-1].Hide()
	}
	obj.Show()
	n.stack.Objects = append(n.stack.Objects, obj)
	n.titles = append(n.titles, title)
	n.lefts = append(n.lefts, left)
	n.stepBacks = append(n.stepBacks, nil)
	n.refresh()
}

// setStepBack gives the top screen a way back within it, which reports
// whether there was one (a form goes back a step).
func (n *navigator) setStepBack(f func() bool) { n.stepBacks[len(n.stepBacks)-1] = f }

// backOne goes back a step on the top screen if it has one, else leaves the
// screen (never the root); it reports whether it did either.
func (n *navigator) backOne() bool {
	if f := n.stepBacks[len(n.stepBacks)-1]; f != nil && f() {
		return true
	}
	return n.pop()
}

// pop removes the top screen, never the root; it reports whether it did.
func (n *navigator) pop() bool {
	last := len(n.stack.Objects) - 1
	if last < 1 {
		return false
	}
	left := n.lefts[last]
	n.stack.Objects = n.stack.Objects[:last]
	n.titles = n.titles[:last]
	n.lefts = n.lefts[:last]
	n.stepBacks = n.stepBacks[:last]
	n.stack.Objects[last-1].Show()
	n.refresh()
	if left != nil {
		left()
	}
	return true
}

// popToRoot goes back to the first screen.
func (n *navigator) popToRoot() {
	for n.pop() {
	}
}

func (n *navigator) refresh() {
	if len(n.stack.Objects) > 1 {
		n.bar.Show()
	} else {
		n.bar.Hide()
	}
	n.title.SetText(n.titles[len(n.titles)-1])
	// The bar came or went: lay out again, once there is a size to lay
	// out in. Before the first layout (a navigator just made) a refresh
	// would lay out every wrapping text at no width, a word a line, which
	// cost a tenth of a second of the start; the first layout does it.
	if !n.root.Size().IsZero() {
		n.root.Refresh()
	}
}
