// Package server is the reference municipal backend: an http.Handler that
// serves the portal API described in api/openapi.yaml. Storage sits behind
// the Store interface; package server/sqlite implements it.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	tusd "github.com/tus/tusd/v2/pkg/handler"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/server/appointments"
	"rathaus/server/casework"
	"rathaus/server/oidc"
	"rathaus/server/open311"
)

// Config is what New needs.
type Config struct {
	Store   Store
	Catalog api.Catalog
	// Forms holds raw form definitions by file name (as from
	// assets.DemoFormFiles). They are served byte for byte.
	Forms  map[string][]byte
	Logger *slog.Logger     // slog.Default() when nil
	Now    func() time.Time // time.Now when nil; tests fix the clock

	// DeviceRegistrationsPerHour bounds POST /v1/devices per client
	// address (a token bucket: that many at once, refilled over an hour).
	// 0 means DefaultDeviceRegistrationsPerHour, negative means no limit.
	DeviceRegistrationsPerHour int

	// UploadDir is the folder of the tus file store (created if missing).
	// Required.
	UploadDir string
	// UploadLocker locks an upload while a request or the janitor works on
	// it. nil: locks in this process's memory, enough for one process.
	// Processes that share UploadDir need locks that hold between them,
	// such as server/postgres's UploadLocker.
	UploadLocker tusd.Locker
	// UploadsPerHour bounds new uploads per client address, like
	// DeviceRegistrationsPerHour (0: DefaultUploadsPerHour, negative: no
	// limit).
	UploadsPerHour int
	// Upload quotas (uploadquota.go), each 0 for its default, negative
	// for none: bytes per client address per hour and per day, uploads
	// and bytes per device per hour, and the bytes a device may hold in
	// uploads that no case uses. Over one, the answer is 429 with
	// Retry-After.
	AddressUploadBytesPerHour int64
	AddressUploadBytesPerDay  int64
	DeviceUploadsPerHour      int
	DeviceUploadBytesPerHour  int64
	MaxUploadBytesHeld        int64
	// UploadTTL is how long an unfinished upload, or a finished one that no
	// case uses, is kept (0: DefaultUploadTTL).
	UploadTTL time.Duration
	// UploadOrigins are the browser origins ("https://portal.example.de")
	// whose pages may use the uploads (tus) through CORS. A request with
	// any other Origin is refused with 403; with none listed (the
	// default) no browser page may upload. The app is no browser.
	UploadOrigins []string
	// UploadTypes are the media types uploads may have (empty:
	// DefaultUploadTypes); a finished file's first bytes must be of its
	// declared type, or it is ended with 415. AnyUploadType ("*") takes
	// anything unchecked, for test backends.
	UploadTypes []string
	// JanitorInterval is how often expired uploads are swept (0:
	// DefaultJanitorInterval; negative: never, for tests that call
	// Server.SweepUploads themselves).
	JanitorInterval time.Duration

	// Admission (shed.go), each 0 for its default: at most MaxRequests
	// requests are worked on at once, uploads aside; up to MaxQueue more
	// wait at most QueueWait for a slot; the rest get 503 with
	// Retry-After. MaxUploads does the same for tus requests. An admitted
	// API request may take RequestTimeout. MaxRequests or MaxUploads
	// negative: no limit; MaxQueue negative: no queue; RequestTimeout
	// negative: none.
	MaxRequests    int
	MaxQueue       int
	QueueWait      time.Duration
	MaxUploads     int
	RequestTimeout time.Duration

	// Quotas (quota.go), each 0 for its default, negative for none: new
	// submissions per hour per device and per client address, draft
	// copies written per hour per address, and what a device may hold:
	// cases not yet decided, drafts (of its account, or its own) and their
	// bytes. Over one, the answer is 429 with Retry-After.
	SubmissionsPerHour        int
	AddressSubmissionsPerHour int
	AddressDraftWritesPerHour int
	MaxOpenCases              int
	MaxDrafts                 int
	MaxDraftBytes             int64

	// StaffToken authorises the staff API (POST /v1/staff/cases/{id}/status)
	// as "Authorization: Bearer <StaffToken>". Empty: the staff API answers
	// 404.
	StaffToken string

	// ReportServices is the town's list of report categories, served by
	// Open311 at api.PathOpen311 (server/open311). Empty: no categories,
	// so no report can be made.
	ReportServices api.ReportServices
	// ReportStreets is the town's street directory, against which the
	// address ids of reports are checked (empty: none are).
	ReportStreets api.StreetDirectory
	// Appointments (server/appointments): the offices and their opening
	// hours (empty: no office, so no slots), and the secret that signs
	// tickets (nil: a random one, for tests; cmd/rathaus-server keeps one
	// in the data folder so that tickets outlive a restart).
	Offices      api.Offices
	TicketSecret []byte
	// MaxBookings bounds the appointments to come one device holds (0:
	// appointments.DefaultMaxBookings; negative: none); beyond, 429.
	MaxBookings int

	// OpenData (server/opendata): who publishes the figures, as the DCAT
	// records name them, and the public address their URLs start with
	// (empty: each its default; see opendata.Config).
	OpenData OpenDataConfig

	// Polls (server/polls): the polls put to the citizens, each with its
	// form (empty: none).
	Polls []api.Poll

	// OIDC (server/oidc): the backend as its own OpenID provider, at the
	// issuer's root paths; its Store, Logger and Now are the server's.
	// No Issuer: no login, and POST api.PathAccountLink answers 404.
	OIDC oidc.Config
	// LoginStartsPerHour bounds the logins begun per client address, like
	// DeviceRegistrationsPerHour (0: DefaultLoginStartsPerHour, negative:
	// no limit).
	LoginStartsPerHour int
}

