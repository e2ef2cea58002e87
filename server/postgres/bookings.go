package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"rathaus/api"
	"rathaus/server/appointments"
)

// lockBookingKey: a booking's idempotency key, by device and key. Its
// class is far from the core's (locks.go), so that other areas' classes do
// not meet it.
const lockBookingKey = 0x5241_0A01

const bookingColumns = `id, device, service, office, start, end_at, code, ticket, created, replaces, cancelled, checked_in`

// ownedBy matches the bookings of the device (the parameter named) or of
// the other devices of its account.
func ownedBy(param string) string {
	return "(device = " + param + " OR device IN (SELECT id FROM devices WHERE account IS NOT NULL AND account = (SELECT account FROM devices WHERE id = " + param + ")))"
}

func scanBooking(row pgx.Row) (appointments.Booking, error) {
	var b appointments.Booking
	var start, end, created int64
	var cancelled, checkedIn *int64
	if err := row.Scan(&b.ID, &b.Device, &b.Service, &b.Office, &start, &end, &b.Code, &b.Ticket, &created, &b.Replaces, &cancelled, &checkedIn); err != nil {
		return b, err
	}
	b.Start, b.End, b.Created = unix(start), unix(end), unix(created)
	if cancelled != nil {
		b.Cancelled = unix(*cancelled)
	}
	if checkedIn != nil {
		b.CheckedIn = unix(*checkedIn)
	}
	return b, nil
}

func unix(s int64) time.Time { return time.Unix(s, 0).UTC() }

// Book implements appointments.Store. The key's lock queues requests with
// one key; the partial unique index on (office, start) refuses a second
// booking of a slot (PostgreSQL makes the second insert wait for the
// first's commit, then fail).
func (db *DB) Book(ctx context.Context, key string, requestHash []byte, nb appointments.NewBooking) (out appointments.Booking, replayed bool, err error) {
	defer func() { err = classify(err) }()
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		replayed = false
		if err := lock(ctx, tx, lockBookingKey, nb.Device+" "+key); err != nil {
			return err
		}
		var stored []byte
		var id string
		err := tx.QueryRow(ctx, "SELECT request_hash, id FROM bookings WHERE device = $1 AND idem_key = $2", nb.Device, key).Scan(&stored, &id)
		switch {
		case err == nil && !bytes.Equal(stored, requestHash):
			return appointments.ErrKeyReused
		case err == nil:
			out, err = scanBooking(tx.QueryRow(ctx, "SELECT "+bookingColumns+" FROM bookings WHERE id = $1", id))
			replayed = true
			return err
		case !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("postgres: look up booking key: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO bookings (id, device, idem_key, request_hash, service, office, start, end_at, code, ticket, created, replaces)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, nb.ID, nb.Device, key, requestHash, nb.Service, nb.Office,
			nb.Start.Unix(), nb.End.Unix(), nb.Code, nb.Ticket, nb.Created.Unix(), nb.Replaces); err != nil {
			return uniqueBooking(err)
		}
		var changes []appointments.Booking
		if nb.Replaces != "" {
			tag, err := tx.Exec(ctx, "UPDATE bookings SET cancelled = $1 WHERE id = $2 AND "+ownedBy("$3")+" AND cancelled IS NULL AND checked_in IS NULL",
				nb.Created.Unix(), nb.Replaces, nb.Device)
			if err != nil {
				return fmt.Errorf("postgres: cancel replaced booking: %w", err)
			}
			if tag.RowsAffected() != 1 {
				return appointments.ErrNotFound
			}
			old, err := scanBooking(tx.QueryRow(ctx, "SELECT "+bookingColumns+" FROM bookings WHERE id = $1", nb.Replaces))
			if err != nil {
				return fmt.Errorf("postgres: read replaced booking: %w", err)
			}
			changes = append(changes, old)
		}
		out = appointments.Booking{NewBooking: nb}
		out.Start, out.End, out.Created = unix(nb.Start.Unix()), unix(nb.End.Unix()), unix(nb.Created.Unix())
		return addBookingChanges(ctx, tx, append(changes, out)...)
	})
	if err != nil {
		return appointments.Booking{}, false, err
	}
	return out, replayed, nil
}

// uniqueBooking names the unique constraint an insert broke.
func uniqueBooking(err error) error {
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok && pe.Code == "23505" {
		switch pe.ConstraintName {
		case "bookings_code":
			return appointments.ErrCodeTaken
		case "bookings_slot":
			return appointments.ErrSlotTaken
		}
	}
	return fmt.Errorf("postgres: insert booking: %w", err)
}

