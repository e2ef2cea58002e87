package main

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"rathaus/server"
	"rathaus/server/appointments"
)

// Limits are what a town sets to keep the backend answering under load,
// slow clients and abuse. On the command line 0 switches a limit off.
type Limits struct {
	MaxRequests    int
	MaxQueue       int
	MaxUploads     int
	RequestTimeout time.Duration

	MaxConns           int
	MaxConnsPerAddress int

	SubmissionsPerHour        int
	AddressSubmissionsPerHour int
	AddressDraftWritesPerHour int
	MaxOpenCases              int
	MaxDrafts                 int
	MaxDraftMB                int
	MaxBookings               int

	AddressUploadsPerHour  int
	AddressUploadMBPerHour int
	AddressUploadMBPerDay  int
	DeviceUploadsPerHour   int
	DeviceUploadMBPerHour  int
	MaxUploadMBHeld        int

	DBMaxMB int
}

// defaultLimits are the server's own defaults.
func defaultLimits() Limits {
	h := server.DefaultHTTPLimits()
	return Limits{
		MaxRequests:               server.DefaultMaxRequests,
		MaxQueue:                  server.DefaultMaxQueue,
		MaxUploads:                server.DefaultMaxUploads,
		RequestTimeout:            server.DefaultRequestTimeout,
		MaxConns:                  h.MaxConns,
		MaxConnsPerAddress:        h.MaxConnsPerAddress,
		SubmissionsPerHour:        server.DefaultSubmissionsPerHour,
		AddressSubmissionsPerHour: server.DefaultAddressSubmissionsPerHour,
		AddressDraftWritesPerHour: server.DefaultAddressDraftWritesPerHour,
		MaxOpenCases:              server.DefaultMaxOpenCases,
		MaxDrafts:                 server.DefaultMaxDrafts,
		MaxDraftMB:                server.DefaultMaxDraftBytes >> 20,
		MaxBookings:               appointments.DefaultMaxBookings,
		AddressUploadsPerHour:     server.DefaultUploadsPerHour,
		AddressUploadMBPerHour:    server.DefaultAddressUploadBytesPerHour >> 20,
		AddressUploadMBPerDay:     server.DefaultAddressUploadBytesPerDay >> 20,
		DeviceUploadsPerHour:      server.DefaultDeviceUploadsPerHour,
		DeviceUploadMBPerHour:     server.DefaultDeviceUploadBytesPerHour >> 20,
		MaxUploadMBHeld:           server.DefaultMaxUploadBytesHeld >> 20,
	}
}

// limitFlag is one limit on the command line and in the environment.
type limitFlag struct {
	name, env string
	int       func(*Limits) *int
	dur       func(*Limits) *time.Duration
	help      string
}

// limitFlags lists the limits in the order -h and README.md show them.
var limitFlags = []limitFlag{
	{name: "max-requests", env: "RATHAUS_MAX_REQUESTS", int: func(l *Limits) *int { return &l.MaxRequests },
		help: "requests worked on at once (uploads aside)"},
	{name: "max-queue", env: "RATHAUS_MAX_QUEUE", int: func(l *Limits) *int { return &l.MaxQueue },
		help: "requests that wait (up to 0.5 s) for one of those; more get 503"},
	{name: "max-uploads", env: "RATHAUS_MAX_UPLOADS", int: func(l *Limits) *int { return &l.MaxUploads },
		help: "upload requests (tus) at once, and as many waiting"},
	{name: "request-timeout", env: "RATHAUS_REQUEST_TIMEOUT", dur: func(l *Limits) *time.Duration { return &l.RequestTimeout },
		help: "time a request may take once admitted; then 503 (uploads aside)"},
	{name: "max-conns", env: "RATHAUS_MAX_CONNS", int: func(l *Limits) *int { return &l.MaxConns },
		help: "open connections; more wait until one closes"},
	{name: "max-conns-per-address", env: "RATHAUS_MAX_CONNS_PER_ADDRESS", int: func(l *Limits) *int { return &l.MaxConnsPerAddress },
		help: "open connections of one client address; more are closed"},
	{name: "submissions-per-hour", env: "RATHAUS_SUBMISSIONS_PER_HOUR", int: func(l *Limits) *int { return &l.SubmissionsPerHour },
		help: "new submissions per device and hour; then 429"},
	{name: "address-submissions-per-hour", env: "RATHAUS_ADDRESS_SUBMISSIONS_PER_HOUR", int: func(l *Limits) *int { return &l.AddressSubmissionsPerHour },
		help: "new submissions per client address and hour; then 429"},
	{name: "address-draft-writes-per-hour", env: "RATHAUS_ADDRESS_DRAFT_WRITES_PER_HOUR", int: func(l *Limits) *int { return &l.AddressDraftWritesPerHour },
		help: "draft copies written per client address and hour; then 429"},
	{name: "max-open-cases", env: "RATHAUS_MAX_OPEN_CASES", int: func(l *Limits) *int { return &l.MaxOpenCases },
		help: "cases of one device not yet decided; more get 429"},
	{name: "max-drafts", env: "RATHAUS_MAX_DRAFTS", int: func(l *Limits) *int { return &l.MaxDrafts },
		help: "draft copies kept per device (or account)"},
	{name: "max-draft-mb", env: "RATHAUS_MAX_DRAFT_MB", int: func(l *Limits) *int { return &l.MaxDraftMB },
		help: "megabytes of draft copies kept per device (or account)"},
	{name: "max-bookings", env: "RATHAUS_MAX_BOOKINGS", int: func(l *Limits) *int { return &l.MaxBookings },
		help: "appointments to come one device may hold; more get 429"},
	{name: "address-uploads-per-hour", env: "RATHAUS_ADDRESS_UPLOADS_PER_HOUR", int: func(l *Limits) *int { return &l.AddressUploadsPerHour },
		help: "new uploads per client address and hour; then 429"},
	{name: "address-upload-mb-per-hour", env: "RATHAUS_ADDRESS_UPLOAD_MB_PER_HOUR", int: func(l *Limits) *int { return &l.AddressUploadMBPerHour },
		help: "megabytes of new uploads per client address and hour; then 429"},
	{name: "address-upload-mb-per-day", env: "RATHAUS_ADDRESS_UPLOAD_MB_PER_DAY", int: func(l *Limits) *int { return &l.AddressUploadMBPerDay },
		help: "megabytes of new uploads per client address and day; then 429"},
	{name: "device-uploads-per-hour", env: "RATHAUS_DEVICE_UPLOADS_PER_HOUR", int: func(l *Limits) *int { return &l.DeviceUploadsPerHour },
		help: "new uploads per device and hour; then 429"},
	{name: "device-upload-mb-per-hour", env: "RATHAUS_DEVICE_UPLOAD_MB_PER_HOUR", int: func(l *Limits) *int { return &l.DeviceUploadMBPerHour },
		help: "megabytes of new uploads per device and hour; then 429"},
	{name: "max-upload-mb-held", env: "RATHAUS_MAX_UPLOAD_MB_HELD", int: func(l *Limits) *int { return &l.MaxUploadMBHeld },
		help: "megabytes one device may keep in uploads no application uses yet; then 429"},
	{name: "db-max-mb", env: "RATHAUS_DB_MAX_MB", int: func(l *Limits) *int { return &l.DBMaxMB },
		help: "megabytes the SQLite database may grow to; then writes get 507 (not with --db)"},
}

