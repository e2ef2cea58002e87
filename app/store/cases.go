package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sort"

	"rathaus/api"
	"rathaus/app/citizen"
)

// The mirror of the backend's cases, and the changes feed that keeps it
// (and the account's drafts) up to date.

// Cases returns the mirrored cases, newest first.
func (s *Store) Cases(ctx context.Context) ([]citizen.Case, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, number, coalesce(draft_id, ''), service, form_id, form_version, status, submitted, history, sealed,
			EXISTS (SELECT 1 FROM notices WHERE case_id = cases.id AND pdf_sealed IS NOT NULL), unseen
		FROM cases ORDER BY submitted DESC`)
	if err != nil {
		return nil, storageError("reading cases", err)
	}
	defer rows.Close()
	var out []citizen.Case
	for rows.Next() {
		var c citizen.Case
		var submitted int64
		var number, hist string
		var sealed []byte
		if err := rows.Scan(&c.ID, &number, &c.DraftID, &c.Service, &c.Form.ID, &c.Form.Version, &c.Status, &submitted, &hist, &sealed, &c.Notice, &c.New); err != nil {
			return nil, storageError("reading cases", err)
		}
		c.Submitted = fromMS(submitted)
		// A case sealed with a key the device no longer has shows without
		// its number and timeline; its status is clear.
		if sc, ok := s.openCase(c.ID, sealed, number, hist); ok {
			c.Number, c.History, c.KeyFingerprint = sc.Number, sc.History, sc.KeyFingerprint
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, storageError("reading cases", err)
	}
	// The number is sealed: the tie between cases of one moment is broken
	// here, as SQL did when it was clear.
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Submitted.Equal(out[j].Submitted) {
			return out[i].Submitted.After(out[j].Submitted)
		}
		return out[i].Number > out[j].Number
	})
	return out, nil
}

// Applied is what a page of the changes feed changed on the device.
type Applied struct {
	// Catalog: the backend's catalog changed (nothing on the device did
	// yet: fetch it).
	Catalog bool
	// Cases: a case came, or its status or timeline changed.
	Cases bool
	// Drafts: a draft of the account came from another device, changed
	// or went.
	Drafts bool
	// Appointments: an appointment of the device or its account came or
	// changed (booked elsewhere, cancelled, checked in).
	Appointments bool
	// Reports: the town took a step on a report of this device.
	Reports bool
	// News are the steps the town took on the device's cases and reports,
	// in the feed's order: each is told once (a notification), as the
	// page that brought it is applied once.
	News []citizen.News
}

// ApplyChanges applies a page of the changes feed and stores its cursor in
// the same transaction, so that a change is applied exactly once however
// often the page is fetched. It reports what changed.
func (s *Store) ApplyChanges(ctx context.Context, changes []api.Change, cursor string) (applied Applied, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return applied, storageError("applying changes", err)
	}
	defer tx.Rollback()
	for _, c := range changes {
		switch c.Kind {
		case api.ChangeCase:
			if c.Case != nil {
				steps, err := caseSteps(ctx, tx, c.Case.ID)
				if err != nil {
					return Applied{}, err
				}
				changed, err := s.upsertCase(ctx, tx, "", *c.Case)
				if err != nil {
					return Applied{}, err
				}
				applied.Cases = applied.Cases || changed
				if news, ok, err := caseNews(ctx, tx, *c.Case, steps); err != nil {
					return Applied{}, err
				} else if ok {
					applied.News = append(applied.News, news)
				}
			}
		case api.ChangeReport:
			if c.Report != nil {
				news, ok, err := s.applyReportUpdate(ctx, tx, *c.Report)
				if err != nil {
					return Applied{}, err
				}
				if ok {
					applied.Reports = true
					applied.News = append(applied.News, news)
				}
			}
		case api.ChangeDraft:
			if c.Draft != nil {
				if err := s.applyRemoteDraft(ctx, tx, *c.Draft); err != nil {
					return Applied{}, err
				}
				applied.Drafts = true
			}
		case api.ChangeCatalog:
			applied.Catalog = true
		case api.ChangeBooking:
			if c.Booking != nil {
				changed, err := s.applyBooking(ctx, tx, *c.Booking)
				if err != nil {
					return Applied{}, err
				}
				applied.Appointments = applied.Appointments || changed
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sync_state (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, KeyChangesCursor, cursor); err != nil {
		return Applied{}, storageError("applying changes", err)
	}
	if err := tx.Commit(); err != nil {
		return Applied{}, storageError("applying changes", err)
	}
	return applied, nil
}

// upsertCase records a case and its timeline, and reports whether the
// mirror changed (the feed also brings cases the device knows as they
// are); draftID is "" when the case came from the feed (the draft, if on
// this device, is linked already). A timeline only grows, so an older copy
// of the case (an answer that was on its way while the feed brought a
// newer status) never replaces a newer one.
func (s *Store) upsertCase(ctx context.Context, tx *sql.Tx, draftID string, c api.Case) (changed bool, err error) {
	sealed, err := s.sealCase(c.ID, sealedCase{Number: c.Number, History: c.History, KeyFingerprint: c.KeyFingerprint})
	if err != nil {
		return false, err
	}
	var draft any
	if draftID != "" {
		draft = draftID
	}
	before, err := s.caseState(ctx, tx, c.ID)
	if err != nil {
		return false, err
	}
	// number holds the id (it is UNIQUE and sealed), history nothing: see
	// migration 0013.
	_, err = tx.ExecContext(ctx, `INSERT INTO cases (id, number, draft_id, service, form_id, form_version, status, submitted, history, updated, sealed, steps)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			status = CASE WHEN excluded.steps >= cases.steps THEN excluded.status ELSE cases.status END,
			sealed = CASE WHEN excluded.steps >= cases.steps THEN excluded.sealed ELSE cases.sealed END,
			steps = max(excluded.steps, cases.steps),
			updated = excluded.updated, draft_id = coalesce(cases.draft_id, excluded.draft_id)`,
		c.ID, c.ID, draft, c.Service, c.Form.ID, c.Form.Version, c.Status, ms(c.Created), ms(s.now()), sealed, len(c.History))
	if err != nil {
		return false, storageError("recording a case", err)
	}
	after, err := s.caseState(ctx, tx, c.ID)
	return after != before, err
}

// caseState is what the citizen sees of a mirrored case ("" if none).
func (s *Store) caseState(ctx context.Context, tx *sql.Tx, id string) (string, error) {
	var status, draft, number, hist string
	var sealed []byte
	err := tx.QueryRowContext(ctx, `SELECT status, coalesce(draft_id, ''), number, history, sealed FROM cases WHERE id = ?`, id).Scan(&status, &draft, &number, &hist, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", storageError("reading a case", err)
	}
	sc, _ := s.openCase(id, sealed, number, hist)
	b, err := json.Marshal(sc)
	return status + " " + draft + " " + string(b), err
}
