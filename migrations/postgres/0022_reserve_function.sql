-- A reservation on PostgreSQL as one autocommitted call (`Store::reserve`),
-- so that the hot offer's row lock is held for the server's own work and
-- the commit, never for a round trip to the application (BENCHMARKS.md §10).
--
-- The application has read the offer's gate and its items' deal prices
-- without a lock and priced the lines (price drops are domain code). This
-- function then, in the caller's one transaction:
--   1. returns the purchase made before under `p_request_key`, if any;
--   2. writes the purchase (unless its pickup code is in use at the same
--      business: then it returns no id and writes nothing, and the caller
--      tries another code), its lines, its audit row and, for a confirmed
--      order, the owner's notice;
--   3. locks the offer row (`FOR NO KEY UPDATE`, the lock every stock
--      change takes first) if it can still be bought, and checks the gate
--      is the one the lines were priced from. Not `FOR UPDATE`: the
--      purchase's foreign key already holds `FOR KEY SHARE` on the row,
--      which `FOR UPDATE` would wait for, so two buyers would deadlock;
--      and not a no-op `UPDATE`, which would write a new version of the
--      row for every buyer of a hot offer;
--   4. takes each line's stock with a conditional UPDATE (the guarantee
--      against overselling), checking its deal price is unchanged;
--   5. marks the offer sold out, with its audit row, when every line took
--      its item's last unit and no item has stock left. A VOLATILE function
--      reads with a new snapshot per statement, so this sees every
--      reservation committed while it waited for the lock.
-- It returns the purchase id, whether it was made before, whether the
-- offer sold out, and the units left. Any failure after step 2 raises, and
-- the whole call rolls back: GL001 the offer can't be bought (the caller
-- asks why), GL002 a price moved (the caller prices again), GL003 not
-- enough left.
CREATE FUNCTION glean_reserve(
    p_offer BIGINT,
    p_now BIGINT,
    p_currency TEXT,
    p_pickup_end BIGINT,
    p_drop_percent INTEGER,
    p_drop_every INTEGER,
    p_drop_span INTEGER,
    p_drop_floor BIGINT,
    p_drop_tz TEXT,
    p_customer BIGINT,
    p_status TEXT,
    p_total BIGINT,
    p_code TEXT,
    p_method TEXT,
    p_expires BIGINT,
    p_request_key TEXT,
    p_actor TEXT,
    p_notice TEXT,
    p_items BIGINT[],
    p_quantities INTEGER[],
    p_unit_prices BIGINT[],
    p_deal_prices BIGINT[],
    OUT purchase_id BIGINT,
    OUT made_before BOOLEAN,
    OUT sold_out BOOLEAN,
    OUT remaining BIGINT
) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    g RECORD;
    sells BOOLEAN := p_status <> 'reserved';
    all_gone BOOLEAN := TRUE;
    deal BIGINT;
    left_after INTEGER;
BEGIN
    made_before := FALSE;
    sold_out := FALSE;
    IF p_request_key IS NOT NULL THEN
        SELECT id INTO purchase_id FROM purchases WHERE request_key = p_request_key;
        IF FOUND THEN
            made_before := TRUE;
            RETURN;
        END IF;
    END IF;

    INSERT INTO purchases (customer_tg_id, offer_id, status, total, currency, pickup_code, payment_method,
                           expires_at, created_at, updated_at, request_key)
    SELECT p_customer, p_offer, p_status, p_total, p_currency, p_code, p_method, p_expires, p_now, p_now,
           p_request_key
    WHERE NOT EXISTS (
        SELECT 1 FROM purchases p JOIN offers o ON o.id = p.offer_id
        WHERE p.pickup_code = p_code AND p.status IN ('reserved', 'confirmed', 'paid', 'donated')
          AND o.business_id = (SELECT business_id FROM offers WHERE id = p_offer))
    ON CONFLICT DO NOTHING
    RETURNING id INTO purchase_id;
    IF purchase_id IS NULL THEN
        -- Another instance made it with this key meanwhile, or the code is
        -- in use: nothing was written.
        IF p_request_key IS NOT NULL THEN
            SELECT id INTO purchase_id FROM purchases WHERE request_key = p_request_key;
            made_before := FOUND;
        END IF;
        RETURN;
    END IF;
    INSERT INTO purchase_lines (purchase_id, item_id, quantity, unit_price)
    SELECT purchase_id, l.item, l.q, l.price
    FROM unnest(p_items, p_quantities, p_unit_prices) AS l(item, q, price);
    INSERT INTO audit_log (at, actor, action, target_kind, target_id, before, after)
    VALUES (p_now, p_actor, 'purchase', 'purchase', purchase_id, NULL, p_status);
    IF p_notice IS NOT NULL THEN
        INSERT INTO notices (chat_id, kind, purchase_id, business_id, offer_id, detail, not_before, created_at)
        SELECT b.owner_tg_id, p_notice, purchase_id, b.id, o.id, NULL, p_now, p_now
        FROM offers o JOIN businesses b ON b.id = o.business_id WHERE o.id = p_offer;
    END IF;

    SELECT o.currency, o.pickup_end, o.drop_percent, o.drop_every, o.drop_span, o.drop_floor, o.drop_tz
    INTO g FROM offers o WHERE o.id = p_offer AND o.status = 'active' AND o.pickup_end > p_now
    FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'offer % can no longer be bought', p_offer USING ERRCODE = 'GL001';
    END IF;
    IF (g.currency, g.pickup_end, g.drop_percent, g.drop_every, g.drop_span, g.drop_floor, g.drop_tz)
        IS DISTINCT FROM (p_currency, p_pickup_end, p_drop_percent, p_drop_every, p_drop_span, p_drop_floor, p_drop_tz)
    THEN
        RAISE EXCEPTION 'offer % changed its prices', p_offer USING ERRCODE = 'GL002';
    END IF;

    FOR i IN 1 .. cardinality(p_items) LOOP
        UPDATE offer_items
        SET reserved = reserved + CASE WHEN sells THEN 0 ELSE p_quantities[i] END,
            sold = sold + CASE WHEN sells THEN p_quantities[i] ELSE 0 END
        WHERE id = p_items[i] AND offer_id = p_offer AND quantity - reserved - sold >= p_quantities[i]
        RETURNING deal_price, quantity - reserved - sold INTO deal, left_after;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'not enough of item % left', p_items[i] USING ERRCODE = 'GL003';
        END IF;
        IF deal <> p_deal_prices[i] THEN
            RAISE EXCEPTION 'item % changed its price', p_items[i] USING ERRCODE = 'GL002';
        END IF;
        all_gone := all_gone AND left_after = 0;
    END LOOP;

    IF all_gone THEN
        UPDATE offers SET status = 'sold_out', sold_out_by_hand = FALSE, updated_at = p_now
        WHERE id = p_offer AND status = 'active'
          AND NOT EXISTS (SELECT 1 FROM offer_items WHERE offer_id = p_offer AND quantity - reserved - sold > 0);
        IF FOUND THEN
            sold_out := TRUE;
            INSERT INTO audit_log (at, actor, action, target_kind, target_id, before, after)
            VALUES (p_now, 'system', 'sell_out', 'offer', p_offer, 'active', 'sold_out');
        END IF;
    END IF;
    SELECT COALESCE(SUM(quantity - reserved - sold), 0) INTO remaining FROM offer_items WHERE offer_id = p_offer;
END
$$;
