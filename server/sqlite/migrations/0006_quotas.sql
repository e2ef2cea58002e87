-- The quotas count a device's open cases on every submission.

CREATE INDEX cases_device ON cases (device, status);
