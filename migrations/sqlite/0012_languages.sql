-- Languages. `users.language` (since 0001) is the shipped locale Glean
-- speaks with the user: from Telegram's language_code until the user picks
-- one with /language, which sets `language_chosen` so a later
-- language_code no longer overrides it. The notice and alert senders run
-- without an update and read it to write to each recipient in their
-- language.
ALTER TABLE users ADD COLUMN language_chosen BOOLEAN NOT NULL DEFAULT FALSE;
