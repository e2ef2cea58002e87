package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/open311"
)

// lockReportKey guards a report's idempotency key, by scope and key, as
// lockKey does a case's.
const lockReportKey = 0x5241_0311

// reportColumns are what a public report is read from; never private.
const reportColumns = `seq, service_code, description, status, status_notes, lat, long, address, address_id,
	media_url, attributes, requested, updated,
	(SELECT count(*) FROM report_photos p WHERE p.report_seq = reports.seq),
	(SELECT count(*) FROM report_votes v WHERE v.report_seq = reports.seq)`

// CreateReport implements server.Store. The key's lock makes concurrent
// requests with one key, on any process, queue up: all but the first find
// the stored report.
func (db *DB) CreateReport(ctx context.Context, key string, requestHash []byte, r open311.NewReport) (out api.Report, replayed bool, err error) {
	defer func() { err = classify(err) }()
	attrs := r.Attributes
	if attrs == nil {
		attrs = map[string][]string{}
	}
	attrJSON, err := json.Marshal(attrs)
	if err != nil {
		return api.Report{}, false, fmt.Errorf("postgres: create report: %w", err)
	}
	private, err := json.Marshal(r.Private)
	if err != nil {
		return api.Report{}, false, fmt.Errorf("postgres: create report: %w", err)
	}
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		replayed = false
		if key != "" {
			if err := lock(ctx, tx, lockReportKey, r.Device+" "+key); err != nil {
				return err
			}
			var hash []byte
			var seq int64
			err := tx.QueryRow(ctx, "SELECT request_hash, report_seq FROM report_keys WHERE scope = $1 AND key = $2", r.Device, key).
				Scan(&hash, &seq)
			switch {
			case err == nil && !bytes.Equal(hash, requestHash):
				return server.ErrKeyReused
			case err == nil:
				out, err = reportBySeq(ctx, tx, seq)
				replayed = true
				return err
			case !errors.Is(err, pgx.ErrNoRows):
				return fmt.Errorf("postgres: look up report key: %w", err)
			}
		}
		var lat, long *float64
		if r.Lat != nil && r.Long != nil {
			lat, long = r.Lat, r.Long
		}
		at := stamp(r.Requested)
		var seq int64
		err := tx.QueryRow(ctx, `INSERT INTO reports (token, service_code, description, status, lat, long, address,
			address_id, media_url, attributes, private, device, source, requested, updated)
			VALUES ($1, $2, $3, 'open', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING seq`,
			r.Token, r.ServiceCode, r.Description, lat, long, r.Address, r.AddressID, r.MediaURL, string(attrJSON),
			string(private), nullable(r.Device), r.Source, at).Scan(&seq)
		if err != nil {
			return fmt.Errorf("postgres: insert report: %w", err)
		}
		for i, up := range r.Photos {
			var used bool
			if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM report_photos WHERE upload_id = $1)", up).Scan(&used); err != nil {
				return err
			}
			if used {
				return &server.AttachmentError{Pointer: "/photos/" + strconv.Itoa(i), Upload: up, Reason: server.AttachmentInUse}
			}
			if _, err := tx.Exec(ctx, "INSERT INTO report_photos (report_seq, n, upload_id) VALUES ($1, $2, $3)", seq, i+1, up); err != nil {
				return fmt.Errorf("postgres: insert report photo: %w", err)
			}
		}
		if key != "" {
			if _, err := tx.Exec(ctx, "INSERT INTO report_keys (scope, key, request_hash, report_seq) VALUES ($1, $2, $3, $4)",
				r.Device, key, requestHash, seq); err != nil {
				return fmt.Errorf("postgres: insert report key: %w", err)
			}
		}
		out, err = reportBySeq(ctx, tx, seq)
		return err
	})
	if err != nil {
		return api.Report{}, false, err
	}
	return out, replayed, nil
}

// Report implements server.Store.
func (db *DB) Report(ctx context.Context, id string) (_ api.Report, _ bool, err error) {
	defer func() { err = classify(err) }()
	seq, ok := parseReportID(id)
	if !ok {
		return api.Report{}, false, nil
	}
	reps, err := db.queryReports(ctx, "SELECT "+reportColumns+" FROM reports WHERE seq = $1", seq)
	if err != nil || len(reps) == 0 {
		return api.Report{}, false, err
	}
	return reps[0], true, nil
}

