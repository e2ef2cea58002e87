// Package ui is the app's shell: the main window with its tabs, the
// navigation between screens, the sync line and the language. Each area of
// the app has its screens in a package of its own below (catalog: the
// services and their search; forms: a service, its form, "My
// applications"; about: how the data is kept), with the widgets they share
// in ui/kit. The start-up problem window (startup.go) is the shell's too.
// Screens lead elsewhere only through the Navigator their area declares,
// which the shell implements (nav.go); updates from other goroutines go
// through fyne.Do. The shell hands each status of the sync engine to the
// areas, which reload only what a pass changed.
//
// A new area (reports, appointments, assistant, open data, account, kiosk)
// follows by analogy: a package ui/<area> with one struct per screen
// (widgets and dependencies, onXxx handlers, a Content method), the Store
// and Navigator interfaces it consumes, its state free of Fyne in app/ when
// it has any; the shell builds it in New, gives it a tab or a place on the
// navigator, implements its Navigator and, if it shows synced data, hands
// it the engine's statuses.
package ui

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/fill"
	"rathaus/app/handoff"
	"rathaus/app/search"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/sync/engine"
	"rathaus/ui/about"
	"rathaus/ui/account"
	"rathaus/ui/appointments"
	"rathaus/ui/assistant"
	"rathaus/ui/catalog"
	"rathaus/ui/forms"
	"rathaus/ui/help"
	"rathaus/ui/kit"
	"rathaus/ui/opendata"
	"rathaus/ui/polls"
	"rathaus/ui/reports"
	"rathaus/ui/settings"
)

// Store is what the app's screens need of the local database.
type Store interface {
	forms.Store
	reports.Store
	appointments.Store
	opendata.Store
	polls.Store
	settings.Store
	Catalog(ctx context.Context) (cat api.Catalog, etag, source string, err error)
}

// Syncer is what the app's screens need of the sync engine.
type Syncer interface {
	Kick()
	SyncNow()
	Status() engine.Status
	OnChange(func(engine.Status))
	RefreshReports(ctx context.Context) error
	RefreshReportHistory(ctx context.Context, reportID string) (changed bool, err error)
	// OnNews tells the town's steps on the device's cases and reports,
	// once each (notifications).
	OnNews(func([]citizen.News))
	appointments.Syncer
	opendata.Syncer
	polls.Syncer
}

var (
	_ Store  = (*store.Store)(nil)
	_ Syncer = (*engine.Engine)(nil)
)

// Deps are what the UI is built on.
type Deps struct {
	Store Store
	Sync  Syncer
	// Protection and DataDir are shown on the about screen: where the data
	// key is kept, and the data folder.
	Protection secrets.Backend
	DataDir    string
	// Clock is the time forms save by while the citizen types; nil is the
	// real time.
	Clock fill.Clock
	// Index is the search index in the app's database (search.Open on
	// the store's); nil: one in memory, built at start.
	Index *search.Index
	// Notifier raises the notifications of the town's steps; nil: the
	// fyne app's (SendNotification).
	Notifier Notifier
	// Account is the login (sync/login.Manager); nil: the app has none
	// (no account section, no login notice on forms).
	Account account.Login
	// FixedLanguage: the language was given from outside (RATHAUS_LANG),
	// so the one the citizen chose before is not applied at start.
	FixedLanguage bool
	// Window and Frame, when set, put the screens into a window that
	// exists (a kiosk's), each content wrapped by Frame (its session bar).
	Window fyne.Window
	Frame  func(fyne.CanvasObject) fyne.CanvasObject
	// Claimer, when set, offers "Take over a draft" from a kiosk in the
	// settings (the portal client).
	Claimer handoff.Claimer
}

