-- The freshest active deals, newest first: the ranking pool of a list
-- without a location walks this index and stops after the pool's size,
-- instead of sorting every active deal (BENCHMARKS.md §6).
CREATE INDEX offers_active_fresh ON offers (published_at DESC, id DESC) WHERE status = 'active';
