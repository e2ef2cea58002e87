package casework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"rathaus/api"
)

// Store is what casework needs of the backend's storage; server/sqlite and
// server/postgres implement it (and pass server/storetest's Casework
// family).
type Store interface {
	// ListCases returns one page of the cases q selects, newest first,
	// and how many it selects in all.
	ListCases(ctx context.Context, q Query) (Page, error)
	// CaseFile returns a case with what was submitted; ErrNoCase when
	// there is none.
	CaseFile(ctx context.Context, id string) (File, error)
	// Act calls allow with the case's state and, if it returns nil, does
	// a in one transaction: appends a.Event to the timeline (setting the
	// case's status to its status and telling the case's device or
	// account through the changes feed), sets the assignee when
	// a.Assignee is not nil, and appends one audit entry with the state
	// before and after. ErrNoCase for an unknown case; allow's error as
	// it is.
	Act(ctx context.Context, id string, a Action, allow func(State) error) (api.Case, error)
	// AuditLog returns the audit entries of a case, or of every case
	// when caseID is "", oldest first. Nothing changes or deletes them.
	AuditLog(ctx context.Context, caseID string) ([]AuditEntry, error)
	AnswerStore
}

// ErrNoCase: there is no such case.
var ErrNoCase = errors.New("no such case")

// Query selects cases for the list.
type Query struct {
	Service string
	// Services, when not nil, restricts the list to these services (a
	// clerk's office); empty, it selects nothing.
	Services []string
	Status   string
	// From and To bound the day of submission (From inclusive, To
	// exclusive); zero: unbounded.
	From, To time.Time
	// OverdueBefore, when set, selects open cases submitted before it.
	OverdueBefore time.Time
	// Number selects cases whose number contains it ("000042",
	// "2026-0000").
	Number string
	// Search selects cases whose number or submitted data contains it,
	// ignoring case (a name, a street).
	Search string
	Limit  int // at most MaxLimit; 0: DefaultLimit
	Offset int
}

// Limits of a page of the list.
const (
	DefaultLimit = 25
	MaxLimit     = 500
)

// Page is one page of the case list.
type Page struct {
	Cases []Summary
	Total int // how many cases the query selects, on every page
}

// Summary is a case as the list shows it.
type Summary struct {
	ID       string
	Number   string
	Service  string
	Status   string
	Created  time.Time
	Assignee string // the clerk who took the case; "" while nobody has
}

// File is a case with everything submitted.
type File struct {
	api.Case
	Data        json.RawMessage // the form data, canonical JSON
	Assignee    string
	Device      string // the submitting device; "" for an anonymous case
	Attachments []Attachment
	// Seal is the case's signature and ciphertext, as submitted;
	// IdempotencyKey is the key the case was made under, which the
	// signature covers.
	Seal           Seal
	IdempotencyKey string
}

// Seal is what seals a case: the device's signature over the canonical
// form of the submission (api.SigningInput) with the key it was made
// with, and for an end-to-end encrypted service the data as a compact
// JWE, which only the authority's key opens (the case's Data is then {}).
type Seal struct {
	Signature  *api.DeviceSignature // nil: unsigned (anonymous, or an older app)
	SigningKey []byte               // Ed25519 public key of the device at the time
	Encrypted  string               // compact JWE; "" for a clear case
}

// Attachment is a file of a case, by the JSON Pointer of its field.
type Attachment struct {
	Pointer  string
	Upload   string // the tus upload's id: its bytes are in the upload store
	Filename string
	Filetype string
	Size     int64
	SHA256   string
}

// State is what an action may change of a case.
type State struct {
	Status   string `json:"status"`
	Assignee string `json:"assignee,omitempty"`
}

// Action is one staff action on a case, as Store.Act does it.
type Action struct {
	Actor string    // who: the clerk's name
	At    time.Time // when, to the second
	What  string    // ActTake, ActMove, ActNote
	// Event, when set, is appended to the timeline; its status becomes
	// the case's.
	Event *api.CaseEvent
	// Assignee, when set, is the case's new assignee.
	Assignee *string
	// Detail is what the action said (the message, the decision, the
	// note), for the audit log.
	Detail string
}

