-- Appointment bookings (server/appointments). Times are Unix seconds.
-- A device's idempotency key names one booking; a ticket code one booking;
-- and an office's slot is held by at most one booking that is not
-- cancelled: the partial unique index is what decides between concurrent
-- bookings of one slot.
CREATE TABLE bookings (
	id           TEXT PRIMARY KEY,
	device       TEXT NOT NULL REFERENCES devices (id),
	idem_key     TEXT NOT NULL,
	request_hash BLOB NOT NULL,
	service      TEXT NOT NULL,
	office       TEXT NOT NULL,
	start        INTEGER NOT NULL,
	end_at       INTEGER NOT NULL,
	code         TEXT NOT NULL UNIQUE,
	ticket       TEXT NOT NULL DEFAULT '',  -- the QR code's signed payload
	created      INTEGER NOT NULL,
	replaces     TEXT NOT NULL DEFAULT '',
	cancelled    INTEGER,
	checked_in   INTEGER,
	UNIQUE (device, idem_key)
) STRICT;

CREATE UNIQUE INDEX bookings_slot ON bookings (office, start) WHERE cancelled IS NULL;
CREATE INDEX bookings_device ON bookings (device, start);
