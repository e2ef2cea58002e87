-- The notices (Bescheide) of decided cases, as the backend made them:
-- PDFs, sealed with the data key like the citizen's other data. A row
-- without a PDF says the backend has none for the case (asked once, not
-- on every pass).

CREATE TABLE notices (
    case_id    TEXT    PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    pdf_sealed BLOB,
    received   INTEGER NOT NULL
) STRICT;
