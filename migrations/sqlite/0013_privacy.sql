-- Privacy: the last shared location is kept RETENTION_LOCATION_DAYS after
-- it was last used (by /deals or the Mini App, or offered as the place of
-- a first nearby alert), then dropped by the jobs. This is when it was last
-- used (NULL: not since it was shared, so location_at counts).
ALTER TABLE users ADD COLUMN location_used_at BIGINT;
-- Retention reads dialogues by age.
CREATE INDEX dialogues_updated ON dialogues (updated_at);
CREATE INDEX users_location_at ON users (location_at) WHERE location_at IS NOT NULL;
