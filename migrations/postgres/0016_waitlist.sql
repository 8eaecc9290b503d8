-- Issue 18a: a fair waitlist for sold-out deals. A person waits for
-- `quantity` units of one item; units that come back are handed to the
-- first awake person whose quantity fits, as a hold: an ordinary
-- reservation (`purchases` row, `reserved`) that `purchase_id` names.
-- status: waiting → held → bought | passed | lapsed; waiting | held →
-- left | closed (the deal withdrawn or over). Place = order of `id`
-- among the `waiting` rows of the offer.
CREATE TABLE waitlist (
    id             BIGSERIAL PRIMARY KEY,
    offer_id       BIGINT NOT NULL REFERENCES offers (id),
    item_id        BIGINT NOT NULL REFERENCES offer_items (id),
    customer_tg_id BIGINT NOT NULL,
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    -- How a hold is paid: 'stripe' or 'at_pickup', decided when joining.
    payment_method TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'waiting',
    purchase_id    BIGINT REFERENCES purchases (id),
    request_key    TEXT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
-- One open place per person and deal; a replayed join finds its row.
CREATE UNIQUE INDEX waitlist_open ON waitlist (offer_id, customer_tg_id) WHERE status IN ('waiting', 'held');
CREATE UNIQUE INDEX waitlist_request_key ON waitlist (request_key) WHERE request_key IS NOT NULL;
CREATE INDEX waitlist_queue ON waitlist (offer_id, id) WHERE status = 'waiting';
CREATE INDEX waitlist_purchase ON waitlist (purchase_id) WHERE purchase_id IS NOT NULL;
