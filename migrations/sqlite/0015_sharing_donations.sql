-- Issue 18b: deal cards shared into groups through inline mode, unsold
-- food offered to registered charities, and the unit weights that turn
-- saved units into kilograms.

-- A deal card a user posted into a chat through inline mode, known by the
-- inline_message_id Telegram sends with chosen_inline_result (only with
-- /setinlinefeedback on). The card sender edits it whenever the offer's
-- status differs from `shown`; `done` once it shows a final state.
CREATE TABLE shared_cards (
    inline_message_id TEXT PRIMARY KEY,
    offer_id          BIGINT NOT NULL REFERENCES offers (id),
    shared_by         BIGINT NOT NULL,
    photo             BOOLEAN NOT NULL,
    shown             TEXT NOT NULL,
    done              BOOLEAN NOT NULL DEFAULT FALSE,
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_at           BIGINT NOT NULL,
    created_at        BIGINT NOT NULL
);
CREATE INDEX shared_cards_open ON shared_cards (offer_id) WHERE NOT done;

-- Charities: invited by an admin (a one-time token, stored hashed), then
-- registered by the contact who opened the link, with where they collect.
CREATE TABLE charities (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    area          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    tg_id         BIGINT UNIQUE,
    lat           REAL,
    lng           REAL,
    invited_by    BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    registered_at BIGINT
);

-- A business opts in per pickup place; a unit's weight (grams) turns
-- saved units into kilograms.
ALTER TABLE venues ADD COLUMN donate BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE venues ADD COLUMN unit_grams INTEGER;

-- One donation round per offer (its primary key makes the jobs tick
-- idempotent): who was offered the remainder, and who took it.
CREATE TABLE donation_rounds (
    offer_id    BIGINT PRIMARY KEY REFERENCES offers (id),
    purchase_id BIGINT REFERENCES purchases (id),
    charity_id  BIGINT REFERENCES charities (id),
    closed      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL
);
CREATE TABLE donation_offers (
    offer_id   BIGINT NOT NULL REFERENCES donation_rounds (offer_id),
    charity_id BIGINT NOT NULL REFERENCES charities (id),
    answer     TEXT,
    PRIMARY KEY (offer_id, charity_id)
);
