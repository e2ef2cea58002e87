package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"rathaus/server/opendata"
)

// Months are of the UTC time, as the SQLite store's are.

// CaseCounts implements server.Store.
func (db *DB) CaseCounts(ctx context.Context) (_ []opendata.Count, err error) {
	defer func() { err = classify(err) }()
	return db.counts(ctx, "case counts", `SELECT to_char(created AT TIME ZONE 'UTC', 'YYYY-MM'), service, status, count(*)
		FROM cases GROUP BY 1, 2, 3 ORDER BY 1, service COLLATE "C", status COLLATE "C"`)
}

// ReportCounts implements server.Store.
func (db *DB) ReportCounts(ctx context.Context) (_ []opendata.Count, err error) {
	defer func() { err = classify(err) }()
	return db.counts(ctx, "report counts", `SELECT to_char(requested AT TIME ZONE 'UTC', 'YYYY-MM'), service_code, status, count(*)
		FROM reports GROUP BY 1, 2, 3 ORDER BY 1, service_code COLLATE "C", status COLLATE "C"`)
}

func (db *DB) counts(ctx context.Context, what, query string) ([]opendata.Count, error) {
	var out []opendata.Count
	err := db.tx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		out = nil
		rows, err := tx.Query(ctx, query)
		if err != nil {
			return fmt.Errorf("postgres: %s: %w", what, err)
		}
		defer rows.Close()
		for rows.Next() {
			var c opendata.Count
			if err := rows.Scan(&c.Month, &c.Category, &c.Status, &c.N); err != nil {
				return fmt.Errorf("postgres: %s: %w", what, err)
			}
			out = append(out, c)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("postgres: %s: %w", what, err)
		}
		return nil
	})
	return out, err
}

// Decisions implements server.Store.
func (db *DB) Decisions(ctx context.Context) (_ []opendata.Decision, err error) {
	defer func() { err = classify(err) }()
	var out []opendata.Decision
	err = db.tx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		out = nil
		rows, err := tx.Query(ctx, `SELECT c.service, c.created, min(e.at)
			FROM cases c JOIN case_events e ON e.case_id = c.id AND e.status = 'decided'
			GROUP BY c.id ORDER BY 3, c.id`)
		if err != nil {
			return fmt.Errorf("postgres: decisions: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var d opendata.Decision
			if err := rows.Scan(&d.Service, &d.Received, &d.Decided); err != nil {
				return fmt.Errorf("postgres: decisions: %w", err)
			}
			d.Received, d.Decided = d.Received.UTC(), d.Decided.UTC()
			out = append(out, d)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("postgres: decisions: %w", err)
		}
		return nil
	})
	return out, err
}

// LastChange implements server.Store.
func (db *DB) LastChange(ctx context.Context) (_ time.Time, err error) {
	defer func() { err = classify(err) }()
	var last *time.Time
	err = db.tx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT greatest((SELECT max(at) FROM case_events), (SELECT max(updated) FROM reports))`).Scan(&last)
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("postgres: last change: %w", err)
	}
	if last == nil {
		return time.Time{}, nil
	}
	return last.UTC(), nil
}
