// Package forms holds the screens of the forms area: a service's details,
// the multi-step form with its fields, attachments, signature, notices and
// summary, and "My applications", one row per application with what can be
// done with it. The form's state (values, steps, errors) is app/fill; these
// screens show it. They reach other screens only through the Navigator the
// shell gives them.
package forms

import (
	"context"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/app/citizen"
	"rathaus/app/fill"
	"rathaus/sync/engine"
	"rathaus/ui/kit"
)

// Store is what the forms' screens need of the local database.
type Store interface {
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
	// Notice is a decided case's notice (a PDF), opened from its row.
	Notice(ctx context.Context, caseID string) ([]byte, error)
	// ReopenToAnswer makes a sent draft editable to answer the town
	// hall's request for more information on its case.
	ReopenToAnswer(ctx context.Context, draftID string) error
	// MarkSeen: the citizen opened what the town hall did on a case
	// (kind citizen.NewsCase), which is no longer new.
	MarkSeen(ctx context.Context, kind, id string) error
}

// Syncer is what the forms' screens need of the sync engine.
type Syncer interface {
	Kick()
	Status() engine.Status
}

// Catalog finds the town's services (titles, the form version each uses).
type Catalog interface {
	Service(id string) (api.Service, bool)
}

// Navigator is how a screen of this area leads elsewhere; the shell
// implements it.
type Navigator interface {
	// OpenDraft shows the form screen of a draft.
	OpenDraft(d *citizen.Draft)
	// ShowSubmitted shows "My applications" and what became of the
	// draft just sent.
	ShowSubmitted(draftID string)
	// Back leaves the screen on top.
	Back()
}

// Deps are what the area is built on.
type Deps struct {
	Store   Store
	Sync    Syncer
	Catalog Catalog
	Nav     Navigator
	Window  fyne.Window // for dialogs
	// Clock is the time the forms save by while the citizen types; nil
	// is the real time (tests move one of their own).
	Clock fill.Clock
	// Appointments, when not nil, lets a service's screen offer an
	// appointment for the services the town hall has them for.
	Appointments Appointments
	// Account, when not nil, is the login: a service that requires one
	// says so above its form while nobody is logged in.
	Account Account
}

// Account is the login as far as a form needs it (the shell's).
type Account interface {
	// SignedIn reports whether a citizen is logged in.
	SignedIn() bool
	// OpenAccount shows where the citizen logs in.
	OpenAccount()
}

// Appointments is the way from a service to booking an appointment for it
// (the shell's, to the appointments area).
type Appointments interface {
	// Offers reports whether appointments can be booked for the service.
	Offers(service string) bool
	// OpenBooking shows the choice of a time for the service.
	OpenBooking(service string)
}

// Area is the forms area: its screens and the compiled forms they share.
type Area struct {
	Deps
	apps *Applications

	mu    sync.Mutex
	forms map[api.FormRef]*formschema.Form

	// screens are the form screens not yet left, and those left whose
	// last save failed (their values wait for the next flush). The UI's
	// goroutine alone uses it.
	screens map[*FormScreen]bool
}

// New builds the area; its "My applications" screen exists from the start.
func New(d Deps) *Area {
	a := &Area{Deps: d, forms: map[api.FormRef]*formschema.Form{}, screens: map[*FormScreen]bool{}}
	a.apps = newApplications(a)
	return a
}

// Flush saves, now, what every form screen has waiting: the shell calls it
// when the citizen leaves the forms (another tab), the app leaves the
// foreground and when it quits. A failed save stays on its screen's line.
func (a *Area) Flush() {
	for fs := range a.screens {
		_ = fs.flush()
	}
}

// FlushAll saves what every form screen has waiting, as Flush does, and
// returns the first save that failed: the shell rebuilds the screens (a
// language switch) only when nothing typed would be lost.
func (a *Area) FlushAll() error {
	var first error
	for fs := range a.screens {
		if err := fs.flush(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (a *Area) opened(fs *FormScreen) { a.screens[fs] = true }

func (a *Area) closed(fs *FormScreen) { delete(a.screens, fs) }

// takeOver returns the state of another screen of a draft, for a new
// screen of the draft to go on with, or nil: one left with values not
// saved (they are newer than the store's), or one about to be taken off
// (the shell builds the new screen first), so that one draft never has
// two states saving over each other.
func (a *Area) takeOver(draftID string) *fill.State {
	for fs := range a.screens {
		if fs.state.Draft().ID == draftID {
			delete(a.screens, fs)
			return fs.state
		}
	}
	return nil
}

// forget drops what waits for a draft that is gone.
func (a *Area) forget(draftID string) {
	for fs := range a.screens {
		if fs.state.Draft().ID == draftID {
			delete(a.screens, fs)
		}
	}
}

// Applications is the area's "My applications" screen.
func (a *Area) Applications() *Applications { return a.apps }

// ctx bounds what a screen waits for the local database.
func (a *Area) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 10*time.Second)
}

// form returns the compiled definition of a form version.
func (a *Area) form(ref api.FormRef) (*formschema.Form, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if f, ok := a.forms[ref]; ok {
		return f, nil
	}
	ctx, cancel := a.ctx()
	defer cancel()
	body, err := a.Store.Form(ctx, ref)
	if err != nil {
		return nil, err
	}
	f, err := formschema.Parse(body)
	if err != nil {
		return nil, err
	}
	a.forms[ref] = f
	return f, nil
}

// title is a service's name in the citizen's language, or its id.
func (a *Area) title(serviceID string) string {
	if s, ok := a.Catalog.Service(serviceID); ok {
		if t := s.Title.In(kit.Lang()); t != "" {
			return t
		}
	}
	return serviceID
}

// showError tells the citizen what went wrong, in their language.
func (a *Area) showError(err error) {
	kit.ShowError(errorFor(err), a.Window)
}

type textError string

func (e textError) Error() string { return string(e) }

func errorFor(err error) error { return textError(kit.ErrorText(err)) }

// timeNow is the screens' clock; tests may replace it.
var timeNow = time.Now
