-- The fields a step of a case's timeline names: the JSON Pointers of the
-- fields the town hall asks about when it needs more information.
ALTER TABLE case_events ADD COLUMN fields TEXT CHECK (fields IS NULL OR json_valid(fields));
