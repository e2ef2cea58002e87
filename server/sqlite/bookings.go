package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"rathaus/api"
	"rathaus/server/appointments"
)

const bookingColumns = `id, device, service, office, start, end_at, code, ticket, created, replaces, cancelled, checked_in`

// ownedBy matches the bookings of a device (its id given twice) or of the
// other devices of its account.
const ownedBy = `(device = ? OR device IN (SELECT id FROM devices WHERE account IS NOT NULL AND account = (SELECT account FROM devices WHERE id = ?)))`

func scanBooking(row interface{ Scan(...any) error }) (appointments.Booking, error) {
	var b appointments.Booking
	var start, end, created int64
	var cancelled, checkedIn sql.NullInt64
	if err := row.Scan(&b.ID, &b.Device, &b.Service, &b.Office, &start, &end, &b.Code, &b.Ticket, &created, &b.Replaces, &cancelled, &checkedIn); err != nil {
		return b, err
	}
	b.Start, b.End, b.Created = unix(start), unix(end), unix(created)
	if cancelled.Valid {
		b.Cancelled = unix(cancelled.Int64)
	}
	if checkedIn.Valid {
		b.CheckedIn = unix(checkedIn.Int64)
	}
	return b, nil
}

func unix(s int64) time.Time { return time.Unix(s, 0).UTC() }

// Book implements appointments.Store. The replay, the insert and the
// cancel of the replaced booking are one write; the partial unique index
// on (office, start) refuses a second booking of a slot.
func (db *DB) Book(ctx context.Context, key string, requestHash []byte, nb appointments.NewBooking) (out appointments.Booking, replayed bool, err error) {
	defer func() { err = classify(err) }()
	err = db.w.write(ctx, func(ctx context.Context, q querier) error {
		var stored []byte
		var id string
		err := q.QueryRowContext(ctx, "SELECT request_hash, id FROM bookings WHERE device = ? AND idem_key = ?", nb.Device, key).Scan(&stored, &id)
		switch {
		case err == nil && !bytes.Equal(stored, requestHash):
			return appointments.ErrKeyReused
		case err == nil:
			out, err = scanBooking(q.QueryRowContext(ctx, "SELECT "+bookingColumns+" FROM bookings WHERE id = ?", id))
			replayed = true
			return err
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("sqlite: look up booking key: %w", err)
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO bookings (id, device, idem_key, request_hash, service, office, start, end_at, code, ticket, created, replaces)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, nb.ID, nb.Device, key, requestHash, nb.Service, nb.Office,
			nb.Start.Unix(), nb.End.Unix(), nb.Code, nb.Ticket, nb.Created.Unix(), nb.Replaces); err != nil {
			return uniqueBooking(err)
		}
		if nb.Replaces != "" {
			res, err := q.ExecContext(ctx, "UPDATE bookings SET cancelled = ? WHERE id = ? AND "+ownedBy+" AND cancelled IS NULL AND checked_in IS NULL",
				nb.Created.Unix(), nb.Replaces, nb.Device, nb.Device)
			if err != nil {
				return fmt.Errorf("sqlite: cancel replaced booking: %w", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return appointments.ErrNotFound
			}
			old, err := scanBooking(q.QueryRowContext(ctx, "SELECT "+bookingColumns+" FROM bookings WHERE id = ?", nb.Replaces))
			if err != nil {
				return fmt.Errorf("sqlite: read replaced booking: %w", err)
			}
			if err := addBookingChange(ctx, q, old); err != nil {
				return err
			}
		}
		out = appointments.Booking{NewBooking: nb}
		out.Start, out.End, out.Created = unix(nb.Start.Unix()), unix(nb.End.Unix()), unix(nb.Created.Unix())
		return addBookingChange(ctx, q, out)
	})
	if err != nil {
		return appointments.Booking{}, false, err
	}
	return out, replayed, nil
}

// uniqueBooking names the unique constraint an insert broke.
func uniqueBooking(err error) error {
	se, ok := errors.AsType[sqlite3.Error](err)
	if ok && se.ExtendedCode == sqlite3.ErrConstraintUnique {
		switch msg := se.Error(); {
		case strings.Contains(msg, "bookings.code"):
			return appointments.ErrCodeTaken
		case strings.Contains(msg, "bookings.office"):
			return appointments.ErrSlotTaken
		}
	}
	return fmt.Errorf("sqlite: insert booking: %w", err)
}

// CancelBooking implements appointments.Store.
func (db *DB) CancelBooking(ctx context.Context, device, id string, at time.Time) (out appointments.Booking, err error) {
	defer func() { err = classify(err) }()
	err = db.w.write(ctx, func(ctx context.Context, q querier) error {
		b, err := scanBooking(q.QueryRowContext(ctx, "SELECT "+bookingColumns+" FROM bookings WHERE id = ? AND "+ownedBy, id, device, device))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return appointments.ErrNotFound
		case err != nil:
			return fmt.Errorf("sqlite: read booking: %w", err)
		case !b.CheckedIn.IsZero():
			return appointments.ErrCheckedIn
		case !b.Cancelled.IsZero():
			out = b
			return nil
		}
		if _, err := q.ExecContext(ctx, "UPDATE bookings SET cancelled = ? WHERE id = ?", at.Unix(), id); err != nil {
			return fmt.Errorf("sqlite: cancel booking: %w", err)
		}
		b.Cancelled = unix(at.Unix())
		out = b
		return addBookingChange(ctx, q, b)
	})
	return out, err
}