// UI is the app's main window and its screens.
type UI struct {
	app      fyne.App
	deps     Deps
	notifier Notifier
	win      fyne.Window
	store    Store
	syncer   Syncer

	index     *search.Index
	nav       *navigator
	tabs      *areaTabs
	home      *catalog.Home
	forms     *forms.Area
	apps      *forms.Applications
	indicator *syncIndicator
	report    *reports.Screen

	assistant *assistant.Screen
	help      *help.Screen

	appts    *appointments.Area
	apptsNav *navigator

	openData *opendata.Screen

	polls *polls.Screen

	settings      *settings.Screen
	account       *account.Screen // in the settings; nil without a login
	aboutNav      *navigator      // the about screen, and the settings above it
	stopReminders context.CancelFunc
	picker        *kit.LanguagePicker // on the about tab
	// openDraft is the draft whose form is on the services tab, and
	// openForm that form's screen: a language switch opens it again.
	openDraft string
	openForm  fyne.CanvasObject
	content   fyne.CanvasObject // what build made, for show
}

// show puts what build made on the window.
func (u *UI) show() {
	u.win.SetContent(u.content)
	u.bindKeys()
}

// New builds the main window; call ShowAndRun on the result's Window.
func New(a fyne.App, d Deps) *UI {
	LoadFonts() // or waits for main's: a face may not shape two texts at once
	u := newUI(a, d)
	u.build()
	u.show()
	u.attach()
	return u
}

// NewWindow makes the app's main window, at its first size. The first
// window starts fyne's driver (a connection to the display server), so
// main makes it while the data opens and hands it over in Deps.Window.
func NewWindow(a fyne.App) fyne.Window {
	w := a.NewWindow(lang.L("Rathaus"))
	w.Resize(windowSize(a))
	return w
}

// newUI applies the citizen's settings and language and makes the window,
// on the main goroutine.
func newUI(a fyne.App, d Deps) *UI {
	u := &UI{app: a, deps: d, store: d.Store, syncer: d.Sync, notifier: d.Notifier}
	if u.notifier == nil {
		u.notifier = a
	}
	// Text size and contrast as the citizen chose them, before the first
	// screen is laid out.
	settings.Apply(a, settings.Load(context.Background(), d.Store))
	if !d.FixedLanguage {
		u.startRememberedLanguage()
	}
	u.win = d.Window
	if u.win == nil {
		u.win = NewWindow(a)
	}

	u.index = d.Index
	if u.index == nil {
		var err error
		if u.index, err = search.OpenMemory(context.Background()); err != nil {
			panic("an SQLite database in memory cannot be opened: " + err.Error())
		}
	}
	return u
}

// attach hooks the screens on the window to the app and the sync engine,
// on the main goroutine.
func (u *UI) attach() {
	a, d := u.app, u.deps
	u.indicator.show(u.syncer.Status())

	// A form saves while the citizen pauses; what waits is saved at once
	// when the app may be stopped without a word (a phone sends it to the
	// background first) and when it quits or its window closes. (Through
	// u: a language switch builds a new forms area.)
	a.Lifecycle().SetOnExitedForeground(func() { u.forms.Flush() })
	a.Lifecycle().SetOnStopped(func() { u.forms.Flush() })
	u.win.SetOnClosed(func() { u.forms.Flush(); u.stopReminders() })

	// The sync line shows every status; the screens reload only when a
	// pass changed their data (a reload of "My applications" reads and
	// unseals every draft): the forms area knows what its screens show,
	// the services follow the catalog.
	d.Sync.OnChange(func(st engine.Status) {
		fyne.Do(func() {
			u.indicator.show(st)
			u.apps.StatusChanged(st)
			u.appts.StatusChanged(st)
			if st.Changed.Any(engine.ChangedCatalog) {
				u.loadCatalog()
			}
			if st.Changed.Any(engine.ChangedOutbox | engine.ChangedReports) {
				if u.report != nil {
					u.report.Refresh()
				}
			}
			if u.account != nil && st.State == engine.Idle && u.account.Pending() {
				u.account.Reload() // the link may have gone through (main's Resume)
			}
			if st.Changed.Any(engine.ChangedOutbox) {
				u.polls.AnswersChanged()
			}
		})
	})
	d.Sync.OnNews(u.notifyNews)
}

