package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
)

// Issue reports: a report is queued with its photos in one transaction; the
// photos wait sealed until the report is sent, then go. The public feed of
// reports is cached for offline use (the "is it one of these?" check).

// KeyReportFeed holds the cached public feed of reports (JSON, sealed).
const KeyReportFeed = "report_feed"

func reportPhotoAD(id string) []byte { return []byte("report-photo:" + id) }

// NewReportPhoto is a photo to queue with a report: already downscaled.
type NewReportPhoto struct {
	Type string
	Data []byte
}

// QueueReport queues a report (or, with p.Vote set, a "+1") and its
// photos, and remembers it as one of this device's reports; it returns the
// outbox item.
func (s *Store) QueueReport(ctx context.Context, p *citizen.ReportPayload, photos []NewReportPhoto) (*citizen.OutboxItem, error) {
	if len(photos) > api.MaxReportPhotos {
		return nil, citizen.Errorf(citizen.EINVALID, "A report takes at most 3 photos.")
	}
	localID := "r_" + citizen.NewID()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, storageError("queueing a report", err)
	}
	defer tx.Rollback()
	for i, ph := range photos {
		if len(ph.Data) == 0 || len(ph.Data) > api.MaxUploadSize {
			return nil, citizen.Errorf(citizen.EINVALID, "A photo is empty or larger than 10 MB.")
		}
		id := citizen.NewID()
		sealed, err := s.sealer.Seal(ph.Data, reportPhotoAD(id))
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(ph.Data)
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_photos (id, report_id, n, type, data_sealed, size, sha256)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, localID, i+1, ph.Type, sealed, len(ph.Data), hex.EncodeToString(sum[:])); err != nil {
			return nil, storageError("queueing a photo", err)
		}
	}
	it := s.newItem(localID, p)
	if _, err := s.enqueue(ctx, tx, it, false); err != nil {
		return nil, err
	}
	vote := 0
	if p.Vote != "" {
		vote = 1
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO my_reports (local_id, report_id, service_code, vote, queued, sealed) VALUES (?, ?, ?, ?, ?, x'')`,
		localID, p.Vote, p.Request.ServiceCode, vote, ms(it.Created)); err != nil {
		return nil, storageError("queueing a report", err)
	}
	return it, storageError("queueing a report", tx.Commit())
}

// ReportPhotos returns the photos waiting with a report, in order.
func (s *Store) ReportPhotos(ctx context.Context, reportID string) ([]*citizen.ReportPhoto, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, report_id, type, size, sha256, upload_url, upload_offset, uploaded
		FROM report_photos WHERE report_id = ? ORDER BY n`, reportID)
	if err != nil {
		return nil, storageError("reading photos", err)
	}
	defer rows.Close()
	var out []*citizen.ReportPhoto
	for rows.Next() {
		var p citizen.ReportPhoto
		if err := rows.Scan(&p.ID, &p.Report, &p.Type, &p.Size, &p.SHA256, &p.UploadURL, &p.UploadOffset, &p.Uploaded); err != nil {
			return nil, storageError("reading photos", err)
		}
		out = append(out, &p)
	}
	return out, storageError("reading photos", rows.Err())
}

// ReportPhotoData returns a waiting photo's bytes.
func (s *Store) ReportPhotoData(ctx context.Context, id string) ([]byte, error) {
	var sealed []byte
	err := s.db.QueryRowContext(ctx, `SELECT data_sealed FROM report_photos WHERE id = ?`, id).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, citizen.Errorf(citizen.ENOTFOUND, "This photo is no longer on the device.")
	}
	if err != nil {
		return nil, storageError("reading a photo", err)
	}
	plain, err := s.sealer.Open(sealed, reportPhotoAD(id))
	if err != nil {
		return nil, &citizen.Error{Code: citizen.ELOCKED, Message: "This photo was saved with a key this device no longer has.", Err: err}
	}
	return plain, nil
}

// SetReportPhotoUpload records where a photo's upload stands.
func (s *Store) SetReportPhotoUpload(ctx context.Context, id, url string, offset int64, done bool) error {
	_, err := s.db.ExecContext(ctx, `UPDATE report_photos SET upload_url = ?, upload_offset = ?, uploaded = ? WHERE id = ?`,
		url, offset, done, id)
	return storageError("recording an upload", err)
}

