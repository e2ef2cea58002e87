package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"rathaus/api"
	"rathaus/app/citizen"
)

// Appointments: the device's bookings and the cached offices and slots. A
// booking and a cancel are queued in the transaction that records them
// (citizen.OutboxBooking, OutboxBookingCancel); the sender records the
// backend's answer with AckBooking, BookingTaken, RefuseBooking and
// AckCancel.

func ticketAD(local string) []byte { return []byte("ticket:" + local) }

type sealedTicket struct {
	Code   string `json:"code"`
	Ticket string `json:"ticket"`
}

// BookAppointment records a booking of the slot and queues it, in one
// transaction. With replaces (the local id of a booked appointment), it is
// a rebooking: the old one is cancelled when the new one is booked.
func (s *Store) BookAppointment(ctx context.Context, service, office string, slot api.Slot, replaces string) (citizen.Appointment, error) {
	a := citizen.Appointment{Local: citizen.NewID(), Service: service, Office: office, Slot: slot,
		State: citizen.AppointmentPending, Replaces: replaces, Created: s.now().UTC()}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return a, storageError("booking", err)
	}
	defer tx.Rollback()
	if replaces != "" {
		old, err := appointmentByLocal(ctx, tx, replaces)
		if err != nil {
			return a, err
		}
		if old.State != citizen.AppointmentBooked && old.State != citizen.AppointmentPending {
			return a, citizen.Errorf(citizen.EINVALID, "This appointment can no longer be changed.")
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO appointments (local, service, office, start, end_at, state, replaces, created)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, a.Local, service, office, ms(slot.Start), ms(slot.End), string(a.State), replaces, ms(a.Created)); err != nil {
		return a, storageError("booking", err)
	}
	p := &citizen.BookingPayload{Local: a.Local, Service: service, Office: office, Slot: slot, Replaces: replaces}
	if _, err := s.enqueue(ctx, tx, s.newItem(citizen.AppointmentOutboxID(a.Local), p), false); err != nil {
		return a, err
	}
	return a, storageError("booking", tx.Commit())
}

// CancelAppointment cancels the appointment: one the backend holds, or may
// hold, gets a cancel queued behind its booking; one that holds nothing
// (taken, refused) is just marked cancelled.
func (s *Store) CancelAppointment(ctx context.Context, local string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return storageError("cancelling", err)
	}
	defer tx.Rollback()
	a, err := appointmentByLocal(ctx, tx, local)
	if err != nil {
		return err
	}
	switch a.State {
	case citizen.AppointmentCancelling, citizen.AppointmentCancelled:
		return nil
	case citizen.AppointmentPending, citizen.AppointmentBooked:
		if err := setAppointmentState(ctx, tx, local, citizen.AppointmentCancelling); err != nil {
			return err
		}
		p := &citizen.BookingCancelPayload{Local: local}
		if _, err := s.enqueue(ctx, tx, s.newItem(citizen.AppointmentOutboxID(local), p), false); err != nil {
			return err
		}
	default:
		if err := setAppointmentState(ctx, tx, local, citizen.AppointmentCancelled); err != nil {
			return err
		}
	}
	return storageError("cancelling", tx.Commit())
}

// Appointment returns one appointment; ENOTFOUND when there is none.
func (s *Store) Appointment(ctx context.Context, local string) (citizen.Appointment, error) {
	a, err := appointmentByLocal(ctx, s.db, local)
	if err != nil {
		return citizen.Appointment{}, err
	}
	return s.open(a), nil
}

// Appointments returns the device's appointments, by start.
func (s *Store) Appointments(ctx context.Context) ([]citizen.Appointment, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+appointmentColumns+" FROM appointments ORDER BY start, created")
	if err != nil {
		return nil, storageError("reading appointments", err)
	}
	defer rows.Close()
	var out []citizen.Appointment
	for rows.Next() {
		a, err := scanAppointment(rows)
		if err != nil {
			return nil, storageError("reading appointments", err)
		}
		out = append(out, s.open(a))
	}
	return out, storageError("reading appointments", rows.Err())
}

// ReplacedBookingID returns the backend's id of the appointment a
// rebooking replaces; "" when it has none (its booking never went
// through).
func (s *Store) ReplacedBookingID(ctx context.Context, local string) (string, error) {
	a, err := appointmentByLocal(ctx, s.db, local)
	if err != nil {
		return "", err
	}
	return a.ID, nil
}

