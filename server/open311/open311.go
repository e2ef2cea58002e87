// Package open311 serves issue reports (Mängelmelder) as Open311
// GeoReport v2 (wiki.open311.org/GeoReport_v2) under /open311/v2/: the
// town's service list and definitions, posting a request with an API key,
// the public feed of requests with its filters, a request by id and by
// token, each as .json and .xml. The core server mounts it; the store is
// the core's (both server/sqlite and server/postgres implement Store).
//
// What a reporter says about themselves (e-mail, name, phone, device) is
// kept with the report for the town hall only: nothing of it is ever in an
// answer of this package.
package open311

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"rathaus/api"
)

// Store keeps the reports and the Open311 API keys.
type Store interface {
	// CreateReport stores a new open report under the idempotency key in
	// the scope r.Device, or returns the report stored earlier under that
	// scope and key (replayed=true) when the request hash matches; an
	// error when it does not (the core's ErrKeyReused). key "" stores the
	// report without a key (Open311 has none). The store assigns the id.
	CreateReport(ctx context.Context, key string, requestHash []byte, r NewReport) (rep api.Report, replayed bool, err error)
	// Report returns the report with the id; found=false when there is
	// none.
	Report(ctx context.Context, id string) (rep api.Report, found bool, err error)
	// ReportByToken returns the report made with the token (NewReport.Token).
	ReportByToken(ctx context.Context, token string) (rep api.Report, found bool, err error)
	// Reports returns the reports that pass the filter, newest first.
	Reports(ctx context.Context, f Filter) ([]api.Report, error)
	// SetReportStatus moves a report to step, a status of api.Statuses
	// (its Open311 status is api.ReportStatusOf(step)), with the town's
	// notes and its updated time, and tells the device that made it
	// through the changes feed (api.ChangeReport); found=false when there
	// is no such report.
	SetReportStatus(ctx context.Context, id, step, notes string, at time.Time) (rep api.Report, found bool, err error)
	// ReportHistory returns the report's timeline, oldest first: its
	// receipt (api.StatusReceived at its requested time) and every step
	// SetReportStatus made, with the town's message; found=false when
	// there is no such report.
	ReportHistory(ctx context.Context, id string) (events []api.CaseEvent, found bool, err error)
	// VoteReport adds voter's "+1" to the report, once per voter;
	// found=false when there is no such report.
	VoteReport(ctx context.Context, id, voter string) (rep api.Report, found bool, err error)
	// ReportPhoto returns the upload that is photo n (1, 2, ...) of the
	// report; found=false when there is none.
	ReportPhoto(ctx context.Context, id string, n int) (upload string, found bool, err error)
	// Open311Key returns the name of the key whose SHA-256 this is, if
	// the key exists and is not revoked.
	Open311Key(ctx context.Context, hash []byte) (name string, found bool, err error)
}

// KeyStore is what `rathaus-server open311 keys` needs.
type KeyStore interface {
	// AddOpen311Key stores a key; added=false when a key of that name
	// exists already (revoked or not: names are never reused).
	AddOpen311Key(ctx context.Context, k Key) (added bool, err error)
	// Open311Keys lists every key, revoked ones too, by name.
	Open311Keys(ctx context.Context) ([]Key, error)
	// RevokeOpen311Key revokes the key of that name at the time given
	// (the first time only); found=false when there is none.
	RevokeOpen311Key(ctx context.Context, name string, at time.Time) (found bool, err error)
}

// NewReport is a checked report, ready to be stored.
type NewReport struct {
	// Token is a random, unguessable id given out by GET tokens/{token}
	// (a batch service answers a POST with it instead of the id).
	Token       string
	ServiceCode string
	Description string
	Lat, Long   *float64
	Address     string
	AddressID   string
	MediaURL    string
	Attributes  map[string][]string
	// Photos are the uploads of its photos, in order: each must exist and
	// serve no other report (the handler checks them before).
	Photos []string
	// Private is who reported it, for the town hall only.
	Private Private
	// Device is the app's device that sent it ("" for Open311 clients and
	// anonymous app reports); it scopes the idempotency key.
	Device string
	// Source is the Open311 key's name, or "app".
	Source    string
	Requested time.Time
}

