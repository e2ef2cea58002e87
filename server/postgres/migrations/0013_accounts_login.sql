-- Accounts that can log in (server/accounts, server/oidc): email, name,
-- roles (space-separated), an argon2id hash (PHC string) and a disabled
-- flag. Accounts made by LinkDevices alone keep email NULL.
ALTER TABLE accounts ADD COLUMN email text UNIQUE;
ALTER TABLE accounts ADD COLUMN name text NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN roles text NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN password_hash text NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN disabled boolean NOT NULL DEFAULT false;

-- What the OpenID provider hands out and must find again after a restart,
-- or in another backend process: auth requests, codes, access and refresh
-- tokens, device codes. Secrets the client holds are kept by their SHA-256
-- only (in the id). expires is Unix seconds, as in the SQLite store.
CREATE TABLE oidc_grants (
	id      text PRIMARY KEY,
	kind    text NOT NULL,
	subject text NOT NULL,
	client  text NOT NULL,
	data    text NOT NULL,
	expires bigint NOT NULL
);
CREATE INDEX oidc_grants_expires ON oidc_grants (expires);
