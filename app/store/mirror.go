package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"rathaus/api"
)

// The mirror of cases, the device's reports and caches that may hold
// personal data are sealed like drafts (migration 0013 says what stays
// clear and why). Each sealed value is bound to its row.

func caseAD(id string) []byte        { return []byte("case:" + id) }
func myReportAD(local string) []byte { return []byte("my-report:" + local) }
func stateAD(key string) []byte      { return []byte("state:" + key) }

// sealedCase is what a mirrored case keeps sealed.
type sealedCase struct {
	Number  string          `json:"number"`
	History []api.CaseEvent `json:"history"`
	// KeyFingerprint names the device key the backend verified the
	// case's signature with (the receipt shows it).
	KeyFingerprint string `json:"key_fingerprint,omitempty"`
}

func (s *Store) sealCase(id string, c sealedCase) ([]byte, error) {
	if c.History == nil {
		c.History = []api.CaseEvent{}
	}
	plain, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	return s.sealer.Seal(plain, caseAD(id))
}

// openCase reads a case's sealed part; ok is false when the key that
// sealed it is gone. A row not sealed yet (sealed NULL or empty: only
// between the migration and Open's sealMirror) reads from its clear
// columns.
func (s *Store) openCase(id string, sealed []byte, number, history string) (c sealedCase, ok bool) {
	if len(sealed) == 0 {
		c.Number = number
		_ = json.Unmarshal([]byte(history), &c.History)
		return c, true
	}
	plain, err := s.sealer.Open(sealed, caseAD(id))
	if err != nil || json.Unmarshal(plain, &c) != nil {
		return sealedCase{}, false
	}
	return c, true
}

// sealedReport is what one of this device's reports keeps sealed.
type sealedReport struct {
	History []api.CaseEvent `json:"history"`
}

func (s *Store) sealReport(local string, r sealedReport) ([]byte, error) {
	if r.History == nil {
		r.History = []api.CaseEvent{}
	}
	plain, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	return s.sealer.Seal(plain, myReportAD(local))
}

// openReport reads a report's sealed part, as openCase does; a report
// queued on this device starts with an empty one (no timeline yet).
func (s *Store) openReport(local string, sealed []byte, history string) (r sealedReport, ok bool) {
	if len(sealed) == 0 {
		_ = json.Unmarshal([]byte(history), &r.History)
		return r, true
	}
	plain, err := s.sealer.Open(sealed, myReportAD(local))
	if err != nil || json.Unmarshal(plain, &r) != nil {
		return sealedReport{}, false
	}
	return r, true
}

// sealedValue returns a sealed cache's value (nil when there is none or
// it cannot be opened: a cache, fetched again).
func (s *Store) sealedValue(ctx context.Context, q execQuerier, key string) ([]byte, error) {
	var sealed []byte
	err := q.QueryRowContext(ctx, `SELECT value FROM sealed_state WHERE key = ?`, key).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, storageError("reading a cache", err)
	}
	plain, err := s.sealer.Open(sealed, stateAD(key))
	if err != nil {
		return nil, nil
	}
	return plain, nil
}

func (s *Store) setSealedValue(ctx context.Context, q execQuerier, key string, plain []byte) error {
	sealed, err := s.sealer.Seal(plain, stateAD(key))
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO sealed_state (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, sealed)
	return storageError("writing a cache", err)
}

// sealMirror seals, once after the upgrade to migration 0013, what an
// older version kept clear: the cases' numbers and timelines, the
// reports' timelines and the cached feed of reports. The clear columns
// are emptied in the same transaction; secure_delete zeroes the old
// bytes in the pages, and a checkpoint that truncates the WAL takes the
// old pages' copies from it.
func (s *Store) sealMirror(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return storageError("sealing the mirror", err)
	}
	defer tx.Rollback()
	n, err := s.sealOldCases(ctx, tx)
	if err != nil {
		return err
	}
	m, err := s.sealOldReports(ctx, tx)
	if err != nil {
		return err
	}
	var feed string
	err = tx.QueryRowContext(ctx, `SELECT value FROM sync_state WHERE key = ?`, KeyReportFeed).Scan(&feed)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return storageError("sealing the mirror", err)
	default:
		if err := s.setSealedValue(ctx, tx, KeyReportFeed, []byte(feed)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sync_state WHERE key = ?`, KeyReportFeed); err != nil {
			return storageError("sealing the mirror", err)
		}
		m++
	}
	// Case numbers of sent drafts: the mirror has them, sealed.
	res, err := tx.ExecContext(ctx, `UPDATE drafts SET case_number = '' WHERE case_number <> ''
		AND EXISTS (SELECT 1 FROM cases WHERE cases.draft_id = drafts.id AND cases.sealed IS NOT NULL)`)
	if err != nil {
		return storageError("sealing the mirror", err)
	}
	if k, _ := res.RowsAffected(); k > 0 {
		m += int(k)
	}
	if n+m == 0 {
		return nil
	}
	if err := tx.Commit(); err != nil {
		return storageError("sealing the mirror", err)
	}
	_, err = s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return storageError("sealing the mirror", err)
}

func (s *Store) sealOldCases(ctx context.Context, tx *sql.Tx) (int, error) {
	type old struct{ id, number, history string }
	rows, err := tx.QueryContext(ctx, `SELECT id, number, history FROM cases WHERE sealed IS NULL`)
	if err != nil {
		return 0, storageError("sealing cases", err)
	}
	var olds []old
	for rows.Next() {
		var o old
		if err := rows.Scan(&o.id, &o.number, &o.history); err != nil {
			rows.Close()
			return 0, storageError("sealing cases", err)
		}
		olds = append(olds, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, storageError("sealing cases", err)
	}
	for _, o := range olds {
		c, _ := s.openCase(o.id, nil, o.number, o.history)
		sealed, err := s.sealCase(o.id, c)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET sealed = ?, steps = ?, number = id, history = '[]' WHERE id = ?`,
			sealed, len(c.History), o.id); err != nil {
			return 0, storageError("sealing cases", err)
		}
	}
	return len(olds), nil
}

func (s *Store) sealOldReports(ctx context.Context, tx *sql.Tx) (int, error) {
	type old struct{ local, history string }
	rows, err := tx.QueryContext(ctx, `SELECT local_id, history FROM my_reports WHERE sealed IS NULL`)
	if err != nil {
		return 0, storageError("sealing reports", err)
	}
	var olds []old
	for rows.Next() {
		var o old
		if err := rows.Scan(&o.local, &o.history); err != nil {
			rows.Close()
			return 0, storageError("sealing reports", err)
		}
		olds = append(olds, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, storageError("sealing reports", err)
	}
	for _, o := range olds {
		r, _ := s.openReport(o.local, nil, o.history)
		sealed, err := s.sealReport(o.local, r)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE my_reports SET sealed = ?, history = '[]' WHERE local_id = ?`, sealed, o.local); err != nil {
			return 0, storageError("sealing reports", err)
		}
	}
	return len(olds), nil
}
