-- Appointment bookings (server/appointments). Times are Unix seconds, as in
-- the SQLite store. A device's idempotency key names one booking; a ticket
-- code one booking; and an office's slot is held by at most one booking
-- that is not cancelled: the partial unique index decides between
-- concurrent bookings of one slot, on any process.
CREATE TABLE bookings (
	id           text PRIMARY KEY,
	device       text NOT NULL REFERENCES devices (id),
	idem_key     text NOT NULL,
	request_hash bytea NOT NULL,
	service      text NOT NULL,
	office       text NOT NULL,
	start        bigint NOT NULL,
	end_at       bigint NOT NULL,
	code         text NOT NULL,
	ticket       text NOT NULL DEFAULT '',  -- the QR code's signed payload
	created      bigint NOT NULL,
	replaces     text NOT NULL DEFAULT '',
	cancelled    bigint,
	checked_in   bigint,
	CONSTRAINT bookings_code UNIQUE (code),
	CONSTRAINT bookings_key UNIQUE (device, idem_key)
);

CREATE UNIQUE INDEX bookings_slot ON bookings (office, start) WHERE cancelled IS NULL;
CREATE INDEX bookings_device ON bookings (device, start);
