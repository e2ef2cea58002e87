// Package ui is the app's Fyne front end. Each screen is a struct holding its
// widgets and dependencies, with onXxx handlers and a constructor returning
// its fyne.CanvasObject. Screens read and write only through the store and
// the sync engine; updates from other goroutines go through fyne.Do.
package ui

import (
	"context"
	"errors"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/sync/engine"
)

// Store is what the screens need of the local database.
type Store interface {
	Catalog(ctx context.Context) (api.Catalog, string, string, error)
	Form(ctx context.Context, ref api.FormRef) ([]byte, error)
	CreateDraft(ctx context.Context, d *citizen.Draft) error
	SaveDraft(ctx context.Context, id string, values map[string]any, step int) error
	Draft(ctx context.Context, id string) (*citizen.Draft, error)
	Drafts(ctx context.Context) ([]*citizen.Draft, error)
	DeleteDraft(ctx context.Context, id string) error
	Submit(ctx context.Context, draftID string, data map[string]any) (*citizen.OutboxItem, error)
	Outbox(ctx context.Context) ([]*citizen.OutboxItem, error)
	Cases(ctx context.Context) ([]citizen.Case, error)
	AddAttachment(ctx context.Context, draftID, name, mediaType string, data []byte) (api.Attachment, error)
	DeleteAttachment(ctx context.Context, id string) error
	Conflicts(ctx context.Context, draftID string) ([]citizen.Conflict, error)
	MarkConflictsSeen(ctx context.Context, draftID string) error
	MoveDraft(ctx context.Context, draftID string, to api.FormRef, carried map[string]any, left []citizen.Conflict) error
}

// Syncer is what the screens need of the sync engine.
type Syncer interface {
	Kick()
	Sync(ctx context.Context) error
	Status() engine.Status
	OnChange(func(engine.Status))
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
}

// UI is the app's main window and its screens.
type UI struct {
	app    fyne.App
	win    fyne.Window
	store  Store
	syncer Syncer

	nav       *navigator
	tabs      *container.AppTabs
	home      *homeScreen
	drafts    *draftsScreen
	indicator *syncIndicator
	current   *formScreen // the form on screen, if any

	mu    sync.Mutex
	forms map[api.FormRef]*formschema.Form
}

// New builds the main window; call ShowAndRun on the result's Window.
func New(a fyne.App, d Deps) *UI {
	u := &UI{app: a, store: d.Store, syncer: d.Sync, forms: map[api.FormRef]*formschema.Form{}}
	u.win = a.NewWindow(lang.L("Rathaus"))
	u.win.Resize(fyne.NewSize(480, 820))

	u.home = newHomeScreen(u)
	u.drafts = newDraftsScreen(u)
	u.indicator = newSyncIndicator(u)
	u.nav = newNavigator(u.home.content(), u.home.title())
	u.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(lang.L("Services"), theme.HomeIcon(), u.nav.content()),
		container.NewTabItemWithIcon(lang.L("My applications"), theme.DocumentIcon(), u.drafts.content()),
		container.NewTabItemWithIcon(lang.L("About"), theme.InfoIcon(), newAboutScreen(d).content()),
	)
	u.tabs.OnSelected = func(t *container.TabItem) {
		if t.Content == u.drafts.root {
			u.drafts.refresh()
		}
	}
	u.win.SetContent(container.NewBorder(u.indicator.content(), nil, nil, nil, u.tabs))

	d.Sync.OnChange(func(engine.Status) {
		fyne.Do(func() {
			u.indicator.refresh()
			u.drafts.refresh()
			u.home.reload()
		})
	})
	return u
}

// Window returns the main window.
func (u *UI) Window() fyne.Window { return u.win }

// ctx bounds what a screen waits for the local database.
func (u *UI) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 10*time.Second)
}

// form returns the compiled definition of a form version.
func (u *UI) form(ref api.FormRef) (*formschema.Form, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if f, ok := u.forms[ref]; ok {
		return f, nil
	}
	ctx, cancel := u.ctx()
	defer cancel()
	body, err := u.store.Form(ctx, ref)
	if err != nil {
		return nil, err
	}
	f, err := formschema.Parse(body)
	if err != nil {
		return nil, err
	}
	u.forms[ref] = f
	return f, nil
}

// service finds a catalog entry by id.
func (u *UI) service(id string) (api.Service, bool) {
	for _, s := range u.home.catalog.Services {
		if s.ID == id {
			return s, true
		}
	}
	return api.Service{}, false
}

// openDraft shows the form screen for a draft.
func (u *UI) openDraft(d *citizen.Draft) {
	f, err := u.form(d.Form)
	if err != nil {
		u.showError(err)
		return
	}
	s, _ := u.service(d.Service)
	title := s.Title.In(currentLang())
	if title == "" {
		title = f.Def.Title.In(currentLang())
	}
	u.tabs.SelectIndex(0)
	u.current = newFormScreen(u, f, d)
	u.nav.push(u.current.content(), title)
}

// showError tells the citizen what went wrong, in their language.
func (u *UI) showError(err error) {
	dialog.ShowError(errors.New(errorText(err)), u.win)
}

// errorText is an error's message for people, translated.
func errorText(err error) string {
	return lang.L(citizen.ErrorMessage(err))
}

// timeNow is the UI's clock; tests may replace it.
var timeNow = time.Now
