package store

import (
	"context"
	"database/sql"
	"errors"

	"rathaus/api"
	"rathaus/app/citizen"
)

func noticeAD(caseID string) []byte { return []byte("notice:" + caseID) }

// CasesAwaitingNotice lists the cases decided with a decision whose
// notice the device has not asked for yet.
func (s *Store) CasesAwaitingNotice(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, number, history, sealed FROM cases
		WHERE status IN (?, ?) AND NOT EXISTS (SELECT 1 FROM notices WHERE case_id = cases.id)`, api.StatusDecided, api.StatusClosed)
	if err != nil {
		return nil, storageError("reading cases", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, number, hist string
		var sealed []byte
		if err := rows.Scan(&id, &number, &hist, &sealed); err != nil {
			return nil, storageError("reading cases", err)
		}
		c, _ := s.openCase(id, sealed, number, hist)
		for _, ev := range c.History {
			if ev.Status == api.StatusDecided && len(ev.Note) > 0 {
				out = append(out, id)
				break
			}
		}
	}
	return out, storageError("reading cases", rows.Err())
}

// SaveNotice keeps a case's notice, sealed; pdf nil records that the
// backend has none.
func (s *Store) SaveNotice(ctx context.Context, caseID string, pdf []byte) error {
	var sealed []byte
	if pdf != nil {
		var err error
		if sealed, err = s.sealer.Seal(pdf, noticeAD(caseID)); err != nil {
			return err
		}
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO notices (case_id, pdf_sealed, received) VALUES (?, ?, ?)
		ON CONFLICT (case_id) DO UPDATE SET pdf_sealed = excluded.pdf_sealed, received = excluded.received`,
		caseID, sealed, ms(s.now()))
	return storageError("saving a notice", err)
}

// Notice returns a case's notice (a PDF).
func (s *Store) Notice(ctx context.Context, caseID string) ([]byte, error) {
	var sealed []byte
	err := s.db.QueryRowContext(ctx, `SELECT pdf_sealed FROM notices WHERE case_id = ?`, caseID).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && sealed == nil) {
		return nil, citizen.Errorf(citizen.ENOTFOUND, "There is no notice for this case on the device.")
	}
	if err != nil {
		return nil, storageError("reading a notice", err)
	}
	plain, err := s.sealer.Open(sealed, noticeAD(caseID))
	if err != nil {
		return nil, &citizen.Error{Code: citizen.ELOCKED, Message: "This notice was saved with a key this device no longer has.", Err: err}
	}
	return plain, nil
}