// Kinds of action.
const (
	ActTake = "take"
	ActMove = "status"
	ActNote = "note"
)

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	Seq    int64
	Case   string // the case's id
	Number string // the case's number
	Actor  string
	At     time.Time
	What   string
	Before State
	After  State
	Detail string
}

// Service does the staff actions through a Store.
type Service struct {
	store Store
	now   func() time.Time
}

// New returns the service; now is time.Now when nil.
func New(s Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: s, now: now}
}

// List returns a page of the case list.
func (s *Service) List(ctx context.Context, q Query) (Page, error) {
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	q.Limit = min(q.Limit, MaxLimit)
	q.Offset = max(q.Offset, 0)
	q.Number = strings.TrimSpace(q.Number)
	q.Search = strings.TrimSpace(q.Search)
	if q.Status != "" && !Known(q.Status) {
		return Page{}, &InputError{Field: "status", Msg: fmt.Sprintf("unknown status %q", q.Status)}
	}
	return s.store.ListCases(ctx, q)
}

// Case returns a case with what was submitted.
func (s *Service) Case(ctx context.Context, id string) (File, error) {
	return s.store.CaseFile(ctx, id)
}

// Audit returns a case's audit log, or every case's for id "".
func (s *Service) Audit(ctx context.Context, id string) ([]AuditEntry, error) {
	return s.store.AuditLog(ctx, id)
}

// InputError says what is wrong with what a clerk entered.
type InputError struct{ Field, Msg string }

func (e *InputError) Error() string { return e.Field + ": " + e.Msg }

// TakenError says that another clerk has taken the case already.
type TakenError struct{ By string }

func (e *TakenError) Error() string { return "the case was taken by " + e.By }

// Take makes actor the case's assignee. Taking a case someone else took
// is refused (*TakenError); taking it again is a no-op refused the same
// way, so that the audit log holds each take once.
func (s *Service) Take(ctx context.Context, id, actor string) (api.Case, error) {
	if err := checkActor(actor); err != nil {
		return api.Case{}, err
	}
	return s.store.Act(ctx, id, Action{Actor: actor, At: s.stamp(), What: ActTake, Assignee: &actor},
		func(st State) error {
			if st.Assignee != "" {
				return &TakenError{By: st.Assignee}
			}
			return nil
		})
}

// Move is a status change with what the citizen is told.
type Move struct {
	To string
	// Message is shown to the citizen with the step: required for
	// api.StatusInfoNeeded (what is needed) and api.StatusDecided (the
	// decision), optional otherwise.
	Message string
	// Inspection is the appointment, required for api.StatusInspection.
	Inspection *Inspection
	// Fields are the JSON Pointers of the fields the town hall asks about
	// (api.StatusInfoNeeded only): the citizen's app marks them.
	Fields []string
}

// Inspection is an appointment on site.
type Inspection struct {
	Date  string // YYYY-MM-DD
	Time  string // HH:MM
	Place string
}

// Advance moves a case on along the workflow (CheckMove), telling the
// citizen through the timeline.
func (s *Service) Advance(ctx context.Context, id, actor string, m Move) (api.Case, error) {
	if err := checkActor(actor); err != nil {
		return api.Case{}, err
	}
	note, detail, err := m.note()
	if err != nil {
		return api.Case{}, err
	}
	fields, err := m.fields()
	if err != nil {
		return api.Case{}, err
	}
	ev := api.CaseEvent{Status: m.To, At: s.stamp(), Note: note, Fields: fields}
	return s.store.Act(ctx, id, Action{Actor: actor, At: ev.At, What: ActMove, Event: &ev, Detail: detail},
		func(st State) error { return CheckMove(st.Status, m.To) })
}

// Note writes to the citizen without moving the case: a timeline entry
// with the status it has.
func (s *Service) Note(ctx context.Context, id, actor, message string) (api.Case, error) {
	if err := checkActor(actor); err != nil {
		return api.Case{}, err
	}
	message = strings.TrimSpace(message)
	if message == "" {
		return api.Case{}, &InputError{Field: "message", Msg: "write the note to the citizen"}
	}
	if err := checkText(message); err != nil {
		return api.Case{}, err
	}
	at := s.stamp()
	var ev api.CaseEvent
	return s.store.Act(ctx, id, Action{Actor: actor, At: at, What: ActNote, Event: &ev, Detail: message},
		func(st State) error {
			// The event keeps the status the case has when it is written.
			ev = api.CaseEvent{Status: st.Status, At: at, Note: api.Text{"de": message, "en": message}}
			return nil
		})
}

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Second) }

