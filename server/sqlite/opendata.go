package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"rathaus/server/opendata"
)

// Case times are RFC 3339 of varying width (cases.go), so they do not sort
// as text: julianday reads them. Months are the stamps' first seven
// characters, which are UTC.

// CaseCounts implements server.Store.
func (db *DB) CaseCounts(ctx context.Context) (_ []opendata.Count, err error) {
	defer func() { err = classify(err) }()
	return db.counts(ctx, "case counts", `SELECT substr(created, 1, 7), service, status, count(*)
		FROM cases GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`)
}

// ReportCounts implements server.Store.
func (db *DB) ReportCounts(ctx context.Context) (_ []opendata.Count, err error) {
	defer func() { err = classify(err) }()
	return db.counts(ctx, "report counts", `SELECT substr(requested, 1, 7), service_code, status, count(*)
		FROM reports GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`)
}

func (db *DB) counts(ctx context.Context, what, query string) ([]opendata.Count, error) {
	rows, err := db.ro.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	defer rows.Close()
	var out []opendata.Count
	for rows.Next() {
		var c opendata.Count
		if err := rows.Scan(&c.Month, &c.Category, &c.Status, &c.N); err != nil {
			return nil, fmt.Errorf("sqlite: %s: %w", what, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return out, nil
}

// Decisions implements server.Store.
func (db *DB) Decisions(ctx context.Context) (_ []opendata.Decision, err error) {
	defer func() { err = classify(err) }()
	rows, err := db.ro.QueryContext(ctx, `SELECT c.service, c.created, min(julianday(e.at))
		FROM cases c JOIN case_events e ON e.case_id = c.id AND e.status = 'decided'
		GROUP BY c.id ORDER BY 3, c.id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: decisions: %w", err)
	}
	defer rows.Close()
	var out []opendata.Decision
	for rows.Next() {
		var d opendata.Decision
		var created string
		var decided float64
		if err := rows.Scan(&d.Service, &created, &decided); err != nil {
			return nil, fmt.Errorf("sqlite: decisions: %w", err)
		}
		if d.Received, err = time.Parse(time.RFC3339Nano, created); err != nil {
			return nil, fmt.Errorf("sqlite: decisions: %w", err)
		}
		d.Decided = fromJulian(decided)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: decisions: %w", err)
	}
	return out, nil
}

// LastChange implements server.Store.
func (db *DB) LastChange(ctx context.Context) (_ time.Time, err error) {
	defer func() { err = classify(err) }()
	var events sql.NullFloat64
	var reports sql.NullString
	if err := db.ro.QueryRowContext(ctx, `SELECT (SELECT max(julianday(at)) FROM case_events),
		(SELECT max(updated) FROM reports)`).Scan(&events, &reports); err != nil {
		return time.Time{}, fmt.Errorf("sqlite: last change: %w", err)
	}
	var last time.Time
	if events.Valid {
		last = fromJulian(events.Float64)
	}
	if reports.Valid {
		t, err := time.Parse(time.RFC3339Nano, reports.String)
		if err != nil {
			return time.Time{}, fmt.Errorf("sqlite: last change: %w", err)
		}
		if t.After(last) {
			last = t
		}
	}
	return last, nil
}

// fromJulian turns a Julian day number (SQLite's julianday) into a time,
// to the millisecond, which is what a double keeps of it.
func fromJulian(jd float64) time.Time {
	ms := math.Round((jd - 2440587.5) * 86400000)
	return time.UnixMilli(int64(ms)).UTC()
}