// CancelBooking implements appointments.Store.
func (db *DB) CancelBooking(ctx context.Context, device, id string, at time.Time) (out appointments.Booking, err error) {
	defer func() { err = classify(err) }()
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		b, err := scanBooking(tx.QueryRow(ctx, "SELECT "+bookingColumns+" FROM bookings WHERE id = $1 AND "+ownedBy("$2")+" FOR UPDATE", id, device))
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return appointments.ErrNotFound
		case err != nil:
			return fmt.Errorf("postgres: read booking: %w", err)
		case !b.CheckedIn.IsZero():
			return appointments.ErrCheckedIn
		case !b.Cancelled.IsZero():
			out = b
			return nil
		}
		if _, err := tx.Exec(ctx, "UPDATE bookings SET cancelled = $1 WHERE id = $2", at.Unix(), id); err != nil {
			return fmt.Errorf("postgres: cancel booking: %w", err)
		}
		b.Cancelled = unix(at.Unix())
		out = b
		return addBookingChanges(ctx, tx, b)
	})
	return out, err
}

// Bookings implements appointments.Store.
func (db *DB) Bookings(ctx context.Context, device string) (_ []appointments.Booking, err error) {
	defer func() { err = classify(err) }()
	conn, err := db.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: list bookings: %w", err)
	}
	defer conn.Release()
	rows, err := conn.Query(ctx, "SELECT "+bookingColumns+" FROM bookings WHERE device = $1 ORDER BY start, id", device)
	if err != nil {
		return nil, fmt.Errorf("postgres: list bookings: %w", err)
	}
	defer rows.Close()
	out := []appointments.Booking{}
	for rows.Next() {
		b, err := scanBooking(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: list bookings: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// TakenSlots implements appointments.Store.
func (db *DB) TakenSlots(ctx context.Context, office string, from, to time.Time) (_ []time.Time, err error) {
	defer func() { err = classify(err) }()
	conn, err := db.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: taken slots: %w", err)
	}
	defer conn.Release()
	rows, err := conn.Query(ctx, "SELECT start FROM bookings WHERE office = $1 AND start >= $2 AND start < $3 AND cancelled IS NULL ORDER BY start",
		office, from.Unix(), to.Unix())
	if err != nil {
		return nil, fmt.Errorf("postgres: taken slots: %w", err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var s int64
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("postgres: taken slots: %w", err)
		}
		out = append(out, unix(s))
	}
	return out, rows.Err()
}

// CheckIn implements appointments.Store. The row's lock makes two desks
// scanning one ticket at once check it in once.
func (db *DB) CheckIn(ctx context.Context, code string, at time.Time) (out appointments.Booking, err error) {
	defer func() { err = classify(err) }()
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		b, err := scanBooking(tx.QueryRow(ctx, "SELECT "+bookingColumns+" FROM bookings WHERE code = $1 FOR UPDATE", code))
		out = b
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return appointments.ErrNotFound
		case err != nil:
			return fmt.Errorf("postgres: read booking: %w", err)
		case !b.Cancelled.IsZero():
			return appointments.ErrCancelled
		case !b.CheckedIn.IsZero():
			return appointments.ErrCheckedIn
		}
		if _, err := tx.Exec(ctx, "UPDATE bookings SET checked_in = $1 WHERE id = $2", at.Unix(), b.ID); err != nil {
			return fmt.Errorf("postgres: check in: %w", err)
		}
		out.CheckedIn = unix(at.Unix())
		return addBookingChanges(ctx, tx, out)
	})
	return out, err
}

// addBookingChanges tells each booking's device, or its account when it
// has one, about the booking as it is now: last in its transaction, as
// every change (queueChange).
func addBookingChanges(ctx context.Context, tx pgx.Tx, bs ...appointments.Booking) error {
	b := &pgx.Batch{}
	for _, bk := range bs {
		scope, target, err := caseAudience(ctx, tx, bk.Device)
		if err != nil {
			return err
		}
		w := bk.Wire()
		if err := queueChange(b, scope, target, bk.Device, api.Change{Kind: api.ChangeBooking, Booking: &w}); err != nil {
			return err
		}
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("postgres: add change: %w", err)
	}
	return nil
}