// DefaultDeviceRegistrationsPerHour is the registration limit per client
// address when Config leaves it 0.
const DefaultDeviceRegistrationsPerHour = 30

// Server serves the portal API. It is safe for concurrent use.
type Server struct {
	store Store
	log   *slog.Logger
	now   func() time.Time
	// pub is what is published now (catalog, forms, services); Publish
	// swaps it while requests are served.
	pub     atomic.Pointer[published]
	pubMu   sync.Mutex // one Publish at a time
	mux     *http.ServeMux
	routes  []string
	handler http.Handler

	registrations *limiter
	admission     admission
	quotas        quotas
	staffToken    string
	uploads       uploads
	// reportServices are the town's report categories (Config.ReportServices).
	reportServices api.ReportServices
	reportStreets  *open311.Directory
	// casework does the staff's actions, audited; nil when the store
	// keeps no audit log (test doubles).
	casework     *casework.Service
	appointments *appointments.Area
	// oidc is the OpenID provider; nil without Config.OIDC.Issuer.
	oidc *oidc.Provider

	stop        chan struct{} // closed by Close
	janitorDone chan struct{} // closed when the janitor returned
	closeOnce   sync.Once
}

// form is one loaded form version: its bytes as given, for serving, and its
// compiled schema, for validating submissions.
type form struct {
	resource
	compiled *formschema.Form
}

// New checks the catalog and the forms and builds the server. A form that
// does not compile, or a service whose form is missing, is an error: the
// server must not start with a broken form.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("server: no store")
	}
	s := &Server{
		store: cfg.Store,
		log:   cfg.Logger,
		now:   cfg.Now,
		mux:   http.NewServeMux(),

		staffToken: cfg.StaffToken,

		reportServices: cfg.ReportServices,
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if cw, ok := cfg.Store.(casework.Store); ok {
		s.casework = casework.New(cw, s.now)
	}
	s.registrations = newLimiter(orDefault(cfg.DeviceRegistrationsPerHour, DefaultDeviceRegistrationsPerHour), s.now)
	s.admission = newAdmission(cfg)
	s.quotas = newQuotas(cfg, s.now)
	pub, err := buildPublished(nil, cfg.Catalog, cfg.Forms)
	if err != nil {
		return nil, err
	}
	s.pub.Store(pub)
	if err := s.initAppointments(cfg); err != nil {
		return nil, err
	}
	if err := s.mountOIDC(cfg); err != nil {
		return nil, err
	}
	s.routeAll()
	s.mountOpen311(cfg)
	// The polls first: the open data publishes their results.
	pollArea, err := s.mountPolls(cfg)
	if err != nil {
		return nil, err
	}
	if err := s.mountOpenData(cfg, pollArea); err != nil {
		return nil, err
	}
	if err := s.mountHandoff(); err != nil {
		return nil, err
	}
	if err := s.initUploads(cfg); err != nil {
		return nil, err
	}
	if err := s.announceCatalog(); err != nil {
		return nil, err
	}
	s.handler = s.logRequests(s.recoverPanics(s.admit(http.HandlerFunc(s.serveMux))))
	s.stop, s.janitorDone = make(chan struct{}), make(chan struct{})
	if interval := orDefault(cfg.JanitorInterval, DefaultJanitorInterval); interval > 0 {
		go s.runJanitor(interval)
	} else {
		close(s.janitorDone)
	}
	return s, nil
}

