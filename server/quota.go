package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"rathaus/api"
)

// Defaults of the quotas Config leaves 0. The ones per address are
// generous: behind a carrier's NAT many phones share one address.
const (
	DefaultSubmissionsPerHour        = 60
	DefaultAddressSubmissionsPerHour = 600
	DefaultAddressDraftWritesPerHour = 6000
	DefaultMaxOpenCases              = 100
	DefaultMaxDrafts                 = 50
	DefaultMaxDraftBytes             = 10 << 20
)

// quotaWait is the Retry-After of a quota on what a device holds: it
// frees up when staff decide cases or the citizen sends or deletes drafts,
// which takes hours, not seconds.
const quotaWait = "3600"

// quotas bound what one device, or one address, may send and keep. The
// rates live in this process's memory (with several processes on one
// PostgreSQL each allows its own); what a device holds is counted in the
// store. The backend stores no addresses, so what is held is bounded per
// device, and the devices per address by DeviceRegistrationsPerHour.
type quotas struct {
	deviceSubmissions  *limiter // new submissions per device
	addressSubmissions *limiter // new submissions per address, devices or not
	addressDrafts      *limiter // draft copies written per address
	openCases          int      // <= 0: no limit
	drafts             int
	draftBytes         int64
}

func newQuotas(cfg Config, now func() time.Time) quotas {
	return quotas{
		deviceSubmissions:  newLimiter(orDefault(cfg.SubmissionsPerHour, DefaultSubmissionsPerHour), now),
		addressSubmissions: newLimiter(orDefault(cfg.AddressSubmissionsPerHour, DefaultAddressSubmissionsPerHour), now),
		addressDrafts:      newLimiter(orDefault(cfg.AddressDraftWritesPerHour, DefaultAddressDraftWritesPerHour), now),
		openCases:          orDefault(cfg.MaxOpenCases, DefaultMaxOpenCases),
		drafts:             orDefault(cfg.MaxDrafts, DefaultMaxDrafts),
		draftBytes:         orDefault(cfg.MaxDraftBytes, DefaultMaxDraftBytes),
	}
}

// quotaProblem is a 429 for a quota; the caller sets Retry-After.
func quotaProblem(detail string) *api.Problem {
	return problem(http.StatusTooManyRequests, api.ProblemQuota, "Too Many Requests", detail)
}

// checkSubmission takes a new submission's tokens and checks the device's
// open cases. It returns the problem and its Retry-After when a quota is
// used up. Replays never come here: a retry is always answered.
func (s *Server) checkSubmission(ctx context.Context, r *http.Request, d Device) (*api.Problem, string) {
	if ok, wait := s.quotas.addressSubmissions.allow(clientAddr(r.RemoteAddr)); !ok {
		return rateLimited(wait, "submissions")
	}
	if d.ID == "" {
		return nil, ""
	}
	if ok, wait := s.quotas.deviceSubmissions.allow(d.ID); !ok {
		p, secs := rateLimited(wait, "submissions")
		p.Type, p.Detail = api.ProblemQuota, "Too many submissions from this device; try again in "+secs+" seconds."
		return p, secs
	}
	if s.quotas.openCases <= 0 {
		return nil, ""
	}
	u, err := s.store.Usage(ctx, d)
	if err != nil {
		return s.failure(ctx, "submit: usage", err, "device", d.ID), ""
	}
	if u.OpenCases >= s.quotas.openCases {
		return quotaProblem(fmt.Sprintf("This device has %d cases that are not decided yet; the town takes at most %d at a time. "+
			"Send this one when some are decided.", u.OpenCases, s.quotas.openCases)), quotaWait
	}
	return nil, ""
}

// draftRoom checks a draft write against the quotas of the device's
// owner, given what it held before the write: a new draft must fit the
// count, a copy that grows the bytes. Shrinking is always allowed, so that
// a citizen at the quota can still delete. It returns the problem and its
// Retry-After, or nil.
func (q quotas) draftRoom(u Usage, stored *api.DraftCopy, merged api.DraftCopy) (*api.Problem, string) {
	size := func(c *api.DraftCopy) int64 {
		if c == nil {
			return 0
		}
		b, _ := json.Marshal(c) // an api.DraftCopy always encodes
		return int64(len(b))
	}
	had := stored != nil && len(stored.Fields) > 0
	if q.drafts > 0 && !had && len(merged.Fields) > 0 && u.Drafts >= q.drafts {
		return quotaProblem(fmt.Sprintf("This device keeps %d drafts here; the town keeps at most %d. "+
			"Send or delete one first.", u.Drafts, q.drafts)), quotaWait
	}
	grow := size(&merged) - size(stored)
	if q.draftBytes <= 0 || grow <= 0 {
		return nil, ""
	}
	if size(&merged) > q.draftBytes {
		return problem(http.StatusRequestEntityTooLarge, api.ProblemTooLarge, "Content Too Large",
			"The draft would be larger than the "+strconv.FormatInt(q.draftBytes, 10)+" bytes the town keeps for a device's drafts."), ""
	}
	if u.DraftBytes+grow > q.draftBytes {
		return quotaProblem(fmt.Sprintf("This device's drafts would take more than the %d bytes the town keeps for them. "+
			"Send or delete one first.", q.draftBytes)), quotaWait
	}
	return nil, ""
}
