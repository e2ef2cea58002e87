-- The bytes a device holds in uploads that no case uses (UploadBytesHeld,
-- checked at every new upload for the quota per device) are read from
-- this index, not from a scan of every upload.

CREATE INDEX uploads_device_held ON uploads (device) WHERE case_id IS NULL;
