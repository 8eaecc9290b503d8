-- Money you can trust: refunds followed to the end, the exact Checkout
-- request kept for idempotent retries, an install id for idempotency keys,
-- and typed notices to customers and businesses written with the change
-- they report.

-- One row per setting of this installation. 'install_id' prefixes every
-- Stripe idempotency key, so two deployments on one Stripe account (or a
-- restored backup, whose purchase ids are reused) never collide.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The form sent to create the Checkout Session, as JSON: a retry with the
-- same idempotency key sends exactly the same request.
ALTER TABLE purchases ADD COLUMN checkout_params TEXT;
-- The refund at Stripe (re_...) once it was created, its last failure
-- reason, and the attempt number in its idempotency key (an admin's retry
-- of a failed refund is a new attempt, so a new key).
ALTER TABLE purchases ADD COLUMN stripe_refund_id TEXT;
ALTER TABLE purchases ADD COLUMN refund_failure TEXT;
ALTER TABLE purchases ADD COLUMN refund_seq INTEGER NOT NULL DEFAULT 0;
-- When the refund was confirmed; reconciliation re-checks recent ones.
ALTER TABLE purchases ADD COLUMN refunded_at BIGINT;
CREATE INDEX purchases_status ON purchases (status, next_attempt_at);

-- Notices: messages that report a state change to one chat, written in
-- the transaction of the change as a kind plus ids, rendered when sent.
-- Their own lane: claimed before deal alerts, no quiet hours, no bulk
-- pacing. status: pending -> sending -> sent | failed; a row left in
-- 'sending' by a dead sender is sent again (at least once).
CREATE TABLE notices (
    id          BIGSERIAL PRIMARY KEY,
    chat_id     BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    purchase_id BIGINT,
    business_id BIGINT,
    offer_id    BIGINT,
    detail      TEXT,
    status      TEXT NOT NULL DEFAULT 'pending',
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  BIGINT NOT NULL,
    claimed_at  BIGINT,
    created_at  BIGINT NOT NULL,
    done_at     BIGINT
);
CREATE INDEX notices_queue ON notices (not_before, id) WHERE status = 'pending';
CREATE INDEX notices_sending ON notices (claimed_at) WHERE status = 'sending';
CREATE INDEX notices_done ON notices (done_at) WHERE done_at IS NOT NULL;
