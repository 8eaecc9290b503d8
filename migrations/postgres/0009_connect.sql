-- Businesses get paid: Stripe Connect accounts, onboarding tokens, fee
-- overrides, the append-only ledger, and per-business API keys.

-- One Express account per business, created once; the rest is what
-- Stripe last said about it (account.updated, or a re-read on return).
-- currently_due / past_due are space-separated requirement names.
CREATE TABLE connect_accounts (
    business_id      BIGINT PRIMARY KEY REFERENCES businesses (id),
    account_id       TEXT NOT NULL UNIQUE,
    country          TEXT NOT NULL,
    email            TEXT NOT NULL,
    charges_enabled  BOOLEAN NOT NULL DEFAULT FALSE,
    payouts_enabled  BOOLEAN NOT NULL DEFAULT FALSE,
    transfers_active BOOLEAN NOT NULL DEFAULT FALSE,
    currently_due    TEXT NOT NULL DEFAULT '',
    past_due         TEXT NOT NULL DEFAULT '',
    disabled_reason  TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

-- The onboarding link's token, stored as its SHA-256 (hex): it works for
-- repeated visits until expires_at, for its business only.
CREATE TABLE connect_tokens (
    token_hash  TEXT PRIMARY KEY,
    business_id BIGINT NOT NULL REFERENCES businesses (id),
    expires_at  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- An admin's fee for one business instead of PLATFORM_FEE_BPS/FIXED.
CREATE TABLE fee_overrides (
    business_id BIGINT PRIMARY KEY REFERENCES businesses (id),
    bps         INTEGER NOT NULL CHECK (bps BETWEEN 0 AND 10000),
    fixed       BIGINT NOT NULL CHECK (fixed >= 0),
    set_by      BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- The fee and the connected account of a destination charge, decided
-- with the Checkout form and kept with it.
ALTER TABLE purchases ADD COLUMN connect_account TEXT;
ALTER TABLE purchases ADD COLUMN platform_fee BIGINT;

-- The ledger: append-only (the triggers refuse UPDATE and DELETE).
-- entry_key makes each entry happen once ('sale:12', 'payout:po_1', ...).
-- amount is signed minor units from the party's point of view.
CREATE TABLE ledger_entries (
    id            BIGSERIAL PRIMARY KEY,
    entry_key     TEXT NOT NULL UNIQUE,
    business_id   BIGINT NOT NULL REFERENCES businesses (id),
    party         TEXT NOT NULL,
    kind          TEXT NOT NULL,
    amount        BIGINT NOT NULL,
    currency      TEXT NOT NULL,
    purchase_id   BIGINT,
    stripe_object TEXT,
    note          TEXT,
    actor         TEXT NOT NULL,
    at            BIGINT NOT NULL
);
CREATE INDEX ledger_business ON ledger_entries (business_id, party, at);
CREATE INDEX ledger_at ON ledger_entries (at);
CREATE FUNCTION ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are never updated or deleted';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();

-- Per-business API keys for the statement API, stored as SHA-256 (hex).
CREATE TABLE api_keys (
    id          BIGSERIAL PRIMARY KEY,
    business_id BIGINT NOT NULL REFERENCES businesses (id),
    key_hash    TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX api_keys_business ON api_keys (business_id);