// AckBooking records the backend's booking and ends the item. A
// rebooking's old appointment is cancelled with it (the backend cancelled
// it in the same step).
func (s *Store) AckBooking(ctx context.Context, itemID int64, local string, b api.Booking) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return storageError("recording a booking", err)
	}
	defer tx.Rollback()
	sealed, err := s.sealTicket(local, b.Code, b.Ticket)
	if err != nil {
		return err
	}
	// The changes feed may have brought the booking first, as an
	// appointment of its own: this one is it.
	if _, err := tx.ExecContext(ctx, "DELETE FROM appointments WHERE id = ? AND local != ?", b.ID, local); err != nil {
		return storageError("recording a booking", err)
	}
	// A cancel made while the booking was on its way stays: it goes next.
	if _, err := tx.ExecContext(ctx, `UPDATE appointments SET id = ?, ticket_sealed = ?, start = ?, end_at = ?, error = '',
		state = CASE state WHEN 'cancelling' THEN 'cancelling' ELSE 'booked' END WHERE local = ?`,
		b.ID, sealed, ms(b.Start), ms(b.End), local); err != nil {
		return storageError("recording a booking", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE appointments SET state = 'cancelled'
		WHERE local = (SELECT replaces FROM appointments WHERE local = ?) AND state != 'cancelling'`, local); err != nil {
		return storageError("recording a booking", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'done', last_error = '', last_code = '' WHERE id = ?`, itemID); err != nil {
		return storageError("recording a booking", err)
	}
	return storageError("recording a booking", tx.Commit())
}

// BookingTaken records that someone else booked the slot first, with the
// free slots the backend offers instead, and fails the item with the
// message given.
func (s *Store) BookingTaken(ctx context.Context, itemID int64, local string, alternatives []api.Slot, code, message string) error {
	alts, _ := json.Marshal(alternatives)
	return s.endBooking(ctx, itemID, local, citizen.AppointmentTaken, string(alts), code, message)
}

// RefuseBooking records that the backend refused the booking (or its
// cancel, which then leaves the appointment as the backend has it) for
// good.
func (s *Store) RefuseBooking(ctx context.Context, itemID int64, local, code, message string) error {
	return s.endBooking(ctx, itemID, local, citizen.AppointmentFailed, "", code, message)
}

func (s *Store) endBooking(ctx context.Context, itemID int64, local string, st citizen.AppointmentState, alts, code, message string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return storageError("recording a failure", err)
	}
	defer tx.Rollback()
	q := `UPDATE appointments SET state = CASE WHEN id = '' THEN ? ELSE state END, error = ?`
	args := []any{string(st), message}
	if alts != "" {
		q += `, alternatives = ?`
		args = append(args, alts)
	}
	if _, err := tx.ExecContext(ctx, q+` WHERE local = ?`, append(args, local)...); err != nil {
		return storageError("recording a failure", err)
	}
	if err := failItem(ctx, tx, itemID, code, message); err != nil {
		return err
	}
	return storageError("recording a failure", tx.Commit())
}