// Bookings implements appointments.Store.
func (db *DB) Bookings(ctx context.Context, device string) (_ []appointments.Booking, err error) {
	defer func() { err = classify(err) }()
	rows, err := db.ro.QueryContext(ctx, "SELECT "+bookingColumns+" FROM bookings WHERE device = ? ORDER BY start, id", device)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list bookings: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := []appointments.Booking{}
	for rows.Next() {
		b, err := scanBooking(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list bookings: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// TakenSlots implements appointments.Store.
func (db *DB) TakenSlots(ctx context.Context, office string, from, to time.Time) (_ []time.Time, err error) {
	defer func() { err = classify(err) }()
	rows, err := db.ro.QueryContext(ctx, "SELECT start FROM bookings WHERE office = ? AND start >= ? AND start < ? AND cancelled IS NULL ORDER BY start",
		office, from.Unix(), to.Unix())
	if err != nil {
		return nil, fmt.Errorf("sqlite: taken slots: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []time.Time
	for rows.Next() {
		var s int64
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("sqlite: taken slots: %w", err)
		}
		out = append(out, unix(s))
	}
	return out, rows.Err()
}

// CheckIn implements appointments.Store.
func (db *DB) CheckIn(ctx context.Context, code string, at time.Time) (out appointments.Booking, err error) {
	defer func() { err = classify(err) }()
	err = db.w.write(ctx, func(ctx context.Context, q querier) error {
		b, err := scanBooking(q.QueryRowContext(ctx, "SELECT "+bookingColumns+" FROM bookings WHERE code = ?", code))
		out = b
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return appointments.ErrNotFound
		case err != nil:
			return fmt.Errorf("sqlite: read booking: %w", err)
		case !b.Cancelled.IsZero():
			return appointments.ErrCancelled
		case !b.CheckedIn.IsZero():
			return appointments.ErrCheckedIn
		}
		if _, err := q.ExecContext(ctx, "UPDATE bookings SET checked_in = ? WHERE id = ?", at.Unix(), b.ID); err != nil {
			return fmt.Errorf("sqlite: check in: %w", err)
		}
		out.CheckedIn = unix(at.Unix())
		return addBookingChange(ctx, q, out)
	})
	return out, err
}

// addBookingChange tells the booking's device, or its account when it has
// one, about the booking as it is now.
func addBookingChange(ctx context.Context, q querier, b appointments.Booking) error {
	w := b.Wire()
	return addDeviceChange(ctx, q, b.Device, api.Change{Kind: api.ChangeBooking, Booking: &w})
}
