-- A counter that moves whenever anything the ranking pool of a list
-- without a location depends on changes, as SQLite's `offers_epoch`
-- (there, migration 0020): which deals are active, when they were
-- published, their pickup ends, their views and their units reserved or
-- sold. The pool (the freshest 500 active deals with their demand) is the
-- same for everyone, so a process reads it once and shares it until this
-- counter moves (`Store::fresh_active`).
--
-- Here it is a sequence, not a row: a row that every reservation updates
-- would queue the hot offer's buyers on one more lock until their commits
-- (BENCHMARKS.md §8). `nextval` takes no lock that lasts, and is seen by
-- every session at once, also before the change it marks commits: a pool
-- read in that instant is kept under the new value, so a process never
-- keeps a pool for longer than the second it was read for and the next.
-- Statement-level triggers: one step per statement, whatever it touched.
CREATE SEQUENCE offers_epoch;

CREATE FUNCTION offers_epoch_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('offers_epoch');
    RETURN NULL;
END
$$;

CREATE TRIGGER offers_epoch_offer_rows AFTER INSERT OR DELETE ON offers
    FOR EACH STATEMENT EXECUTE FUNCTION offers_epoch_move();
CREATE TRIGGER offers_epoch_offer_update AFTER UPDATE OF status, published_at, created_at, pickup_end, views ON offers
    FOR EACH STATEMENT EXECUTE FUNCTION offers_epoch_move();
CREATE TRIGGER offers_epoch_item_rows AFTER INSERT OR DELETE ON offer_items
    FOR EACH STATEMENT EXECUTE FUNCTION offers_epoch_move();
CREATE TRIGGER offers_epoch_item_update AFTER UPDATE OF offer_id, reserved, sold ON offer_items
    FOR EACH STATEMENT EXECUTE FUNCTION offers_epoch_move();
