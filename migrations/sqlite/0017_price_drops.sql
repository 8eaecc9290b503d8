-- Issue 18: prices that drop as pickup nears (opt-in per deal), and
-- customers' price watches.

-- The drop schedule of an offer, all NULL when it has none: −drop_percent %
-- of each item's deal price every drop_every minutes during the last
-- drop_span minutes before pickup_end, on the wall clock of drop_tz (the
-- venue's zone when the deal was posted), never below drop_floor (minor
-- units). The price is computed when asked (domain/pricing.rs), never
-- stored.
ALTER TABLE offers ADD COLUMN drop_percent INTEGER;
ALTER TABLE offers ADD COLUMN drop_every INTEGER;
ALTER TABLE offers ADD COLUMN drop_span INTEGER;
ALTER TABLE offers ADD COLUMN drop_floor BIGINT;
ALTER TABLE offers ADD COLUMN drop_tz TEXT;

-- "Tell me when it costs at most `below`": one watch per customer and
-- offer. The jobs tick notifies once (notified_at, set in the notice's
-- transaction).
CREATE TABLE price_watches (
    offer_id       BIGINT NOT NULL REFERENCES offers (id),
    customer_tg_id BIGINT NOT NULL,
    below          BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    notified_at    BIGINT,
    PRIMARY KEY (offer_id, customer_tg_id)
);
CREATE INDEX price_watches_open ON price_watches (offer_id) WHERE notified_at IS NULL;
CREATE INDEX price_watches_customer ON price_watches (customer_tg_id);
