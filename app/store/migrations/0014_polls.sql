-- Polls (Mitreden) for offline use: the town's polls as last fetched, in
-- the backend's order, with a closed poll's results once fetched (they
-- never change after closing); and this device's own answer to each poll,
-- sealed (an opinion is the citizen's), so that it can be shown and changed
-- until the poll closes. The answer's way to the backend is its outbox
-- item (draft_id 'poll:' || poll).
CREATE TABLE polls (
    id         TEXT PRIMARY KEY,
    n          INTEGER NOT NULL,          -- the backend's order
    definition TEXT    NOT NULL,          -- api.Poll, JSON (public)
    results    TEXT    NOT NULL DEFAULT '', -- api.PollResults, JSON; '' until fetched
    fetched    INTEGER NOT NULL            -- ms, UTC
) STRICT;

CREATE TABLE my_poll_answers (
    poll     TEXT PRIMARY KEY,
    sealed   BLOB    NOT NULL,  -- the answer's data, JSON, sealed
    answered INTEGER NOT NULL   -- ms, UTC
) STRICT;