// Private is what a reporter tells about themselves: never public.
type Private struct {
	Email     string `json:"email,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Phone     string `json:"phone,omitempty"`
	DeviceID  string `json:"device_id,omitempty"`
	AccountID string `json:"account_id,omitempty"`
}

// Filter selects reports. IDs, when given, select on their own (the
// others are then ignored, as GeoReport v2 wants); empty lists select all.
// Requested times are within [From, To]; Limit caps the count (0: no cap).
type Filter struct {
	IDs          []string
	ServiceCodes []string
	Statuses     []string
	From, To     time.Time
	Limit        int
}

// Key is an Open311 API key as stored: its SHA-256 only.
type Key struct {
	Name    string
	Hash    []byte
	Created time.Time
	Revoked time.Time // zero while it is valid
}

// NewKey makes a new random key: the secret to hand out once, and the Key
// to store.
func NewKey(name string, now time.Time) (secret string, k Key) {
	secret = "o311_" + randomID(24)
	return secret, Key{Name: name, Hash: HashKey(secret), Created: now}
}

// HashKey is the SHA-256 of a key as the store keeps it.
func HashKey(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// NewToken returns a new report token.
func NewToken() string { return randomID(16) }

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Config is what New needs.
type Config struct {
	Store    Store
	Services api.ReportServices
	// Streets is the town's street directory: address_id is checked
	// against it and gives a report its position, address and zipcode.
	// Empty: address ids are taken as they come.
	Streets api.StreetDirectory
	Logger  *slog.Logger
	Now     func() time.Time
	// Failure answers a store error: it logs it and returns the HTTP
	// status (busy 503, full 507, else 500), as the core does.
	Failure func(ctx context.Context, what string, err error) int
}

// Handler serves GeoReport v2 under api.PathOpen311.
type Handler struct {
	store    Store
	services api.ReportServices
	streets  *Directory
	log      *slog.Logger
	now      func() time.Time
	failure  func(ctx context.Context, what string, err error) int
	loc      *time.Location
}

// New builds the handler.
func New(cfg Config) *Handler {
	h := &Handler{store: cfg.Store, services: cfg.Services, streets: NewDirectory(cfg.Streets), log: cfg.Logger, now: cfg.Now, failure: cfg.Failure}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.failure == nil {
		h.failure = func(ctx context.Context, what string, err error) int {
			h.log.Error(what, "err", err)
			return http.StatusInternalServerError
		}
	}
	// Datetimes go out in the town's time with its offset, as the
	// examples of the spec do; time/tzdata (imported in format.go) makes
	// the zone available on any machine.
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		loc = time.UTC
	}
	h.loc = loc
	return h
}

// Streets is the directory the handler checks address ids against.
func (h *Handler) Streets() *Directory { return h.streets }

// ServeHTTP dispatches by the path after api.PathOpen311: the resource,
// then the format as the suffix.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, strings.TrimSuffix(api.PathOpen311, "/"))
	rest = strings.TrimPrefix(rest, "/")
	name, format := splitFormat(rest)
	out := h.writer(w, r, format)
	if format == "" {
		out.format = formatXML // XML is the spec's required format
		out.errors(http.StatusBadRequest, "the URL must end in .xml or .json")
		return
	}
	resource, arg, hasArg := strings.Cut(name, "/")
	if hasArg && (arg == "" || strings.Contains(arg, "/")) {
		out.errors(http.StatusNotFound, "no such resource: "+name)
		return
	}
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	switch {
	case resource == "services" && !hasArg && get:
		h.serviceList(out)
	case resource == "services" && hasArg && get:
		h.serviceDefinition(out, arg)
	case resource == "requests" && !hasArg && get:
		h.requestList(r.Context(), out, r)
	case resource == "requests" && !hasArg && r.Method == http.MethodPost:
		h.postRequest(r.Context(), out, r)
	case resource == "requests" && hasArg && get:
		h.request(r.Context(), out, arg)
	case resource == "tokens" && hasArg && get:
		h.token(r.Context(), out, arg)
	case resource == "services" || resource == "requests" || resource == "tokens":
		allow := "GET, HEAD"
		if resource == "requests" && !hasArg {
			allow = "GET, HEAD, POST"
		}
		w.Header().Set("Allow", allow)
		out.errors(http.StatusMethodNotAllowed, "method "+r.Method+" is not allowed here; allowed: "+allow)
	default:
		out.errors(http.StatusNotFound, "no such resource: "+name)
	}
}

// writer is the answer's writer. The data of GeoReport v2 is public (the
// POST needs its key anyway): any web page may read it (CORS).
func (h *Handler) writer(w http.ResponseWriter, r *http.Request, format string) *writer {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return &writer{w: w, format: format, loc: h.loc, base: scheme + "://" + r.Host}
}

// splitFormat cuts ".json" or ".xml" off the path; format "" when it has
// neither.
func splitFormat(p string) (name, format string) {
	for _, f := range []string{formatJSON, formatXML} {
		if n, ok := strings.CutSuffix(p, "."+f); ok {
			return n, f
		}
	}
	return p, ""
}
