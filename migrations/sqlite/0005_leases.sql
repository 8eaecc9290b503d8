-- Short leases shared by all instances: per-chat locks ("chat:<id>") so one
-- chat's updates are handled one at a time and in order across instances,
-- and the background jobs' lease ("jobs") so each tick runs once.
CREATE TABLE leases (
    name     TEXT PRIMARY KEY,
    holder   TEXT NOT NULL,
    until_ms BIGINT NOT NULL
);
