-- Following and nearby alerts, and the notification outbox.

-- A customer's time zone (NULL: DEFAULT_TIMEZONE) and quiet hours, in
-- minutes after local midnight (both NULL: none).
ALTER TABLE users ADD COLUMN timezone TEXT;
ALTER TABLE users ADD COLUMN quiet_from INTEGER;
ALTER TABLE users ADD COLUMN quiet_to INTEGER;

CREATE TABLE follows (
    customer_tg_id BIGINT NOT NULL,
    business_id    BIGINT NOT NULL REFERENCES businesses (id),
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (customer_tg_id, business_id)
);
CREATE INDEX follows_business ON follows (business_id, customer_tg_id);

-- One nearby alert per customer: a point, a radius and optional keywords
-- (lowercase, comma-separated; empty matches every deal).
CREATE TABLE alerts (
    customer_tg_id BIGINT PRIMARY KEY,
    lat            REAL NOT NULL,
    lng            REAL NOT NULL,
    radius_m       INTEGER NOT NULL CHECK (radius_m > 0),
    keywords       TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX alerts_geo ON alerts (lat, lng);

-- Every time an offer becomes active (published, or back from sold out)
-- the trigger below writes a row here in the transaction that changed the
-- status, whichever code path did it. The sender expands each row into
-- notifications exactly once (fanned_out_at set in that transaction).
CREATE TABLE offer_publications (
    id            INTEGER PRIMARY KEY,
    offer_id      BIGINT NOT NULL REFERENCES offers (id),
    kind          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    fanned_out_at BIGINT
);
CREATE INDEX offer_publications_pending ON offer_publications (id) WHERE fanned_out_at IS NULL;

-- The one place where the backends' SQL differs in more than types:
-- SQLite triggers have their body inline, PostgreSQL's call a function.
CREATE TRIGGER offers_became_active AFTER UPDATE OF status ON offers
FOR EACH ROW WHEN NEW.status = 'active' AND OLD.status IN ('draft', 'sold_out')
BEGIN
    INSERT INTO offer_publications (offer_id, kind, created_at)
    VALUES (NEW.id, CASE OLD.status WHEN 'draft' THEN 'publish' ELSE 'restock' END, NEW.updated_at);
END;

-- The outbox: one row per (customer, offer, publication), sent at most
-- once. status: pending → claimed → sending → sent | failed, claimed →
-- pending (released, or held for quiet hours), pending | claimed →
-- dropped, sending → lost (in flight when a sender died; never resent).
CREATE TABLE notifications (
    id             INTEGER PRIMARY KEY,
    customer_tg_id BIGINT NOT NULL,
    offer_id       BIGINT NOT NULL REFERENCES offers (id),
    publication_id BIGINT NOT NULL REFERENCES offer_publications (id),
    -- 0: follows the business, 1: nearby alert. Lower goes first.
    priority       INTEGER NOT NULL,
    distance_m     INTEGER,
    status         TEXT NOT NULL DEFAULT 'pending',
    not_before     BIGINT NOT NULL,
    claim          BIGINT,
    claimed_at     BIGINT,
    done_at        BIGINT,
    reason         TEXT,
    created_at     BIGINT NOT NULL,
    UNIQUE (customer_tg_id, offer_id, publication_id)
);
CREATE INDEX notifications_queue ON notifications (priority, publication_id DESC, id) WHERE status = 'pending';
CREATE INDEX notifications_claimed ON notifications (claim) WHERE status = 'claimed';
CREATE INDEX notifications_offer ON notifications (offer_id, status);
CREATE INDEX notifications_customer ON notifications (customer_tg_id, status);
CREATE INDEX notifications_publication ON notifications (publication_id);
CREATE INDEX notifications_done ON notifications (done_at) WHERE done_at IS NOT NULL;
