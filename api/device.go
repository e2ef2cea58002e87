package api

import (
	"encoding/json"
	"time"
)

// Paths of the device-scoped API. Requests other than POST /v1/devices carry
// the device's credential: "Authorization: Bearer <token>".
const (
	PathDevices = "/v1/devices"
	PathChanges = "/v1/changes"
	PathDrafts  = "/v1/drafts/" // + {id}
	// PathStaffCases is the staff API: POST {id}/status moves a case on.
	// It takes the staff token, not a device's.
	PathStaffCases = "/v1/staff/cases/"
)

// DeviceRequest registers a device at first contact (POST /v1/devices).
type DeviceRequest struct {
	Platform   string `json:"platform"`    // "linux", "android", ...
	AppVersion string `json:"app_version"` // "0.1.0"
	// SigningKey is the device's Ed25519 public key (base64url, 32
	// bytes), which its submissions' signatures are verified against.
	// Optional: an older app registers without one (see PathDeviceKey).
	SigningKey string `json:"signing_key,omitempty"`
}

// Device is the answer to a registration: the device's id and its
// credential, which the app keeps in the OS keyring and never shows.
type Device struct {
	ID    string `json:"id"`
	Token string `json:"token"`
}

// Change kinds in the changes feed.
const (
	ChangeCase    = "case"    // a case of this device or account changed status
	ChangeCatalog = "catalog" // the catalog (or a form version it names) changed
	ChangeDraft   = "draft"   // a draft of the account changed on another device
	// ChangeBooking: an appointment of this device or account was booked,
	// cancelled or checked in (api/appointments.go).
	ChangeBooking = "booking"
	// ChangeReport: the town moved an issue report of this device or
	// account on (ReportUpdate).
	ChangeReport = "report"
)

// Change is one entry of the changes feed, in the order the backend made
// them. Exactly the member named by Kind is set.
type Change struct {
	Seq     int64         `json:"seq"`
	Kind    string        `json:"kind"`
	Case    *Case         `json:"case,omitempty"`
	Catalog string        `json:"catalog,omitempty"` // the new catalog ETag
	Draft   *DraftCopy    `json:"draft,omitempty"`
	Booking *Booking      `json:"booking,omitempty"`
	Report  *ReportUpdate `json:"report,omitempty"`
}

// Page sizes of GET /v1/changes: limit defaults to ChangesLimitDefault and
// is capped at ChangesLimitMax.
const (
	ChangesLimitDefault = 100
	ChangesLimitMax     = 1000
)

// Changes is a page of GET /v1/changes?since=CURSOR&limit=N. The app applies
// the changes and stores Cursor in the same transaction; More says another
// page waits.
type Changes struct {
	Changes []Change `json:"changes"`
	Cursor  string   `json:"cursor"`
	More    bool     `json:"more"`
}

// DraftCopy is a draft as it travels between the devices of one account
// (PUT /v1/drafts/{id} up, the changes feed down). Every top-level field
// carries the hybrid logical clock of its last change; the later clock wins
// per field, and a losing value is kept as a conflict. Package
// api/draftmerge is that merge, for both sides.
type DraftCopy struct {
	ID      string                `json:"id"`
	Service string                `json:"service"`
	Form    FormRef               `json:"form"`
	Fields  map[string]DraftField `json:"fields"`
	Deleted *DraftField           `json:"deleted,omitempty"` // set (with its clock) when the draft was thrown away
	Device  string                `json:"device,omitempty"`  // the device of the last change, set by the backend
}

// DraftField is one field's value with the clock of its last change; a nil
// Value with a clock means the field was cleared.
type DraftField struct {
	Value json.RawMessage `json:"value,omitempty"`
	Clock string          `json:"clock"`
}

// StatusRequest is the body of the staff API's POST /v1/staff/cases/{id}/status.
type StatusRequest struct {
	Status string `json:"status"`
	Note   Text   `json:"note,omitempty"` // shown to the citizen in the case's timeline
	// Fields, with StatusInfoNeeded, are the JSON Pointers of the fields
	// the town hall asks about.
	Fields []string `json:"fields,omitempty"`
}

// CaseEvent is one step of a case's timeline.
type CaseEvent struct {
	Status string    `json:"status"`
	At     time.Time `json:"at"`
	Note   Text      `json:"note,omitempty"`
	// Fields are the JSON Pointers of the fields the town hall asks about
	// (with StatusInfoNeeded): the app marks them when the citizen
	// completes the application.
	Fields []string `json:"fields,omitempty"`
}

// Statuses lists the case statuses in workflow order. Which moves are
// allowed is server/casework's to say (mostly forward; more information
// needed goes back to review).
var Statuses = []string{StatusReceived, StatusInReview, StatusInspection, StatusInfoNeeded, StatusDecided, StatusClosed}