// register adds the limits' flags to fs, each defaulting to what its
// environment variable says, else to the server's default.
func (l *Limits) register(fs *flag.FlagSet, getenv func(string) string) error {
	for _, f := range limitFlags {
		switch {
		case f.int != nil:
			fs.IntVar(f.int(l), f.name, *f.int(l), f.help)
		default:
			fs.DurationVar(f.dur(l), f.name, *f.dur(l), f.help)
		}
		if v := getenv(f.env); v != "" {
			if err := fs.Set(f.name, v); err != nil {
				return fmt.Errorf("%s=%q: %v", f.env, v, err)
			}
		}
	}
	return nil
}

// check refuses negative limits (0 switches one off).
func (l *Limits) check() error {
	for _, f := range limitFlags {
		if (f.int != nil && *f.int(l) < 0) || (f.dur != nil && *f.dur(l) < 0) {
			return fmt.Errorf("--%s must not be negative (0 switches it off)", f.name)
		}
	}
	return nil
}

// limitsUsage describes the limits for -h, with their defaults.
func limitsUsage() string {
	def := defaultLimits()
	var b strings.Builder
	for _, f := range limitFlags {
		var v any
		if f.int != nil {
			v = *f.int(&def)
		} else {
			v = *f.dur(&def)
		}
		dflt := fmt.Sprint(v)
		if dflt == "0" {
			dflt = "0 (off)"
		}
		arg := "N"
		if f.dur != nil {
			arg = "DURATION"
		}
		fmt.Fprintf(&b, "  --%s %s\n                       %s.\n                       Environment: %s. Default: %s\n", f.name, arg, f.help, f.env, dflt)
	}
	return b.String()
}

// off maps the command line's 0 (off) to the server's negative (none);
// the server reads 0 as its default.
func off[T int | int64 | time.Duration](v T) T {
	if v == 0 {
		return -1
	}
	return v
}

// apply puts the limits into the server's configuration.
func (l Limits) apply(cfg *server.Config) {
	cfg.MaxRequests = off(l.MaxRequests)
	cfg.MaxQueue = off(l.MaxQueue)
	cfg.MaxUploads = off(l.MaxUploads)
	cfg.RequestTimeout = off(l.RequestTimeout)
	cfg.SubmissionsPerHour = off(l.SubmissionsPerHour)
	cfg.AddressSubmissionsPerHour = off(l.AddressSubmissionsPerHour)
	cfg.AddressDraftWritesPerHour = off(l.AddressDraftWritesPerHour)
	cfg.MaxOpenCases = off(l.MaxOpenCases)
	cfg.MaxDrafts = off(l.MaxDrafts)
	cfg.MaxDraftBytes = off(int64(l.MaxDraftMB) << 20)
	cfg.MaxBookings = off(l.MaxBookings)
	cfg.UploadsPerHour = off(l.AddressUploadsPerHour)
	cfg.AddressUploadBytesPerHour = off(int64(l.AddressUploadMBPerHour) << 20)
	cfg.AddressUploadBytesPerDay = off(int64(l.AddressUploadMBPerDay) << 20)
	cfg.DeviceUploadsPerHour = off(l.DeviceUploadsPerHour)
	cfg.DeviceUploadBytesPerHour = off(int64(l.DeviceUploadMBPerHour) << 20)
	cfg.MaxUploadBytesHeld = off(int64(l.MaxUploadMBHeld) << 20)
}

// http is the HTTP server's limits with the connection caps set.
func (l Limits) http() server.HTTPLimits {
	h := server.DefaultHTTPLimits()
	h.MaxConns, h.MaxConnsPerAddress = l.MaxConns, l.MaxConnsPerAddress
	return h
}