// maxText bounds a message to the citizen.
const maxText = 4000

func checkText(s string) error {
	if len(s) > maxText {
		return &InputError{Field: "message", Msg: fmt.Sprintf("at most %d characters", maxText)}
	}
	return nil
}

func checkActor(actor string) error {
	if strings.TrimSpace(actor) == "" {
		return &InputError{Field: "actor", Msg: "say who acts"}
	}
	return nil
}

// maxFields bounds the fields one request for more information names.
const maxFields = 100

// fields checks the fields a move names: JSON Pointers, with a request for
// more information only.
func (m Move) fields() ([]string, error) {
	if len(m.Fields) == 0 {
		return nil, nil
	}
	if m.To != api.StatusInfoNeeded {
		return nil, &InputError{Field: "fields", Msg: "only a request for more information names fields"}
	}
	if len(m.Fields) > maxFields {
		return nil, &InputError{Field: "fields", Msg: fmt.Sprintf("at most %d fields", maxFields)}
	}
	out := make([]string, 0, len(m.Fields))
	seen := map[string]bool{}
	for _, f := range m.Fields {
		if !strings.HasPrefix(f, "/") || len(f) > 500 {
			return nil, &InputError{Field: "fields", Msg: fmt.Sprintf("%q is no JSON Pointer of a field", f)}
		}
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out, nil
}

// note is the timeline note of a move: the clerk's words, and for an
// inspection the appointment in German and English.
func (m Move) note() (api.Text, string, error) {
	if !Known(m.To) {
		return nil, "", &InputError{Field: "status", Msg: fmt.Sprintf("unknown status %q", m.To)}
	}
	msg := strings.TrimSpace(m.Message)
	if err := checkText(msg); err != nil {
		return nil, "", err
	}
	switch m.To {
	case api.StatusInfoNeeded:
		if msg == "" {
			return nil, "", &InputError{Field: "message", Msg: "say what the citizen is to add"}
		}
	case api.StatusDecided:
		if msg == "" {
			return nil, "", &InputError{Field: "message", Msg: "write the decision"}
		}
	case api.StatusInspection:
		in := m.Inspection
		if in == nil || in.Place == "" {
			return nil, "", &InputError{Field: "inspection", Msg: "give the date, time and place of the inspection"}
		}
		day, err := time.Parse("2006-01-02 15:04", in.Date+" "+in.Time)
		if err != nil {
			return nil, "", &InputError{Field: "inspection", Msg: "the date is YYYY-MM-DD and the time HH:MM"}
		}
		de := fmt.Sprintf("Ortstermin am %s um %s Uhr, %s.", day.Format("02.01.2006"), day.Format("15:04"), in.Place)
		en := fmt.Sprintf("Inspection on %s at %s, %s.", day.Format("2 January 2006"), day.Format("15:04"), in.Place)
		if msg != "" {
			de, en = de+" "+msg, en+" "+msg
		}
		return api.Text{"de": de, "en": en}, de, nil
	}
	if msg == "" {
		return nil, "", nil
	}
	// Clerks write in German; the app shows the same words in English
	// rather than nothing.
	return api.Text{"de": msg, "en": msg}, msg, nil
}

// SetStatus moves a case on with a note as given (in any languages): the
// staff API's way, which leaves what the note says to its caller.
func (s *Service) SetStatus(ctx context.Context, id, actor, to string, note api.Text, fields []string) (api.Case, error) {
	if err := checkActor(actor); err != nil {
		return api.Case{}, err
	}
	if !Known(to) {
		return api.Case{}, &InputError{Field: "status", Msg: fmt.Sprintf("unknown status %q", to)}
	}
	fields, err := Move{To: to, Fields: fields}.fields()
	if err != nil {
		return api.Case{}, err
	}
	ev := api.CaseEvent{Status: to, At: s.stamp(), Note: note, Fields: fields}
	return s.store.Act(ctx, id, Action{Actor: actor, At: ev.At, What: ActMove, Event: &ev, Detail: note.In("de")},
		func(st State) error { return CheckMove(st.Status, to) })
}
