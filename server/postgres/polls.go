package postgres

import (
	"context"
	"fmt"
	"time"
)

// PutPollAnswer implements server.Store.
func (db *DB) PutPollAnswer(ctx context.Context, poll, device string, data []byte, at time.Time) (err error) {
	defer func() { err = classify(err) }()
	conn, err := db.acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: put poll answer: %w", err)
	}
	defer conn.Release()
	_, err = conn.Exec(ctx, `INSERT INTO poll_answers (poll, device, data, answered) VALUES ($1, $2, $3, $4)
		ON CONFLICT (poll, device) DO UPDATE SET data = excluded.data, answered = excluded.answered`,
		poll, device, string(data), at.Unix())
	if err != nil {
		return fmt.Errorf("postgres: put poll answer: %w", err)
	}
	return nil
}

// PollAnswers implements server.Store.
func (db *DB) PollAnswers(ctx context.Context, poll string) (_ [][]byte, err error) {
	defer func() { err = classify(err) }()
	conn, err := db.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: poll answers: %w", err)
	}
	defer conn.Release()
	// One answer per citizen: a device's own, or its account's latest
	// among the account's devices (linked before or after they answered).
	rows, err := conn.Query(ctx, `SELECT DISTINCT ON (COALESCE('account:' || d.account, 'device:' || pa.device)) pa.data
		FROM poll_answers pa JOIN devices d ON d.id = pa.device WHERE pa.poll = $1
		ORDER BY COALESCE('account:' || d.account, 'device:' || pa.device), pa.answered DESC, pa.device DESC`, poll)
	if err != nil {
		return nil, fmt.Errorf("postgres: poll answers: %w", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("postgres: poll answers: %w", err)
		}
		out = append(out, []byte(s))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: poll answers: %w", err)
	}
	return out, nil
}
