package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"rathaus/api"
	"rathaus/server/accounts"
	"rathaus/server/appointments"
	"rathaus/server/casework"
	"rathaus/server/handoff"
	"rathaus/server/open311"
	"rathaus/server/opendata"
	"rathaus/server/polls"
)

// Store keeps what the backend knows: cases with their idempotency keys and
// timelines, devices and accounts. Package server/sqlite implements it.
// Every method that changes more than one row does so in one transaction.
type Store interface {
	// CreateCase stores a new case, with its first timeline event, under
	// the idempotency key in the scope c.Device ("" for anonymous clients),
	// or returns the case stored earlier under that scope and key
	// (replayed=true) when the request hash matches; ErrKeyReused when it
	// does not. The store assigns the case number inside the same
	// transaction, and in it links the case's attachments to their
	// uploads, each of which must exist, belong to c.Device (anonymous
	// uploads to anonymous cases), be finished, match the size and SHA-256
	// given and be used by no case yet (else an *AttachmentError, and no
	// case). The check that an upload is unused comes after the replay, in
	// the same transaction: a retry of the request that made the case gets
	// the case, never a refusal of its own uploads.
	CreateCase(ctx context.Context, key string, requestHash []byte, c NewCase) (cs api.Case, replayed bool, err error)
	// ReplayCase returns the case stored under the scope and key
	// (found=true) when the request hash matches, ErrKeyReused when it does
	// not, and found=false for a new key.
	ReplayCase(ctx context.Context, scope, key string, requestHash []byte) (cs api.Case, found bool, err error)
	// SetCaseStatus calls allow with the case's current status and, if it
	// returns nil, appends ev to the timeline, sets the case's status to
	// ev.Status and adds a change for the case's device (or its account),
	// all in one transaction. ErrNotFound for an unknown case; allow's
	// error as it is.
	SetCaseStatus(ctx context.Context, id string, ev api.CaseEvent, allow func(current string) error) (api.Case, error)
	// CountCases returns how many cases exist.
	CountCases(ctx context.Context) (int, error)
	// Ping reports whether the store answers.
	Ping(ctx context.Context) error

	// CreateDevice registers a device.
	CreateDevice(ctx context.Context, d NewDevice) error
	// DeviceByToken finds the device whose token has this SHA-256;
	// ErrNotFound when there is none.
	DeviceByToken(ctx context.Context, tokenHash []byte) (Device, error)
	// SetDeviceKey registers the signing key (Ed25519 public key) of a
	// device that has none; the same key again is no change.
	// ErrKeyConflict when the device has another key, ErrNotFound when it
	// does not exist.
	SetDeviceKey(ctx context.Context, id string, key []byte) error
	// LinkDevices puts the devices into the account, creating it if needed
	// (an account groups the devices of one citizen). ErrNotFound when a
	// device does not exist; then no device is linked.
	LinkDevices(ctx context.Context, account string, devices ...string) error
	// UnlinkDevice takes the device out of its account (none is no
	// error); the account's cases and drafts stay with the account.
	// ErrNotFound when the device does not exist.
	UnlinkDevice(ctx context.Context, device string) error

	// Changes returns up to limit changes after the cursor since that the
	// device may see, in order: its own, its account's (except draft
	// changes it made itself) and everyone's; more says that further ones
	// wait. Creating a case of a device, and every status change of it,
	// adds a change for the device, or its account when it has one.
	Changes(ctx context.Context, d Device, since int64, limit int) (changes []api.Change, more bool, err error)
	// RecordCatalog records the catalog's ETag. When it differs from the
	// one recorded before, it adds one change for everyone with the new
	// ETag and reports changed.
	RecordCatalog(ctx context.Context, etag string) (changed bool, err error)

	// CreateUpload records a new resumable upload of u.Device ("" for an
	// anonymous one).
	CreateUpload(ctx context.Context, u Upload) error
	// FinishUpload marks the upload complete and checked, at the time
	// given (the first time only). ErrNotFound when it does not exist.
	FinishUpload(ctx context.Context, id string, at time.Time) error
	// Upload returns the upload; ErrNotFound when it does not exist.
	Upload(ctx context.Context, id string) (Upload, error)
	// DeleteUpload forgets the upload unless a case uses it
	// (ErrUploadInUse); ErrNotFound when it does not exist.
	DeleteUpload(ctx context.Context, id string) error
	// UploadBytesHeld sums the declared sizes of device's uploads that no
	// case uses (finished or not): what the device keeps on the backend's
	// disk until the janitor removes it, for Config.MaxUploadBytesHeld.
	// An upload a case uses is the case's, not counted.
	UploadBytesHeld(ctx context.Context, device string) (int64, error)
	// ExpiredUploads lists the uploads that are unfinished and were
	// created before the time given, and those that no case uses and were
	// finished before it.
	ExpiredUploads(ctx context.Context, before time.Time) ([]string, error)

	// Usage reports what device d holds, for its quotas (Config.MaxOpenCases,
	// MaxDrafts, MaxDraftBytes). The backend checks it before a write, not
	// inside the write's transaction: requests of one device running at the
	// same moment may pass a quota by a few, which a quota against abuse can
	// afford.
	Usage(ctx context.Context, d Device) (Usage, error)

	// PutDraft merges a draft copy from device d in one transaction: it
	// reads the stored copy of the draft (nil if none) of d's account, or
	// of d itself while it has no account, calls merge with it, keeps the
	// conflicts merge reports (each once) and, when merge says changed,
	// stores the merged copy and adds a draft change for the account's
	// devices (not for d itself). It returns the merged copy.
	PutDraft(ctx context.Context, d Device, id string, merge DraftMerge) (api.DraftCopy, error)

	// Issue reports and the Open311 API keys (server/open311 says what
	// each method does). CreateReport's key reused with another request
	// is ErrKeyReused.
	open311.Store
	open311.KeyStore
	// Appointments: bookings and their tickets (server/appointments).
	appointments.Store
	// Open data: the figures of server/opendata.
	opendata.Store

	// Polls: the answers of server/polls.
	polls.Store

	// Accounts that log in, and the OpenID provider's grants
	// (server/accounts, server/oidc).
	accounts.Store
	// Handoffs of drafts from a kiosk to a phone (server/handoff).
	handoff.Store
}

