package sqlite

import (
	"context"
	"fmt"
	"time"
)

// PutPollAnswer implements server.Store.
func (db *DB) PutPollAnswer(ctx context.Context, poll, device string, data []byte, at time.Time) (err error) {
	defer func() { err = classify(err) }()
	return db.execOne(ctx, "put poll answer", `INSERT INTO poll_answers (poll, device, data, answered) VALUES (?, ?, ?, ?)
			ON CONFLICT (poll, device) DO UPDATE SET data = excluded.data, answered = excluded.answered`,
		poll, device, string(data), at.Unix())
}

// PollAnswers implements server.Store.
func (db *DB) PollAnswers(ctx context.Context, poll string) (_ [][]byte, err error) {
	defer func() { err = classify(err) }()
	// One answer per citizen: a device's own, or its account's latest
	// among the account's devices (linked before or after they answered).
	rows, err := db.ro.QueryContext(ctx, `SELECT data FROM (
		SELECT pa.data, ROW_NUMBER() OVER (PARTITION BY COALESCE('account:' || d.account, 'device:' || pa.device)
			ORDER BY pa.answered DESC, pa.device DESC) AS n
		FROM poll_answers pa JOIN devices d ON d.id = pa.device WHERE pa.poll = ?) WHERE n = 1`, poll)
	if err != nil {
		return nil, fmt.Errorf("sqlite: poll answers: %w", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("sqlite: poll answers: %w", err)
		}
		out = append(out, []byte(s))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: poll answers: %w", err)
	}
	return out, nil
}
