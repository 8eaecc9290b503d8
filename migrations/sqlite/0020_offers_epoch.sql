-- A counter that moves whenever anything the ranking pool of a list
-- without a location depends on changes: which deals are active, when
-- they were published, their pickup ends, their views and their units
-- reserved or sold. The pool (the freshest 500 active deals with their
-- demand) is the same for everyone, so it is read once and shared until
-- this counter moves (`Store::fresh_active`). The triggers run inside the
-- writing transaction, so the counter commits with the change.
CREATE TABLE offers_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n INTEGER NOT NULL
);
INSERT INTO offers_epoch (id, n) VALUES (1, 0);

CREATE TRIGGER offers_epoch_offer_insert AFTER INSERT ON offers
BEGIN UPDATE offers_epoch SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER offers_epoch_offer_update AFTER UPDATE OF status, published_at, created_at, pickup_end, views ON offers
BEGIN UPDATE offers_epoch SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER offers_epoch_offer_delete AFTER DELETE ON offers
BEGIN UPDATE offers_epoch SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER offers_epoch_item_insert AFTER INSERT ON offer_items
BEGIN UPDATE offers_epoch SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER offers_epoch_item_update AFTER UPDATE OF offer_id, reserved, sold ON offer_items
BEGIN UPDATE offers_epoch SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER offers_epoch_item_delete AFTER DELETE ON offer_items
BEGIN UPDATE offers_epoch SET n = n + 1 WHERE id = 1; END;
