-- Accounts that can log in (server/accounts, server/oidc): email, name,
-- roles (space-separated), an argon2id hash (PHC string) and a disabled
-- flag. Accounts made by LinkDevices alone keep email NULL.
ALTER TABLE accounts ADD COLUMN email TEXT;
ALTER TABLE accounts ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN roles TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX accounts_email ON accounts (email);

-- What the OpenID provider hands out and must find again after a restart:
-- auth requests, codes, access and refresh tokens, device codes. Secrets
-- the client holds are kept by their SHA-256 only (in the id). expires is
-- Unix seconds.
CREATE TABLE oidc_grants (
	id      TEXT PRIMARY KEY,
	kind    TEXT NOT NULL,
	subject TEXT NOT NULL,
	client  TEXT NOT NULL,
	data    TEXT NOT NULL,
	expires INTEGER NOT NULL
) STRICT;
CREATE INDEX oidc_grants_expires ON oidc_grants (expires);