// build makes every screen and the tabs, in the current language: at
// start (off the main goroutine, see Start: nothing here touches the
// window or a shown widget), and again after a language switch, which
// shows them at once.
func (u *UI) build() {
	a, d := u.app, u.deps
	u.home = catalog.NewHome(u, u.index)
	u.assistant = assistant.NewScreen(u.index, u, a.OpenURL)
	u.help = help.NewScreen(a.OpenURL)
	fd := forms.Deps{Store: d.Store, Sync: d.Sync, Catalog: u.home, Nav: u, Window: u.win, Clock: d.Clock,
		Appointments: serviceAppointments{u}}
	if d.Account != nil {
		fd.Account = formsAccount{u}
	}
	u.forms = forms.New(fd)
	u.apps = u.forms.Applications()
	u.picker = kit.NewLanguagePicker(u.SwitchLanguage)
	info := about.NewScreen(d.Protection, d.DataDir, u.picker)
	u.report = nil // built when first opened, in the language of then
	u.loadCatalog()
	u.indicator = newSyncIndicator(u)
	u.openData = opendata.New(opendata.Deps{Store: d.Store, Sync: d.Sync, Catalog: u.home})
	u.polls = polls.New(polls.Deps{Store: d.Store, Sync: d.Sync})
	u.nav = newNavigator(u.withPollsEntry(u.withOpenDataEntry(u.withReportEntry(u.home.Content()))), u.home.Title())
	u.appts = appointments.New(appointments.Deps{Store: d.Store, Sync: d.Sync, Catalog: u.home, Nav: apptsNavigator{u}, Window: u.win})
	u.apptsNav = newNavigator(u.appts.List().Content(), u.appts.List().Title())
	u.tabs = newAreaTabs(
		container.NewTabItemWithIcon(u.home.Title(), theme.HomeIcon(), u.nav.content()),
		container.NewTabItemWithIcon(u.apps.Title(), theme.DocumentIcon(), u.apps.Content()),
		container.NewTabItemWithIcon(u.appts.List().Title(), theme.CalendarIcon(), u.apptsNav.content()),
		container.NewTabItemWithIcon(u.assistant.Title(), theme.QuestionIcon(), u.assistant.Content()),
		container.NewTabItemWithIcon(u.help.Title(), theme.HelpIcon(), u.help.Content()),
		container.NewTabItemWithIcon(info.Title(), theme.InfoIcon(), u.withSettingsEntry(info)),
	)
	u.tabs.OnSelected = func(t *container.TabItem) {
		u.forms.Flush() // a form left for another tab: "My applications" lists it as saved
		if t.Content == u.apps.Content() {
			u.apps.Refresh()
		}
	}
	u.apps.Refresh()
	u.content = container.NewBorder(u.indicator.content(), nil, nil, nil, u.tabs)
	if d.Frame != nil {
		u.content = d.Frame(u.content)
	}

	// Reminders of appointments, the day before, while the app runs (in
	// the language of the screens).
	if u.stopReminders != nil {
		u.stopReminders()
	}
	var remind context.Context
	remind, u.stopReminders = context.WithCancel(context.Background())
	go u.appts.Reminders(a.SendNotification).Run(remind)
}

// Stop saves what waits and stops the reminders: for screens taken off a
// window that stays (a kiosk's session ending).
func (u *UI) Stop() {
	u.forms.Flush()
	u.stopReminders()
}

// Window returns the main window.
func (u *UI) Window() fyne.Window { return u.win }

// loadCatalog shows the catalog the store has (after a sync brought a new
// one), and makes the search index hold its services and FAQ.
func (u *UI) loadCatalog() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cat, _, source, err := u.store.Catalog(ctx)
	if err != nil && citizen.ErrorCode(err) != citizen.ENOTFOUND {
		u.home.ShowProblem(kit.ErrorText(err))
		return
	}
	rebuilt := u.index.Rebuild(ctx, cat)
	u.home.SetCatalog(cat, source == store.SourceDemo)
	u.assistant.SetCatalog(cat)
	u.help.SetCatalog(cat)
	if rebuilt != nil {
		u.home.ShowProblem(lang.L("The search cannot be updated; it may miss what changed."))
	}
}

// showError tells the citizen what went wrong, in their language.
func (u *UI) showError(err error) {
	kit.ShowError(errors.New(kit.ErrorText(err)), u.win)
}

// timeNow is the shell's clock; tests may replace it.
var timeNow = time.Now
