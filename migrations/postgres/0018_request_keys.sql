-- An API key is made once per request (the owner's /apikey message), so a
-- replayed update finds the key it made instead of making a second one.
-- Keys made before this have none (NULLs never conflict).
ALTER TABLE api_keys ADD COLUMN request_key TEXT;
CREATE UNIQUE INDEX api_keys_request ON api_keys (request_key);
