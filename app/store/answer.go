package store

import (
	"context"

	"rathaus/api"
	"rathaus/app/citizen"
)

// ReopenToAnswer makes a sent draft editable again because the town hall
// asked for more information on its case: the citizen completes it, and
// sending it then answers that case (citizen.Draft.Answers) instead of
// making a new one.
func (s *Store) ReopenToAnswer(ctx context.Context, draftID string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE drafts SET state = 'editing', problem = NULL, updated = ?,
			answers = (SELECT id FROM cases WHERE draft_id = drafts.id AND status = ?)
		WHERE id = ? AND state = 'sent' AND EXISTS (SELECT 1 FROM cases WHERE draft_id = drafts.id AND status = ?)`,
		ms(s.now()), api.StatusInfoNeeded, draftID, api.StatusInfoNeeded)
	if err != nil {
		return storageError("reopening a draft", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return citizen.Errorf(citizen.ECONFLICT, "The town hall has not asked for more on this application.")
	}
	return nil
}
