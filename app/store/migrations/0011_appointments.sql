-- Appointments: the device's bookings (the ticket sealed, as personal data
-- is) and the slots last fetched per service and office, for offline
-- viewing with their age.
CREATE TABLE appointments (
    local         TEXT    PRIMARY KEY,
    id            TEXT    NOT NULL DEFAULT '',   -- the backend's, once booked
    service       TEXT    NOT NULL,
    office        TEXT    NOT NULL,
    start         INTEGER NOT NULL,              -- Unix ms
    end_at        INTEGER NOT NULL,
    state         TEXT    NOT NULL,
    ticket_sealed BLOB,                          -- {"code","ticket"} sealed
    replaces      TEXT    NOT NULL DEFAULT '',
    alternatives  TEXT    NOT NULL DEFAULT '[]', -- JSON [api.Slot]
    error         TEXT    NOT NULL DEFAULT '',
    created       INTEGER NOT NULL
) STRICT;

CREATE INDEX appointments_start ON appointments (start);

CREATE TABLE slot_cache (
    service TEXT    NOT NULL,
    office  TEXT    NOT NULL,
    body    TEXT    NOT NULL,  -- api.Slots as JSON
    fetched INTEGER NOT NULL,  -- Unix ms, the device's clock
    PRIMARY KEY (service, office)
) STRICT;
