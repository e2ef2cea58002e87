-- Sealed submissions (issue 11): a device's signing key (Ed25519 public
-- key, registered once), and with each case the device's signature over
-- the submission's canonical form, the key it was made with (the device's
-- at the time), and for an end-to-end encrypted service the data as a
-- compact JWE (cases.data is then {}). No private key is ever stored here.
ALTER TABLE devices ADD COLUMN signing_key bytea CHECK (signing_key IS NULL OR length(signing_key) = 32);
ALTER TABLE cases ADD COLUMN signature json;
ALTER TABLE cases ADD COLUMN signing_key bytea;
ALTER TABLE cases ADD COLUMN encrypted text;