// ReportByToken implements server.Store.
func (db *DB) ReportByToken(ctx context.Context, token string) (_ api.Report, _ bool, err error) {
	defer func() { err = classify(err) }()
	reps, err := db.queryReports(ctx, "SELECT "+reportColumns+" FROM reports WHERE token = $1", token)
	if err != nil || len(reps) == 0 {
		return api.Report{}, false, err
	}
	return reps[0], true, nil
}

// Reports implements server.Store.
func (db *DB) Reports(ctx context.Context, f open311.Filter) (_ []api.Report, err error) {
	defer func() { err = classify(err) }()
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if len(f.IDs) > 0 {
		var seqs []int64
		for _, id := range f.IDs {
			if seq, ok := parseReportID(id); ok {
				seqs = append(seqs, seq)
			}
		}
		if len(seqs) == 0 {
			return nil, nil
		}
		where = append(where, "seq = ANY("+arg(seqs)+")")
	} else {
		if len(f.ServiceCodes) > 0 {
			where = append(where, "service_code = ANY("+arg(f.ServiceCodes)+")")
		}
		if len(f.Statuses) > 0 {
			where = append(where, "status = ANY("+arg(f.Statuses)+")")
		}
		if !f.From.IsZero() {
			where = append(where, "requested >= "+arg(f.From.UTC()))
		}
		if !f.To.IsZero() {
			where = append(where, "requested <= "+arg(f.To.UTC()))
		}
	}
	query := "SELECT " + reportColumns + " FROM reports"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY seq DESC"
	if f.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(f.Limit)
	}
	return db.queryReports(ctx, query, args...)
}

// SetReportStatus implements server.Store.
func (db *DB) SetReportStatus(ctx context.Context, id, step, notes string, at time.Time) (out api.Report, ok bool, err error) {
	defer func() { err = classify(err) }()
	seq, valid := parseReportID(id)
	if !valid {
		return api.Report{}, false, nil
	}
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		var device *string
		err := tx.QueryRow(ctx, "UPDATE reports SET status = $1, status_notes = $2, updated = $3 WHERE seq = $4 RETURNING device",
			api.ReportStatusOf(step), notes, stamp(at), seq).Scan(&device)
		if errors.Is(err, pgx.ErrNoRows) {
			ok = false
			return nil
		}
		if err != nil {
			return fmt.Errorf("postgres: set report status: %w", err)
		}
		if out, err = reportBySeq(ctx, tx, seq); err != nil {
			return err
		}
		ok = true
		if _, err := tx.Exec(ctx, `INSERT INTO report_events (report_seq, n, status, note, at)
			VALUES ($1, (SELECT coalesce(max(n), 0) + 1 FROM report_events WHERE report_seq = $1), $2, $3, $4)`,
			seq, step, notes, out.Updated); err != nil {
			return fmt.Errorf("postgres: report event: %w", err)
		}
		if device == nil {
			return nil
		}
		ev := api.CaseEvent{Status: step, At: out.Updated}
		if notes != "" {
			ev.Note = api.Text{"de": notes, "en": notes}
		}
		return addDeviceChange(ctx, tx, *device, api.Change{Kind: api.ChangeReport,
			Report: &api.ReportUpdate{Report: out, Event: ev}})
	})
	return out, ok, err
}

// ReportHistory implements open311.Store.
func (db *DB) ReportHistory(ctx context.Context, id string) (_ []api.CaseEvent, ok bool, err error) {
	defer func() { err = classify(err) }()
	seq, valid := parseReportID(id)
	if !valid {
		return nil, false, nil
	}
	conn, err := db.acquire(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("postgres: report history: %w", err)
	}
	defer conn.Release()
	var requested time.Time
	err = conn.QueryRow(ctx, "SELECT requested FROM reports WHERE seq = $1", seq).Scan(&requested)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("postgres: report history: %w", err)
	}
	events := []api.CaseEvent{historyEvent(api.StatusReceived, "", requested)}
	rows, err := conn.Query(ctx, "SELECT status, note, at FROM report_events WHERE report_seq = $1 ORDER BY n", seq)
	if err != nil {
		return nil, false, fmt.Errorf("postgres: report history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var step, note string
		var at time.Time
		if err := rows.Scan(&step, &note, &at); err != nil {
			return nil, false, fmt.Errorf("postgres: report history: %w", err)
		}
		events = append(events, historyEvent(step, note, at))
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("postgres: report history: %w", err)
	}
	return events, true, nil
}