// AckCancel records that the backend cancelled the appointment (or that it
// never held it) and ends the item.
func (s *Store) AckCancel(ctx context.Context, itemID int64, local string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return storageError("recording a cancel", err)
	}
	defer tx.Rollback()
	if err := setAppointmentState(ctx, tx, local, citizen.AppointmentCancelled); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'done', last_error = '', last_code = '' WHERE id = ?`, itemID); err != nil {
		return storageError("recording a cancel", err)
	}
	return storageError("recording a cancel", tx.Commit())
}

const appointmentColumns = `local, id, service, office, start, end_at, state, ticket_sealed, replaces, alternatives, error, created`

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(...any) error }

// withTicket is an appointment with its ticket still sealed.
type withTicket struct {
	citizen.Appointment
	sealed []byte
}

func scanAppointment(r rowScanner) (withTicket, error) {
	var a withTicket
	var start, end, created int64
	var state, alts string
	err := r.Scan(&a.Local, &a.ID, &a.Service, &a.Office, &start, &end, &state, &a.sealed, &a.Replaces, &alts, &a.Error, &created)
	a.Slot = api.Slot{Start: fromMS(start), End: fromMS(end)}
	a.State, a.Created = citizen.AppointmentState(state), fromMS(created)
	_ = json.Unmarshal([]byte(alts), &a.Alternatives)
	return a, err
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func appointmentByLocal(ctx context.Context, q queryRower, local string) (withTicket, error) {
	a, err := scanAppointment(q.QueryRowContext(ctx, "SELECT "+appointmentColumns+" FROM appointments WHERE local = ?", local))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return withTicket{}, citizen.Errorf(citizen.ENOTFOUND, "This appointment is not on this device.")
	case err != nil:
		return withTicket{}, storageError("reading an appointment", err)
	}
	return a, nil
}

func setAppointmentState(ctx context.Context, tx *sql.Tx, local string, st citizen.AppointmentState) error {
	res, err := tx.ExecContext(ctx, "UPDATE appointments SET state = ? WHERE local = ?", string(st), local)
	if err != nil {
		return storageError("changing an appointment", err)
	}
	return mustHaveHit(res, "changing an appointment")
}

func (s *Store) sealTicket(local, code, ticket string) ([]byte, error) {
	plain, _ := json.Marshal(sealedTicket{Code: code, Ticket: ticket})
	return s.sealer.Seal(plain, ticketAD(local))
}

// open returns the appointment with its ticket opened; a ticket that
// cannot be opened (sealed with a key this device no longer has) stays
// empty.
func (s *Store) open(a withTicket) citizen.Appointment {
	out := a.Appointment
	if len(a.sealed) == 0 {
		return out
	}
	plain, err := s.sealer.Open(a.sealed, ticketAD(a.Local))
	var t sealedTicket
	if err != nil || json.Unmarshal(plain, &t) != nil {
		return out
	}
	out.Code, out.Ticket = t.Code, t.Ticket
	return out
}

// applyBooking records a booking from the changes feed: an appointment of
// this device (its state: cancelled, checked in), its own booking whose
// answer is still on the way (found by its time), or one of the account's
// other devices. It reports whether the device's appointments changed.
func (s *Store) applyBooking(ctx context.Context, tx *sql.Tx, b api.Booking) (bool, error) {
	state := citizen.AppointmentBooked
	switch b.Status {
	case api.BookingCancelled:
		state = citizen.AppointmentCancelled
	case api.BookingCheckedIn:
		state = citizen.AppointmentCheckedIn
	}
	var local, current string
	err := tx.QueryRowContext(ctx, "SELECT local, state FROM appointments WHERE id = ?", b.ID).Scan(&local, &current)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.QueryRowContext(ctx, `SELECT local, state FROM appointments WHERE id = '' AND state IN ('pending', 'cancelling')
			AND service = ? AND office = ? AND start = ? ORDER BY created LIMIT 1`, b.Service, b.Office, ms(b.Start)).Scan(&local, &current)
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if state == citizen.AppointmentCancelled {
			return false, nil // never seen here, and gone
		}
		local = citizen.NewID()
		sealed, err := s.sealTicket(local, b.Code, b.Ticket)
		if err != nil {
			return false, err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO appointments (local, id, service, office, start, end_at, state, ticket_sealed, created)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, local, b.ID, b.Service, b.Office, ms(b.Start), ms(b.End), string(state), sealed, ms(b.Created))
		return true, storageError("applying a booking", err)
	case err != nil:
		return false, storageError("applying a booking", err)
	}
	switch cur := citizen.AppointmentState(current); {
	case state != citizen.AppointmentBooked:
	case cur == citizen.AppointmentCancelling:
		state = cur // the citizen's cancel waits to go
	case cur == citizen.AppointmentCancelled || cur == citizen.AppointmentCheckedIn:
		// A booking never comes back: this is an older change than what
		// the device knows (the feed read before a rebooking's answer
		// was recorded).
		return false, nil
	}
	sealed, err := s.sealTicket(local, b.Code, b.Ticket)
	if err != nil {
		return false, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE appointments SET id = ?, state = ?, ticket_sealed = ?, start = ?, end_at = ?
		WHERE local = ? AND (id != ? OR state != ? OR ticket_sealed IS NULL)`,
		b.ID, string(state), sealed, ms(b.Start), ms(b.End), local, b.ID, string(state))
	if err != nil {
		return false, storageError("applying a booking", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Deadlines returns the legal deadlines the drafts' dates start
// (citizen.LegalDeadlines): it reads and unseals only the drafts of the
// services that have one, so that a reminder's check every minute costs
// little.
func (s *Store) Deadlines(ctx context.Context) ([]citizen.Deadline, error) {
	var drafts []*citizen.Draft
	for _, ld := range citizen.LegalDeadlines {
		rows, err := s.db.QueryContext(ctx, `SELECT `+draftColumns+` FROM drafts WHERE service = ? ORDER BY updated DESC, id`, ld.Service)
		if err != nil {
			return nil, storageError("reading deadlines", err)
		}
		for rows.Next() {
			d, err := s.scanDraft(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			drafts = append(drafts, d)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, storageError("reading deadlines", err)
		}
	}
	return citizen.Deadlines(drafts), nil
}
