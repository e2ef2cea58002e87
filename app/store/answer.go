package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"rathaus/api"
	"rathaus/app/citizen"
)

// askedAbout is the message on a field the town hall asks about.
var askedAbout = api.Text{"de": "Das Rathaus fragt hierzu nach.", "en": "The town hall asks about this."}

// ReopenToAnswer makes a sent draft editable again because the town hall
// asked for more information on its case: the citizen completes it, and
// sending it then answers that case (citizen.Draft.Answers) instead of
// making a new one.
// The fields the town hall asks about are marked on the form as the
// backend's refusals are (the draft's problem), until the citizen changes
// them.
func (s *Store) ReopenToAnswer(ctx context.Context, draftID string) error {
	var id, number, hist string
	var sealed []byte
	err := s.db.QueryRowContext(ctx, `SELECT id, number, history, sealed FROM cases WHERE draft_id = ? AND status = ?`, draftID, api.StatusInfoNeeded).Scan(&id, &number, &hist, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return citizen.Errorf(citizen.ECONFLICT, "The town hall has not asked for more on this application.")
	}
	if err != nil {
		return storageError("reopening a draft", err)
	}
	c, _ := s.openCase(id, sealed, number, hist)
	events := c.History
	var problem any
	if n := len(events); n > 0 && len(events[n-1].Fields) > 0 {
		p := api.Problem{Type: "about:blank", Title: "More information needed", Status: 0}
		for _, f := range events[n-1].Fields {
			p.Errors = append(p.Errors, api.FieldError{Pointer: f, Code: "asked", Detail: askedAbout["en"], Message: askedAbout})
		}
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		problem = string(b)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE drafts SET state = 'editing', problem = ?, updated = ?,
			answers = (SELECT id FROM cases WHERE draft_id = drafts.id AND status = ?)
		WHERE id = ? AND state = 'sent' AND EXISTS (SELECT 1 FROM cases WHERE draft_id = drafts.id AND status = ?)`,
		problem, ms(s.now()), api.StatusInfoNeeded, draftID, api.StatusInfoNeeded)
	if err != nil {
		return storageError("reopening a draft", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return citizen.Errorf(citizen.ECONFLICT, "The town hall has not asked for more on this application.")
	}
	return nil
}
