package engine

import (
	"context"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/sync/upload"
)

// The report: an issue report for the town hall, or a "+1" to one made
// before. Its photos go first, by resumable upload, then the report under
// its idempotency key, so that the backend makes one report of it however
// often it is sent.

// reportStore is what a report needs of the store.
type reportStore interface {
	ReportPhotos(ctx context.Context, reportID string) ([]*citizen.ReportPhoto, error)
	ReportPhotoData(ctx context.Context, id string) ([]byte, error)
	SetReportPhotoUpload(ctx context.Context, id, url string, offset int64, done bool) error
	ReportSent(ctx context.Context, it *citizen.OutboxItem, rep api.Report) error
	SaveReportFeed(ctx context.Context, feed api.ReportFeed, at time.Time) error
	SetReportHistory(ctx context.Context, reportID string, events []api.CaseEvent) (changed bool, err error)
	Fail(ctx context.Context, itemID int64, code, message string) error
}

// reportPortal is what a report needs of the backend.
type reportPortal interface {
	PostReport(ctx context.Context, key string, req api.ReportRequest) (api.Report, error)
	VoteReport(ctx context.Context, key, id string) (api.Report, error)
	ReportFeed(ctx context.Context) (api.ReportFeed, error)
	ReportHistory(ctx context.Context, id string) (api.ReportHistory, error)
}

type reportSender struct {
	store   reportStore
	portal  reportPortal
	uploads Uploader
	pace    *pacer
}

var _ Sender = (*reportSender)(nil)

// Send uploads the photos (resuming where an earlier attempt stopped),
// names them in the report and sends it; a "+1" is sent alone.
func (s *reportSender) Send(ctx context.Context, it *citizen.OutboxItem, step func()) (Changed, error) {
	p, ok := it.Payload.(*citizen.ReportPayload)
	if it.Locked || !ok {
		return 0, citizen.Errorf(citizen.ELOCKED, "This report was saved with a key this device no longer has; please report it again.")
	}
	if p.Vote != "" {
		rep, err := s.portal.VoteReport(ctx, it.IdempotencyKey, p.Vote)
		if err != nil {
			return 0, err
		}
		return ChangedOutbox, s.store.ReportSent(ctx, it, rep)
	}
	req := p.Request
	photos, err := s.store.ReportPhotos(ctx, it.DraftID)
	if err != nil {
		return 0, err
	}
	var changed Changed
	req.Photos = nil
	for _, ph := range photos {
		if !ph.Uploaded {
			changed = ChangedOutbox
			if err := s.uploadOne(ctx, ph, step); err != nil {
				return changed, err
			}
		}
		req.Photos = append(req.Photos, api.ReportPhoto{Upload: upload.ID(ph.UploadURL), Size: ph.Size, SHA256: ph.SHA256})
	}
	start := time.Now()
	rep, err := s.portal.PostReport(ctx, it.IdempotencyKey, req)
	if err != nil {
		return changed, err
	}
	s.pace.observeRTT(time.Since(start))
	return changed | ChangedOutbox, s.store.ReportSent(ctx, it, rep)
}

func (s *reportSender) uploadOne(ctx context.Context, ph *citizen.ReportPhoto, step func()) (err error) {
	done, err := s.pace.start(ctx, ph.Size-ph.UploadOffset)
	if err != nil {
		return err
	}
	defer func() { done(err == nil) }()
	b, err := s.store.ReportPhotoData(ctx, ph.ID)
	if err != nil {
		return err
	}
	f := upload.File{Name: ph.ID + ".jpg", Type: ph.Type, SHA256: ph.SHA256, Data: b, URL: ph.UploadURL}
	u, err := s.uploads.Upload(ctx, f, func(p upload.Progress) error {
		step()
		ph.UploadURL = p.URL
		return s.store.SetReportPhotoUpload(ctx, ph.ID, p.URL, p.Offset, p.Offset == p.Size)
	})
	if err != nil {
		return err
	}
	ph.UploadURL, ph.Uploaded = u, true
	return s.store.SetReportPhotoUpload(ctx, ph.ID, u, ph.Size, true)
}

// Permanent: the backend's refusals (4xx); everything the portal client
// marks transient is tried again.
func (s *reportSender) Permanent(err error) bool { return !citizen.IsTransient(err) }

// Refuse fails the item with the backend's reason; the citizen sees it.
func (s *reportSender) Refuse(ctx context.Context, it *citizen.OutboxItem, r Refusal) (Changed, error) {
	return ChangedOutbox, s.store.Fail(ctx, it.ID, r.Code, r.Message)
}

// RefreshReports fetches the public feed of reports and caches it for
// offline use. The report screen asks for it when it opens, not every
// pass: the feed is not the device's own data.
func (e *Engine) RefreshReports(ctx context.Context) error {
	feed, err := e.portal.ReportFeed(ctx)
	if err != nil {
		return err
	}
	return e.store.SaveReportFeed(ctx, feed, e.now())
}

// RefreshReportHistory fetches the timeline of one of this device's
// reports from the backend, which keeps every step, and keeps it: a step
// the device did not hear in its feed (a report made before the device
// joined the account, a cursor lost) shows when the citizen opens it.
// Not part of a pass: the timeline asks when it opens.
func (e *Engine) RefreshReportHistory(ctx context.Context, reportID string) (changed bool, err error) {
	h, err := e.portal.ReportHistory(ctx, reportID)
	if err != nil {
		return false, err
	}
	return e.store.SetReportHistory(ctx, reportID, h.Events)
}