// Close stops the server's background work (the upload janitor) and waits
// for it. It does not close the store. Requests may still be served.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { close(s.stop) })
	<-s.janitorDone
	return nil
}

// orDefault is v, or def when v is 0.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// announceCatalog records the catalog's ETag in the store, which tells
// every device through the changes feed when it differs from the last one.
func (s *Server) announceCatalog() error { return s.announceCatalogCtx(context.Background()) }

func formKey(id string, version int) string { return id + "/" + strconv.Itoa(version) }

// routeAll registers every endpoint. Each one must be listed under paths:
// in api/openapi.yaml; a test holds the two together.
func (s *Server) routeAll() {
	s.route("GET", api.PathHealth, s.handleHealth)
	s.route("GET", api.PathOpenAPI, s.handleOpenAPI)
	s.route("GET", api.PathCatalog, s.handleCatalog)
	s.route("GET", api.PathForms+"{id}/{version}", s.handleForm)
	s.route("POST", api.PathSubmissions, s.withDevice(false, s.handleSubmit))
	s.route("POST", api.PathDevices, s.handleRegisterDevice)
	s.route("POST", api.PathDeviceKey, s.withDevice(true, s.handleDeviceKey))
	s.route("GET", api.PathChanges, s.withDevice(true, s.handleChanges))
	s.route("POST", api.PathStaffCases+"{id}/status", s.handleStaffStatus)
	s.route("PUT", api.PathDrafts+"{id}", s.withDevice(true, s.handleDraft))
	s.route("GET", api.PathCases+"{id}"+api.NoticeSuffix, s.withDevice(true, s.handleNotice))
	s.route("POST", api.PathCases+"{id}"+api.AnswerSuffix, s.withDevice(true, s.handleAnswer))
	s.route("POST", api.PathAccountLink, s.withDevice(true, s.handleAccountLink))
	s.route("POST", api.PathAccountUnlink, s.withDevice(true, s.handleAccountUnlink))
	s.routeReports()
}

// routeReports registers the app's side of issue reports (reports.go).
func (s *Server) routeReports() {
	s.route("POST", api.PathReports, s.withDevice(false, s.handlePostReport))
	s.route("GET", api.PathReports, s.handleReportFeed)
	s.route("POST", api.PathReports+"/{id}/votes", s.withDevice(false, s.handleVote))
	s.route("GET", api.PathReports+"/{id}/photos/{n}", s.handleReportPhoto)
	s.route("GET", api.PathReports+"/{id}/history", s.handleReportHistory)
}

// mountOpen311 serves Open311 GeoReport v2 under api.PathOpen311. Its
// operations are GeoReport v2's, not the portal API's: openapi.yaml points
// to that specification instead of listing them.
func (s *Server) mountOpen311(cfg Config) {
	h := open311.New(open311.Config{
		Store: s.store, Services: cfg.ReportServices, Streets: cfg.ReportStreets, Logger: s.log, Now: s.now,
		Failure: func(ctx context.Context, what string, err error) int { return s.failure(ctx, what, err).Status },
	})
	s.reportStreets = h.Streets()
	s.mux.Handle(api.PathOpen311, h)
	s.mux.HandleFunc("GET "+open311.PathDiscovery+".json", h.Discovery)
	s.mux.HandleFunc("GET "+open311.PathDiscovery+".xml", h.Discovery)
	for _, rt := range s.appointments.Routes() {
		h := rt.Handler
		if rt.Device {
			h = s.withDevice(true, h)
		}
		s.route(rt.Method, rt.Path, h)
	}
}

func (s *Server) route(method, path string, h http.HandlerFunc) {
	s.mux.HandleFunc(method+" "+path, h)
	s.routes = append(s.routes, method+" "+path)
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// serveMux dispatches to the routes. Requests that match none get the mux's
// 404 or 405, rewritten as problem details so that clients parse one kind of
// error body.
func (s *Server) serveMux(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern == "" {
		w = &fallbackWriter{ResponseWriter: w}
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Error("health: store does not answer", "err", err)
		writeProblem(w, &api.Problem{Type: "about:blank", Title: "Service Unavailable",
			Status: http.StatusServiceUnavailable, Detail: "The store does not answer."})
		return
	}
	writeJSON(w, http.StatusOK, api.Health{Status: "ok"})
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(api.OpenAPI)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own types get here; they always marshal.
		panic(fmt.Sprintf("server: marshal %T: %v", v, err))
	}
	w.Header().Set("Content-Type", api.ContentTypeJSON)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
