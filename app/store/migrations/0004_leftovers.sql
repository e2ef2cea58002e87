-- Values kept for the citizen to look at: 'sync' for one that lost against
-- another device's later change; 'removed' and 'invalid' for one that did
-- not carry over to a new version of its form.
ALTER TABLE conflicts ADD COLUMN reason TEXT NOT NULL DEFAULT 'sync';
