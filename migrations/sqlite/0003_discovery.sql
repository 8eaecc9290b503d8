-- Discovery: how often a deal's card was opened (popularity), and frozen
-- result lists so paging through /deals never repeats or skips a deal.
ALTER TABLE offers ADD COLUMN views BIGINT NOT NULL DEFAULT 0;

CREATE TABLE deal_lists (
    id         TEXT PRIMARY KEY,
    owner      BIGINT NOT NULL,
    offer_ids  TEXT NOT NULL,
    distances  TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX deal_lists_created ON deal_lists (created_at);

-- Rate limits read the audit log by actor and action.
CREATE INDEX audit_actor ON audit_log (actor, action, at);
