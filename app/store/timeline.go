package store

import (
	"context"
	"database/sql"
	"errors"
	"maps"

	"rathaus/api"
	"rathaus/app/citizen"
)

// Status timelines: the steps the town takes on a case or report come
// through the changes feed; each step that says something (not the
// receipt) is news, told once, and marks the item new until opened.

// caseSteps is how many steps the mirrored case has (-1: not on the
// device yet).
func caseSteps(ctx context.Context, tx *sql.Tx, id string) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT steps FROM cases WHERE id = ?`, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return -1, nil
	}
	return n, storageError("reading a case", err)
}

// caseNews is the news of a case's copy from the feed: its last step when
// the timeline grew by it (a copy the device had, or its receipt, is
// none), the case then marked new.
func caseNews(ctx context.Context, tx *sql.Tx, c api.Case, before int) (citizen.News, bool, error) {
	after, err := caseSteps(ctx, tx, c.ID)
	if err != nil || after <= before || after == 0 || len(c.History) != after {
		return citizen.News{}, false, err
	}
	last := c.History[after-1]
	if last.Status == api.StatusReceived && last.Note == nil {
		return citizen.News{}, false, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET unseen = 1 WHERE id = ?`, c.ID); err != nil {
		return citizen.News{}, false, storageError("recording a case", err)
	}
	return citizen.News{Kind: citizen.NewsCase, ID: c.ID, Label: c.Number, Service: c.Service, Event: last}, true, nil
}

// applyReportUpdate adds the town's step to the report's timeline and
// marks it new; a step the timeline holds already (a page applied twice)
// is no news. A report this device does not know (sent from another
// device of the account) is remembered from here on.
func (s *Store) applyReportUpdate(ctx context.Context, tx *sql.Tx, u api.ReportUpdate) (citizen.News, bool, error) {
	var local, hist string
	var sealed []byte
	err := tx.QueryRowContext(ctx, `SELECT local_id, history, sealed FROM my_reports WHERE report_id = ? AND vote = 0`, u.Report.ID).Scan(&local, &hist, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		local, hist, sealed = "f_"+u.Report.ID, "[]", nil
		_, err = tx.ExecContext(ctx, `INSERT INTO my_reports (local_id, report_id, service_code, vote, queued, sealed) VALUES (?, ?, ?, 0, ?, x'')`,
			local, u.Report.ID, u.Report.ServiceCode, ms(u.Report.Requested))
	}
	if err != nil {
		return citizen.News{}, false, storageError("recording a report's status", err)
	}
	r, _ := s.openReport(local, sealed, hist) // sealed with a lost key: the timeline starts again
	for _, e := range r.History {
		if e.Status == u.Event.Status && e.At.Equal(u.Event.At) && maps.Equal(e.Note, u.Event.Note) {
			return citizen.News{}, false, nil
		}
	}
	r.History = append(r.History, u.Event)
	b, err := s.sealReport(local, r)
	if err != nil {
		return citizen.News{}, false, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE my_reports SET status = ?, sealed = ?, history = '[]', unseen = 1 WHERE local_id = ?`,
		u.Event.Status, b, local); err != nil {
		return citizen.News{}, false, storageError("recording a report's status", err)
	}
	return citizen.News{Kind: citizen.NewsReport, ID: u.Report.ID, Label: u.Report.ID, Service: u.Report.ServiceCode, Event: u.Event}, true, nil
}

// SetReportHistory keeps the backend's timeline of one of this device's
// reports (its receipt and every step) in place of the steps the feed
// brought, when it holds more: the backend keeps them all, the feed only
// what this device heard. The last step becomes the report's status; the
// report is not marked new (the citizen is looking at it). changed says
// whether the kept timeline changed.
func (s *Store) SetReportHistory(ctx context.Context, reportID string, events []api.CaseEvent) (changed bool, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, storageError("recording a report's timeline", err)
	}
	defer tx.Rollback()
	var local, hist string
	var sealed []byte
	err = tx.QueryRowContext(ctx, `SELECT local_id, history, sealed FROM my_reports WHERE report_id = ? AND vote = 0`, reportID).Scan(&local, &hist, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return false, citizen.Errorf(citizen.ENOTFOUND, "This report is not on the device.")
	}
	if err != nil {
		return false, storageError("recording a report's timeline", err)
	}
	steps := events
	if len(steps) > 0 && steps[0].Status == api.StatusReceived && steps[0].Note == nil {
		steps = steps[1:] // the receipt: the report's own time shows it
	}
	r, _ := s.openReport(local, sealed, hist)
	if len(steps) <= len(r.History) {
		return false, nil
	}
	r.History = steps
	b, err := s.sealReport(local, r)
	if err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE my_reports SET status = ?, sealed = ?, history = '[]' WHERE local_id = ?`,
		steps[len(steps)-1].Status, b, local); err != nil {
		return false, storageError("recording a report's timeline", err)
	}
	return true, storageError("recording a report's timeline", tx.Commit())
}

// MarkSeen records that the citizen opened a case or report (kind
// citizen.NewsCase or NewsReport, by the backend's id): it is no longer
// new.
func (s *Store) MarkSeen(ctx context.Context, kind, id string) error {
	q := `UPDATE cases SET unseen = 0 WHERE id = ?`
	if kind == citizen.NewsReport {
		q = `UPDATE my_reports SET unseen = 0 WHERE report_id = ?`
	}
	_, err := s.db.ExecContext(ctx, q, id)
	return storageError("marking as seen", err)
}
