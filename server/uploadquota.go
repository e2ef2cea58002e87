package server

import (
	"context"
	"fmt"
	"time"

	"rathaus/api"
)

// Defaults of the upload quotas Config leaves 0. Per device they fit a
// citizen's busiest hour (a few forms with photos, each at most
// api.MaxUploadSize) many times over; per address they leave room for a
// carrier's NAT, where many phones share one address, while bounding what
// one address can put on the disk in a day.
const (
	DefaultDeviceUploadsPerHour      = 60
	DefaultDeviceUploadBytesPerHour  = 200 << 20
	DefaultMaxUploadBytesHeld        = 300 << 20
	DefaultAddressUploadBytesPerHour = 1 << 30
	DefaultAddressUploadBytesPerDay  = 4 << 30
)

// uploadQuotas bound new uploads: per address (count, the existing
// UploadsPerHour, and bytes per hour and per day) and per device (count
// and bytes per hour, and bytes held in uploads no case uses). The bytes
// are the declared Upload-Length, taken when the upload is created. The
// rates live in this process's memory, as the other quotas' do.
type uploadQuotas struct {
	addressCount     *limiter
	addressBytesHour *limiter
	addressBytesDay  *limiter
	deviceCount      *limiter
	deviceBytesHour  *limiter
	maxHeld          int64 // <= 0: no limit
}

func newUploadQuotas(cfg Config, now func() time.Time) uploadQuotas {
	return uploadQuotas{
		addressCount:     newLimiter(orDefault(cfg.UploadsPerHour, DefaultUploadsPerHour), now),
		addressBytesHour: newBucketLimiter(float64(orDefault(cfg.AddressUploadBytesPerHour, DefaultAddressUploadBytesPerHour)), time.Hour, now),
		addressBytesDay:  newBucketLimiter(float64(orDefault(cfg.AddressUploadBytesPerDay, DefaultAddressUploadBytesPerDay)), 24*time.Hour, now),
		deviceCount:      newLimiter(orDefault(cfg.DeviceUploadsPerHour, DefaultDeviceUploadsPerHour), now),
		deviceBytesHour:  newBucketLimiter(float64(orDefault(cfg.DeviceUploadBytesPerHour, DefaultDeviceUploadBytesPerHour)), time.Hour, now),
		maxHeld:          orDefault(cfg.MaxUploadBytesHeld, DefaultMaxUploadBytesHeld),
	}
}

// checkUpload takes a new upload of size bytes from remoteAddr (of device d, or
// anonymous) against the quotas. Over one, it returns the 429 problem and
// its Retry-After, which tus clients honour.
func (s *Server) checkUpload(ctx context.Context, remoteAddr string, d Device, size int64) (*api.Problem, string) {
	q := &s.uploads.quotas
	addr := clientAddr(remoteAddr)
	if ok, wait := q.addressCount.allow(addr); !ok {
		return rateLimited(wait, "uploads")
	}
	for _, l := range []*limiter{q.addressBytesHour, q.addressBytesDay} {
		if ok, wait := l.allowN(addr, float64(size)); !ok {
			p, secs := rateLimited(wait, "uploads")
			p.Detail = "This address uploaded more than the town takes in this time; try again in " + secs + " seconds."
			return p, secs
		}
	}
	if d.ID == "" {
		return nil, ""
	}
	if ok, wait := q.deviceCount.allow(d.ID); !ok {
		p, secs := rateLimited(wait, "uploads")
		p.Type, p.Detail = api.ProblemQuota, "Too many uploads from this device; try again in "+secs+" seconds."
		return p, secs
	}
	if ok, wait := q.deviceBytesHour.allowN(d.ID, float64(size)); !ok {
		p, secs := rateLimited(wait, "uploads")
		p.Type, p.Detail = api.ProblemQuota, "This device uploaded more than the town takes in an hour; try again in "+secs+" seconds."
		return p, secs
	}
	if q.maxHeld <= 0 {
		return nil, ""
	}
	held, err := s.store.UploadBytesHeld(ctx, d.ID)
	if err != nil {
		return s.failure(ctx, "uploads: bytes held", err, "device", d.ID), ""
	}
	if held+size > q.maxHeld {
		// Frees up as cases take the uploads or the janitor removes the
		// unused ones (after the upload TTL): an hour is a fair guess.
		return quotaProblem(fmt.Sprintf("This device keeps %d bytes of files here that no application uses yet; the town keeps at most %d. "+
			"Send the applications they belong to, or wait until unused files are removed.", held, q.maxHeld)), quotaWait
	}
	return nil, ""
}