// historyEvent is a step of a report's timeline as the feed tells it.
func historyEvent(step, notes string, at time.Time) api.CaseEvent {
	ev := api.CaseEvent{Status: step, At: at.UTC()}
	if notes != "" {
		ev.Note = api.Text{"de": notes, "en": notes}
	}
	return ev
}

// parseReportID reads an id as the store gives them out: a positive
// decimal number without a sign or leading zeros.
func parseReportID(id string) (int64, bool) {
	seq, err := strconv.ParseInt(id, 10, 64)
	if err != nil || seq <= 0 || strconv.FormatInt(seq, 10) != id {
		return 0, false
	}
	return seq, true
}

func (db *DB) queryReports(ctx context.Context, query string, args ...any) ([]api.Report, error) {
	var out []api.Report
	err := db.tx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("postgres: reports: %w", err)
		}
		out, err = scanReports(rows)
		return err
	})
	return out, err
}

func reportBySeq(ctx context.Context, tx pgx.Tx, seq int64) (api.Report, error) {
	rows, err := tx.Query(ctx, "SELECT "+reportColumns+" FROM reports WHERE seq = $1", seq)
	if err != nil {
		return api.Report{}, fmt.Errorf("postgres: read report: %w", err)
	}
	reps, err := scanReports(rows)
	if err != nil {
		return api.Report{}, err
	}
	if len(reps) == 0 {
		return api.Report{}, server.ErrNotFound
	}
	return reps[0], nil
}

func scanReports(rows pgx.Rows) ([]api.Report, error) {
	defer rows.Close()
	var out []api.Report
	for rows.Next() {
		var r api.Report
		var seq int64
		var lat, long *float64
		var attrs string
		if err := rows.Scan(&seq, &r.ServiceCode, &r.Description, &r.Status, &r.StatusNotes, &lat, &long, &r.Address,
			&r.AddressID, &r.MediaURL, &attrs, &r.Requested, &r.Updated, &r.Photos, &r.Votes); err != nil {
			return nil, fmt.Errorf("postgres: read report: %w", err)
		}
		r.ID = strconv.FormatInt(seq, 10)
		if lat != nil && long != nil {
			r.Lat, r.Long = lat, long
		}
		if err := json.Unmarshal([]byte(attrs), &r.Attributes); err != nil {
			return nil, fmt.Errorf("postgres: report %s attributes: %w", r.ID, err)
		}
		if len(r.Attributes) == 0 {
			r.Attributes = nil
		}
		r.Requested, r.Updated = r.Requested.UTC(), r.Updated.UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: read reports: %w", err)
	}
	return out, nil
}

// VoteReport implements server.Store.
func (db *DB) VoteReport(ctx context.Context, id, voter string) (out api.Report, ok bool, err error) {
	defer func() { err = classify(err) }()
	seq, valid := parseReportID(id)
	if !valid {
		return api.Report{}, false, nil
	}
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO report_votes (report_seq, voter) SELECT seq, $2 FROM reports WHERE seq = $1
			ON CONFLICT DO NOTHING`, seq, voter)
		if err != nil {
			return fmt.Errorf("postgres: vote: %w", err)
		}
		out, err = reportBySeq(ctx, tx, seq)
		if errors.Is(err, server.ErrNotFound) {
			return nil
		}
		ok = err == nil
		return err
	})
	return out, ok, err
}

// ReportPhoto implements server.Store.
func (db *DB) ReportPhoto(ctx context.Context, id string, n int) (upload string, ok bool, err error) {
	defer func() { err = classify(err) }()
	seq, valid := parseReportID(id)
	if !valid {
		return "", false, nil
	}
	err = db.tx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT upload_id FROM report_photos WHERE report_seq = $1 AND n = $2", seq, n).Scan(&upload)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("postgres: report photo: %w", err)
	}
	return upload, true, nil
}
