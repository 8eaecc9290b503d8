-- Telegram updates are written here before they are confirmed to Telegram
-- (next getUpdates offset, or the webhook's 200), then handled in
-- update_id order per chat. A crash loses none; a redelivery is a no-op.
CREATE TABLE inbound_updates (
    update_id   BIGINT PRIMARY KEY,
    chat_id     BIGINT NOT NULL,
    payload     TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    handled_at  BIGINT
);
CREATE INDEX inbound_pending ON inbound_updates (chat_id, update_id) WHERE handled_at IS NULL;
CREATE INDEX inbound_handled ON inbound_updates (handled_at) WHERE handled_at IS NOT NULL;
