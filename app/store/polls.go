package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
)

// Polls (Mitreden): the town's polls are kept for offline use (migration
// 0014), and this device's answer beside them, sealed, written in the
// transaction that queues it.

func pollAnswerAD(poll string) []byte { return []byte("poll-answer:" + poll) }

// SavePolls keeps the polls as fetched at the given time, in their order:
// a poll the town no longer lists is forgotten, the results of one it
// still lists are kept.
func (s *Store) SavePolls(ctx context.Context, polls []api.Poll, fetched time.Time) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return storageError("caching the polls", err)
	}
	defer tx.Rollback()
	ids := []any{}
	for i, p := range polls {
		def, err := json.Marshal(p)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO polls (id, n, definition, fetched) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET n = excluded.n, definition = excluded.definition, fetched = excluded.fetched`,
			p.ID, i, string(def), ms(fetched)); err != nil {
			return storageError("caching the polls", err)
		}
		ids = append(ids, p.ID)
	}
	b, _ := json.Marshal(ids) // strings
	if _, err := tx.ExecContext(ctx, `DELETE FROM polls WHERE id NOT IN (SELECT value FROM json_each(?))`, string(b)); err != nil {
		return storageError("caching the polls", err)
	}
	return storageError("caching the polls", tx.Commit())
}

// SavePollResults keeps a closed poll's results beside it.
func (s *Store) SavePollResults(ctx context.Context, r api.PollResults) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE polls SET results = ? WHERE id = ?`, string(b), r.Poll)
	if err != nil {
		return storageError("caching the results", err)
	}
	return mustHaveHit(res, "caching the results")
}

// AnswerPoll queues the answer and keeps it as this device's answer, in
// one transaction: the answer shown is the one on its way.
func (s *Store) AnswerPoll(ctx context.Context, poll string, data map[string]any) (*citizen.OutboxItem, error) {
	plain, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	sealed, err := s.sealer.Seal(plain, pollAnswerAD(poll))
	if err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, storageError("saving the answer", err)
	}
	defer tx.Rollback()
	it := s.newItem(citizen.PollOutboxID(poll), &citizen.PollAnswerPayload{Poll: poll, Data: data})
	if _, err := s.enqueue(ctx, tx, it, false); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO my_poll_answers (poll, sealed, answered) VALUES (?, ?, ?)
		ON CONFLICT (poll) DO UPDATE SET sealed = excluded.sealed, answered = excluded.answered`,
		poll, sealed, ms(it.Created)); err != nil {
		return nil, storageError("saving the answer", err)
	}
	return it, storageError("saving the answer", tx.Commit())
}

// Polls returns the kept polls in the town's order, each with its results
// if fetched and this device's answer and how it stands (its latest
// outbox item's state).
func (s *Store) Polls(ctx context.Context) (citizen.PollList, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT p.definition, p.results, p.fetched, a.sealed, a.answered,
			(SELECT state FROM outbox o WHERE o.kind = ? AND o.draft_id = 'poll:' || p.id ORDER BY o.id DESC LIMIT 1),
			(SELECT last_error FROM outbox o WHERE o.kind = ? AND o.draft_id = 'poll:' || p.id ORDER BY o.id DESC LIMIT 1)
		FROM polls p LEFT JOIN my_poll_answers a ON a.poll = p.id ORDER BY p.n`,
		citizen.OutboxPollAnswer.String(), citizen.OutboxPollAnswer.String())
	if err != nil {
		return citizen.PollList{}, storageError("reading the polls", err)
	}
	defer rows.Close()
	var out citizen.PollList
	for rows.Next() {
		var def, results string
		var fetched int64
		var sealed []byte
		var answered sql.NullInt64
		var state, problem sql.NullString
		if err := rows.Scan(&def, &results, &fetched, &sealed, &answered, &state, &problem); err != nil {
			return citizen.PollList{}, storageError("reading the polls", err)
		}
		var mp citizen.MyPoll
		if err := json.Unmarshal([]byte(def), &mp.Poll); err != nil {
			continue // a damaged cache entry is no entry; the next fetch brings it
		}
		if results != "" {
			var r api.PollResults
			if json.Unmarshal([]byte(results), &r) == nil {
				mp.Results = &r
			}
		}
		if answered.Valid {
			mp.Answered = fromMS(answered.Int64)
			if plain, err := s.sealer.Open(sealed, pollAnswerAD(mp.Poll.ID)); err == nil {
				_ = json.Unmarshal(plain, &mp.Answer)
			}
			switch state.String {
			case "done":
				mp.State = citizen.AnswerSent
			case "failed":
				mp.State, mp.Problem = citizen.AnswerFailed, problem.String
			default:
				mp.State = citizen.AnswerWaiting
			}
		}
		if f := fromMS(fetched); f.After(out.Fetched) {
			out.Fetched = f
		}
		out.Polls = append(out.Polls, mp)
	}
	if err := rows.Err(); err != nil {
		return citizen.PollList{}, storageError("reading the polls", err)
	}
	return out, nil
}

// Poll returns one kept poll (an error coded ENOTFOUND if none).
func (s *Store) Poll(ctx context.Context, id string) (citizen.MyPoll, error) {
	l, err := s.Polls(ctx)
	if err != nil {
		return citizen.MyPoll{}, err
	}
	for _, p := range l.Polls {
		if p.Poll.ID == id {
			return p, nil
		}
	}
	return citizen.MyPoll{}, citizen.Errorf(citizen.ENOTFOUND, "This poll is not on the device.")
}
