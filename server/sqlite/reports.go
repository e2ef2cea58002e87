package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/open311"
)

// reportStamp is how a report's times are kept: UTC to the microsecond
// (as PostgreSQL keeps them), of fixed width, so that they sort as text and
// the index on requested serves the ranges of GET requests.
func reportStamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// reportColumns are what a public report is read from; never private.
const reportColumns = `seq, service_code, description, status, status_notes, lat, long, address, address_id,
	media_url, attributes, requested, updated,
	(SELECT count(*) FROM report_photos p WHERE p.report_seq = reports.seq),
	(SELECT count(*) FROM report_votes v WHERE v.report_seq = reports.seq)`

// CreateReport implements server.Store: the key's lookup and the inserts
// are one write (writer.go), so requests with one key queue up and all but
// the first find the stored report.
func (db *DB) CreateReport(ctx context.Context, key string, requestHash []byte, r open311.NewReport) (out api.Report, replayed bool, err error) {
	defer func() { err = classify(err) }()
	attrs, err := json.Marshal(nonNilAttrs(r.Attributes))
	if err != nil {
		return api.Report{}, false, fmt.Errorf("sqlite: create report: %w", err)
	}
	private, err := json.Marshal(r.Private)
	if err != nil {
		return api.Report{}, false, fmt.Errorf("sqlite: create report: %w", err)
	}
	err = db.w.write(ctx, func(ctx context.Context, q querier) error {
		if key != "" {
			var hash []byte
			var seq int64
			err := q.QueryRowContext(ctx, "SELECT request_hash, report_seq FROM report_keys WHERE scope = ? AND key = ?", r.Device, key).
				Scan(&hash, &seq)
			switch {
			case err == nil && !bytes.Equal(hash, requestHash):
				return server.ErrKeyReused
			case err == nil:
				out, err = reportBySeq(ctx, q, seq)
				replayed = true
				return err
			case !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("sqlite: look up report key: %w", err)
			}
		}
		var lat, long any
		if r.Lat != nil && r.Long != nil {
			lat, long = *r.Lat, *r.Long
		}
		stamp := reportStamp(r.Requested)
		var seq int64
		err := q.QueryRowContext(ctx, `INSERT INTO reports (token, service_code, description, status, lat, long, address,
			address_id, media_url, attributes, private, device, source, requested, updated)
			VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
			r.Token, r.ServiceCode, r.Description, lat, long, r.Address, r.AddressID, r.MediaURL, string(attrs),
			string(private), nullable(r.Device), r.Source, stamp, stamp).Scan(&seq)
		if err != nil {
			return fmt.Errorf("sqlite: insert report: %w", err)
		}
		for i, up := range r.Photos {
			var used bool
			if err := q.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM report_photos WHERE upload_id = ?)", up).Scan(&used); err != nil {
				return err
			}
			if used {
				return &server.AttachmentError{Pointer: "/photos/" + strconv.Itoa(i), Upload: up, Reason: server.AttachmentInUse}
			}
			if _, err := q.ExecContext(ctx, "INSERT INTO report_photos (report_seq, n, upload_id) VALUES (?, ?, ?)", seq, i+1, up); err != nil {
				return fmt.Errorf("sqlite: insert report photo: %w", err)
			}
		}
		if key != "" {
			if _, err := q.ExecContext(ctx, "INSERT INTO report_keys (scope, key, request_hash, report_seq) VALUES (?, ?, ?, ?)",
				r.Device, key, requestHash, seq); err != nil {
				return fmt.Errorf("sqlite: insert report key: %w", err)
			}
		}
		out, err = reportBySeq(ctx, q, seq)
		return err
	})
	if err != nil {
		return api.Report{}, false, err
	}
	return out, replayed, nil
}

func nonNilAttrs(m map[string][]string) map[string][]string {
	if m == nil {
		return map[string][]string{}
	}
	return m
}

// Report implements server.Store.
func (db *DB) Report(ctx context.Context, id string) (_ api.Report, _ bool, err error) {
	defer func() { err = classify(err) }()
	seq, ok := parseReportID(id)
	if !ok {
		return api.Report{}, false, nil
	}
	return found(reportBySeq(ctx, db.ro, seq))
}

// ReportByToken implements server.Store.
func (db *DB) ReportByToken(ctx context.Context, token string) (_ api.Report, _ bool, err error) {
	defer func() { err = classify(err) }()
	rows, err := db.ro.QueryContext(ctx, "SELECT "+reportColumns+" FROM reports WHERE token = ?", token)
	if err != nil {
		return api.Report{}, false, fmt.Errorf("sqlite: report by token: %w", err)
	}
	reps, err := scanReports(rows)
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
	in := func(col string, vals []string) {
		where = append(where, col+" IN ("+strings.TrimSuffix(strings.Repeat("?,", len(vals)), ",")+")")
		for _, v := range vals {
			args = append(args, v)
		}
	}
	if len(f.IDs) > 0 {
		var seqs []string
		for _, id := range f.IDs {
			if seq, ok := parseReportID(id); ok {
				seqs = append(seqs, strconv.FormatInt(seq, 10))
			}
		}
		if len(seqs) == 0 {
			return nil, nil
		}
		in("seq", seqs)
	} else {
		if len(f.ServiceCodes) > 0 {
			in("service_code", f.ServiceCodes)
		}
		if len(f.Statuses) > 0 {
			in("status", f.Statuses)
		}
		// Stamps of one width sort as text (reportStamp). A bound finer
		// than a microsecond is cut to it, as the stamps are.
		if !f.From.IsZero() {
			where = append(where, "requested >= ?")
			args = append(args, reportStamp(f.From.Truncate(time.Microsecond)))
		}
		if !f.To.IsZero() {
			where = append(where, "requested <= ?")
			args = append(args, reportStamp(f.To))
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
	rows, err := db.ro.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: reports: %w", err)
	}
	return scanReports(rows)
}

// SetReportStatus implements server.Store.
func (db *DB) SetReportStatus(ctx context.Context, id, step, notes string, at time.Time) (out api.Report, ok bool, err error) {
	defer func() { err = classify(err) }()
	seq, valid := parseReportID(id)
	if !valid {
		return api.Report{}, false, nil
	}
	err = db.w.write(ctx, func(ctx context.Context, q querier) error {
		res, err := q.ExecContext(ctx, "UPDATE reports SET status = ?, status_notes = ?, updated = ? WHERE seq = ?",
			api.ReportStatusOf(step), notes, reportStamp(at), seq)
		if err != nil {
			return fmt.Errorf("sqlite: set report status: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		if out, err = reportBySeq(ctx, q, seq); err != nil {
			return err
		}
		ok = true
		if _, err := q.ExecContext(ctx, `INSERT INTO report_events (report_seq, n, status, note, at)
			VALUES (?, (SELECT coalesce(max(n), 0) + 1 FROM report_events WHERE report_seq = ?), ?, ?, ?)`,
			seq, seq, step, notes, reportStamp(out.Updated)); err != nil {
			return fmt.Errorf("sqlite: report event: %w", err)
		}
		var device sql.NullString
		if err := q.QueryRowContext(ctx, "SELECT device FROM reports WHERE seq = ?", seq).Scan(&device); err != nil {
			return fmt.Errorf("sqlite: device of report %d: %w", seq, err)
		}
		return addDeviceChange(ctx, q, device.String, api.Change{Kind: api.ChangeReport,
			Report: &api.ReportUpdate{Report: out, Event: reportEvent(step, notes, out.Updated)}})
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
	var requested string
	err = db.ro.QueryRowContext(ctx, "SELECT requested FROM reports WHERE seq = ?", seq).Scan(&requested)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: report history: %w", err)
	}
	at, err := time.Parse(time.RFC3339Nano, requested)
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: report history: %w", err)
	}
	events := []api.CaseEvent{reportEvent(api.StatusReceived, "", at)}
	rows, err := db.ro.QueryContext(ctx, "SELECT status, note, at FROM report_events WHERE report_seq = ? ORDER BY n", seq)
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: report history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var step, note, stamp string
		if err := rows.Scan(&step, &note, &stamp); err != nil {
			return nil, false, fmt.Errorf("sqlite: report history: %w", err)
		}
		at, err := time.Parse(time.RFC3339Nano, stamp)
		if err != nil {
			return nil, false, fmt.Errorf("sqlite: report history: %w", err)
		}
		events = append(events, reportEvent(step, note, at))
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("sqlite: report history: %w", err)
	}
	return events, true, nil
}

// reportEvent is the timeline step a status change of a report makes.
func reportEvent(step, notes string, at time.Time) api.CaseEvent {
	ev := api.CaseEvent{Status: step, At: at.UTC().Truncate(time.Microsecond)}
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

func found(r api.Report, err error) (api.Report, bool, error) {
	if errors.Is(err, server.ErrNotFound) {
		return api.Report{}, false, nil
	}
	return r, err == nil, err
}

func reportBySeq(ctx context.Context, q querier, seq int64) (api.Report, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+reportColumns+" FROM reports WHERE seq = ?", seq)
	if err != nil {
		return api.Report{}, fmt.Errorf("sqlite: read report: %w", err)
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

func scanReports(rows *sql.Rows) ([]api.Report, error) {
	defer rows.Close()
	var out []api.Report
	for rows.Next() {
		var r api.Report
		var seq int64
		var lat, long sql.NullFloat64
		var attrs, requested, updated string
		if err := rows.Scan(&seq, &r.ServiceCode, &r.Description, &r.Status, &r.StatusNotes, &lat, &long, &r.Address,
			&r.AddressID, &r.MediaURL, &attrs, &requested, &updated, &r.Photos, &r.Votes); err != nil {
			return nil, fmt.Errorf("sqlite: read report: %w", err)
		}
		r.ID = strconv.FormatInt(seq, 10)
		if lat.Valid && long.Valid {
			r.Lat, r.Long = &lat.Float64, &long.Float64
		}
		if err := json.Unmarshal([]byte(attrs), &r.Attributes); err != nil {
			return nil, fmt.Errorf("sqlite: report %s attributes: %w", r.ID, err)
		}
		if len(r.Attributes) == 0 {
			r.Attributes = nil
		}
		var err error
		if r.Requested, err = time.Parse(time.RFC3339Nano, requested); err != nil {
			return nil, fmt.Errorf("sqlite: report %s: %w", r.ID, err)
		}
		if r.Updated, err = time.Parse(time.RFC3339Nano, updated); err != nil {
			return nil, fmt.Errorf("sqlite: report %s: %w", r.ID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: read reports: %w", err)
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
	err = db.w.write(ctx, func(ctx context.Context, q querier) error {
		var exists bool
		if err := q.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM reports WHERE seq = ?)", seq).Scan(&exists); err != nil || !exists {
			return err
		}
		if _, err := q.ExecContext(ctx, "INSERT INTO report_votes (report_seq, voter) VALUES (?, ?) ON CONFLICT DO NOTHING", seq, voter); err != nil {
			return fmt.Errorf("sqlite: vote: %w", err)
		}
		out, err = reportBySeq(ctx, q, seq)
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
	err = db.ro.QueryRowContext(ctx, "SELECT upload_id FROM report_photos WHERE report_seq = ? AND n = ?", seq, n).Scan(&upload)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("sqlite: report photo: %w", err)
	}
	return upload, true, nil
}
