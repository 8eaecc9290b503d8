-- Glean's schema. Times are Unix seconds (BIGINT) so the SQL is the same on
-- SQLite and PostgreSQL; money is integer minor units plus a currency code.

CREATE TABLE users (
    tg_id        BIGINT PRIMARY KEY,
    first_name   TEXT NOT NULL DEFAULT '',
    username     TEXT,
    language     TEXT,
    lat          REAL,
    lng          REAL,
    location_at  BIGINT,
    unreachable  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   BIGINT NOT NULL
);

CREATE TABLE businesses (
    id            INTEGER PRIMARY KEY,
    owner_tg_id   BIGINT NOT NULL,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL,
    currency      TEXT NOT NULL,
    timezone      TEXT NOT NULL,
    status        TEXT NOT NULL,
    status_reason TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX businesses_owner ON businesses (owner_tg_id);
CREATE INDEX businesses_status ON businesses (status, id);

CREATE TABLE venues (
    id          INTEGER PRIMARY KEY,
    business_id BIGINT NOT NULL REFERENCES businesses (id),
    name        TEXT NOT NULL,
    address     TEXT NOT NULL,
    lat         REAL NOT NULL,
    lng         REAL NOT NULL,
    timezone    TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX venues_business ON venues (business_id);

CREATE TABLE images (
    name         TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    bytes        BLOB NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE TABLE offers (
    id               INTEGER PRIMARY KEY,
    business_id      BIGINT NOT NULL REFERENCES businesses (id),
    venue_id         BIGINT NOT NULL REFERENCES venues (id),
    title            TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    currency         TEXT NOT NULL,
    pickup_start     BIGINT NOT NULL,
    pickup_end       BIGINT NOT NULL,
    status           TEXT NOT NULL,
    sold_out_by_hand BOOLEAN NOT NULL DEFAULT FALSE,
    photo            TEXT REFERENCES images (name),
    thumb            TEXT REFERENCES images (name),
    photo_file_id    TEXT,
    lat              REAL NOT NULL,
    lng              REAL NOT NULL,
    published_at     BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    CHECK (pickup_end > pickup_start)
);
CREATE INDEX offers_status_end ON offers (status, pickup_end);
CREATE INDEX offers_business ON offers (business_id, id);
CREATE INDEX offers_active_geo ON offers (lat, lng) WHERE status = 'active';

CREATE TABLE offer_items (
    id             INTEGER PRIMARY KEY,
    offer_id       BIGINT NOT NULL REFERENCES offers (id),
    position       INTEGER NOT NULL,
    name           TEXT NOT NULL,
    unit           TEXT NOT NULL,
    original_price BIGINT NOT NULL CHECK (original_price > 0),
    deal_price     BIGINT NOT NULL CHECK (deal_price > 0 AND deal_price <= original_price),
    quantity       INTEGER NOT NULL CHECK (quantity >= 0),
    reserved       INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    sold           INTEGER NOT NULL DEFAULT 0 CHECK (sold >= 0),
    CHECK (reserved + sold <= quantity)
);
CREATE INDEX offer_items_offer ON offer_items (offer_id, position);

CREATE TABLE purchases (
    id                    INTEGER PRIMARY KEY,
    customer_tg_id        BIGINT NOT NULL,
    offer_id              BIGINT NOT NULL REFERENCES offers (id),
    status                TEXT NOT NULL,
    total                 BIGINT NOT NULL CHECK (total >= 0),
    currency              TEXT NOT NULL,
    pickup_code           TEXT NOT NULL,
    payment_method        TEXT NOT NULL,
    expires_at            BIGINT,
    stripe_session_id     TEXT UNIQUE,
    stripe_session_url    TEXT,
    stripe_payment_intent TEXT,
    refund_attempts       INTEGER NOT NULL DEFAULT 0,
    next_attempt_at       BIGINT,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL,
    UNIQUE (offer_id, pickup_code)
);
CREATE INDEX purchases_customer ON purchases (customer_tg_id, id);
CREATE INDEX purchases_offer ON purchases (offer_id, status);
CREATE INDEX purchases_status_expires ON purchases (status, expires_at);

CREATE TABLE purchase_lines (
    purchase_id BIGINT NOT NULL REFERENCES purchases (id),
    item_id     BIGINT NOT NULL REFERENCES offer_items (id),
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    unit_price  BIGINT NOT NULL CHECK (unit_price >= 0),
    PRIMARY KEY (purchase_id, item_id)
);

-- External events (Stripe webhooks, Telegram updates, job runs) recorded
-- once; the insert is the idempotency check.
CREATE TABLE processed_events (
    source       TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    processed_at BIGINT NOT NULL,
    PRIMARY KEY (source, event_id)
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id   BIGINT NOT NULL,
    before      TEXT,
    after       TEXT
);
CREATE INDEX audit_target ON audit_log (target_kind, target_id, id);

-- One dialogue per chat, as JSON of the bot's typed dialogue state.
CREATE TABLE dialogues (
    chat_id    BIGINT PRIMARY KEY,
    state      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
