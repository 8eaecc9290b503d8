-- Replay safety: an action that a Telegram update asked for is keyed by
-- what identifies the request (the chat and the message whose button was
-- pressed), so an update handled again after a crash, or a button
-- pressed twice, finds what the first handling did instead of acting
-- again.
ALTER TABLE purchases ADD COLUMN request_key TEXT;
CREATE UNIQUE INDEX purchases_request_key ON purchases (request_key) WHERE request_key IS NOT NULL;
ALTER TABLE offers ADD COLUMN request_key TEXT;
CREATE UNIQUE INDEX offers_request_key ON offers (request_key) WHERE request_key IS NOT NULL;
ALTER TABLE businesses ADD COLUMN request_key TEXT;
CREATE UNIQUE INDEX businesses_request_key ON businesses (request_key) WHERE request_key IS NOT NULL;