// ReportSent records the backend's answer: the item is done, the report
// remembered by its id, its photos gone from the device (the backend has
// them), and the report in the cached feed at once.
func (s *Store) ReportSent(ctx context.Context, it *citizen.OutboxItem, rep api.Report) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return storageError("recording an answer", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'done', last_error = '', last_code = '' WHERE id = ?`, it.ID)
	if err != nil {
		return storageError("recording an answer", err)
	}
	if err := mustHaveHit(res, "recording an answer"); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE my_reports SET report_id = ? WHERE local_id = ?`, rep.ID, it.DraftID); err != nil {
		return storageError("recording an answer", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM report_photos WHERE report_id = ?`, it.DraftID); err != nil {
		return storageError("recording an answer", err)
	}
	feed, at, err := s.reportFeed(ctx, tx)
	if err != nil {
		return err
	}
	kept := []api.Report{rep}
	for _, r := range feed.Reports {
		if r.ID != rep.ID {
			kept = append(kept, r)
		}
	}
	if err := s.saveReportFeed(ctx, tx, api.ReportFeed{Reports: kept}, at); err != nil {
		return err
	}
	return storageError("recording an answer", tx.Commit())
}

// MyReports lists the reports and "+1"s of this device, newest first.
func (s *Store) MyReports(ctx context.Context) ([]citizen.MyReport, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT local_id, report_id, service_code, vote, queued, status, history, sealed, unseen
		FROM my_reports ORDER BY queued DESC, local_id`)
	if err != nil {
		return nil, storageError("reading reports", err)
	}
	defer rows.Close()
	var out []citizen.MyReport
	for rows.Next() {
		var m citizen.MyReport
		var queued int64
		var hist string
		var sealed []byte
		if err := rows.Scan(&m.LocalID, &m.ReportID, &m.ServiceCode, &m.Vote, &queued, &m.Status, &hist, &sealed, &m.New); err != nil {
			return nil, storageError("reading reports", err)
		}
		r, _ := s.openReport(m.LocalID, sealed, hist) // a lost key: no timeline
		m.History = r.History
		m.Queued = time.UnixMilli(queued).UTC()
		out = append(out, m)
	}
	return out, storageError("reading reports", rows.Err())
}

// cachedFeed is the feed as kept in the sync values.
type cachedFeed struct {
	Feed api.ReportFeed `json:"feed"`
	At   time.Time      `json:"at"`
}

// SaveReportFeed caches the public feed of reports, fetched at the time
// given.
func (s *Store) SaveReportFeed(ctx context.Context, feed api.ReportFeed, at time.Time) error {
	return s.saveReportFeed(ctx, s.db, feed, at)
}

// ReportFeed returns the cached public feed and when it was fetched (zero
// when never).
func (s *Store) ReportFeed(ctx context.Context) (api.ReportFeed, time.Time, error) {
	return s.reportFeed(ctx, s.db)
}

type execQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// The feed is public, but it holds this device's own reports (their
// description and address) beside the others: sealed, so that the file
// does not tell which are the citizen's.
func (s *Store) saveReportFeed(ctx context.Context, q execQuerier, feed api.ReportFeed, at time.Time) error {
	b, err := json.Marshal(cachedFeed{Feed: feed, At: at.UTC()})
	if err != nil {
		return err
	}
	return storageError("caching the reports", s.setSealedValue(ctx, q, KeyReportFeed, b))
}

func (s *Store) reportFeed(ctx context.Context, q execQuerier) (api.ReportFeed, time.Time, error) {
	raw, err := s.sealedValue(ctx, q, KeyReportFeed)
	if err != nil {
		return api.ReportFeed{}, time.Time{}, storageError("reading the reports", err)
	}
	if raw == nil {
		return api.ReportFeed{}, time.Time{}, nil
	}
	var c cachedFeed
	if err := json.Unmarshal(raw, &c); err != nil {
		return api.ReportFeed{}, time.Time{}, nil // a damaged cache is no cache
	}
	return c.Feed, c.At, nil
}

// ReportItems returns the reports and "+1"s not yet done (pending and
// failed), oldest first: what the report screen shows as on its way.
func (s *Store) ReportItems(ctx context.Context) ([]*citizen.OutboxItem, error) {
	return s.queryOutbox(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE state != 'done' AND kind = ? ORDER BY id`,
		citizen.OutboxReport.String())
}
