-- Throughput and fairness (issue 15): a customer without a location is
-- offered the "📍 Share location" keyboard once; it stays on screen
-- (persistent), so later lists don't send it again.
ALTER TABLE users ADD COLUMN location_prompted_at BIGINT;