// Errors a Store returns. Besides the ones of single methods, any method
// may fail with an error that wraps ErrBusy or ErrFull.
var (
	// ErrBusy: the store could not do it now, but may in a moment (SQLite's
	// write lock held longer than its busy timeout; a pool of connections
	// exhausted; a serialization failure). Nothing was changed. The backend
	// answers 503 with Retry-After.
	ErrBusy = errors.New("the store is busy")
	// ErrFull: the store has no room for the write (a full disk, or the
	// database at its maximum size). Nothing was changed. The backend
	// answers 507.
	ErrFull = errors.New("the store is full")

	// ErrKeyReused: the idempotency key is known but was stored with a
	// different request.
	ErrKeyReused = errors.New("idempotency key was used before with a different request")
	// ErrNotFound: no such case, device or upload.
	ErrNotFound = errors.New("not found")
	// ErrKeyConflict: the device registered another signing key before.
	ErrKeyConflict = errors.New("the device has another signing key")
	// ErrUploadInUse: a case uses the upload, so it stays.
	ErrUploadInUse = errors.New("a case uses the upload")
)

// NewCase is a validated submission, ready to be stored as a case.
type NewCase struct {
	ID      string
	Service string
	Form    api.FormRef
	// Data is the form data as canonical JSON (keys sorted, no spaces).
	Data    json.RawMessage
	Status  string
	Created time.Time
	// Device is the submitting device's id, "" for an anonymous
	// submission; it is also the scope of the idempotency key.
	Device string
	// Attachments are the uploads the data names, by the JSON Pointer of
	// their value.
	Attachments []CaseAttachment
	// Seal is the case's signature and, for a service with an encryption
	// key, its ciphertext (then Data is "{}"). The store keeps it with the
	// case and gives it back in casework.File; the signing key's
	// fingerprint is the case's KeyFingerprint.
	Seal casework.Seal
}

// CaseAttachment is one attachment value of a case's data and the upload
// it names.
type CaseAttachment struct {
	Pointer string
	Upload  string
	Size    int64
	SHA256  string
}

// AttachmentError says why an attachment cannot go into a case.
type AttachmentError struct {
	Pointer string
	Upload  string
	Reason  AttachmentReason
}

func (e *AttachmentError) Error() string {
	return fmt.Sprintf("attachment %s (upload %q): %s", e.Pointer, e.Upload, e.Reason)
}

// AttachmentReason is what is wrong with an attachment value.
type AttachmentReason string

// Reasons for an AttachmentError.
const (
	AttachmentMissing    AttachmentReason = "no such upload"
	AttachmentUnfinished AttachmentReason = "the upload is not finished"
	AttachmentMismatch   AttachmentReason = "size, SHA-256 or media type differ from the upload"
	AttachmentInvalid    AttachmentReason = "not an attachment value"
	AttachmentTooLarge   AttachmentReason = "larger than the field allows"
	AttachmentType       AttachmentReason = "a media type the field does not accept"
	AttachmentInUse      AttachmentReason = "another case uses the upload"
)

// Usage is what one device holds in the store.
type Usage struct {
	// OpenCases counts the device's cases whose status is neither
	// api.StatusDecided nor api.StatusClosed.
	OpenCases int
	// Drafts counts the draft copies of the device's owner (its account,
	// or the device itself while it has none) that hold at least one
	// field; DraftBytes is the size of all the owner's copies as stored
	// JSON (api.DraftCopy as encoding/json writes it), in bytes.
	Drafts     int
	DraftBytes int64
}

// NewDevice is a device to register. TokenHash is the SHA-256 of its
// token; the token itself is never stored.
type NewDevice struct {
	ID         string
	TokenHash  []byte
	SigningKey []byte // Ed25519 public key; nil for an app that sent none
	Platform   string
	AppVersion string
	Created    time.Time
}

// Device is a registered device as requests see it: its id and the
// account it belongs to ("" while it belongs to none).
type Device struct {
	ID      string
	Account string
	// SigningKey is the device's registered Ed25519 public key, nil while
	// it has none.
	SigningKey []byte
}

// Upload is a resumable upload as the backend records it beside the bytes
// in the tus file store.
type Upload struct {
	ID       string
	Size     int64  // the declared length
	SHA256   string // from Upload-Metadata
	Filename string
	Filetype string
	Created  time.Time
	Finished time.Time // zero until the upload is complete and its SHA-256 checked
	// Device is the device that created the upload, the only one that may
	// read, append, end or use it; "" for an anonymous upload, which only
	// requests without a credential reach (its unguessable id is the
	// capability).
	Device string
	// Case is the case that uses the upload, "" while none does; an upload
	// serves one case.
	Case string
}

// DraftMerge merges a draft copy into the stored one (nil when there is
// none yet): the merged copy, the values that lost, and whether the stored
// copy changed.
type DraftMerge func(stored *api.DraftCopy) (merged api.DraftCopy, lost []DraftConflict, changed bool)

// DraftConflict is a field value that lost a merge to a later clock.
type DraftConflict struct {
	Field  string
	Value  json.RawMessage // nil: the losing change cleared the field
	Clock  string          // the losing value's clock
	Device string          // the device that made the losing value
	Winner string          // the clock that won
}
