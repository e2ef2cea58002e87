-- The quotas count, before every submission and draft write, the device's
-- open cases and its owner's draft copies (server.Usage).

CREATE INDEX cases_device ON cases (device, status);

-- A copy's size in bytes, and whether it holds a field, are kept beside it
-- when it is written: the json functions refuse a copy with a \u0000 in it
-- (they cannot turn it into text), and summing sizes need not read copies.
ALTER TABLE drafts ADD COLUMN bytes bigint, ADD COLUMN has_fields boolean;

-- The copies written before are json.Marshal(api.DraftCopy), kept as
-- written: its fields are empty when, after "id", "service" and "form" in
-- that order, "fields" is {} or null. Read as text, so that no copy can make
-- this fail.
UPDATE drafts SET
	bytes = octet_length(copy::text),
	has_fields = copy::text !~ $re$^\{"id":"(?:[^"\\]|\\.)*","service":"(?:[^"\\]|\\.)*","form":\{"id":"(?:[^"\\]|\\.)*","version":-?[0-9]+\},"fields":(?:\{\}|null)[,}]$re$;

ALTER TABLE drafts ALTER COLUMN bytes SET NOT NULL, ALTER COLUMN has_fields SET NOT NULL;
