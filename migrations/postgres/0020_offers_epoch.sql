-- A counter that moves whenever anything the ranking pool of a list
-- without a location depends on changes: which deals are active, when
-- they were published, their pickup ends, their views and their units
-- reserved or sold. The pool (the freshest 500 active deals with their
-- demand) is the same for everyone, so it is read once and shared until
-- this counter moves (`Store::fresh_active`). A sequence, not a row: a
-- row would make every reservation of every deal wait for the others'
-- commits. A sequence moves before the change commits, so a pool read in
-- between is kept at most a second (the cache's age limit).
CREATE SEQUENCE offers_epoch;

CREATE FUNCTION offers_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('offers_epoch');
    RETURN NULL;
END;
$$;

CREATE TRIGGER offers_epoch_offer_change
    AFTER INSERT OR DELETE OR UPDATE OF status, published_at, created_at, pickup_end, views ON offers
    FOR EACH STATEMENT EXECUTE FUNCTION offers_epoch_bump();
CREATE TRIGGER offers_epoch_item_change
    AFTER INSERT OR DELETE OR UPDATE OF offer_id, reserved, sold ON offer_items
    FOR EACH STATEMENT EXECUTE FUNCTION offers_epoch_bump();
