-- Reserves charges that a one-time PIN approves, the PIN judged in the same statement and
-- transaction as the reservation (decision 49): a guess costs no statement or commit of its
-- own. p_pins: [{i, endpoint_id, product_id, pin_hash, max_attempts}], one per item that
-- carries a PIN (i: the item's index in p_items); an item without one is reserved as
-- reserve_charges would. The PIN of an item is the newest its endpoint sent the item's MSISDN
-- for the product; the item's ClientReference (a UUID) is the transaction id written into the
-- PIN it uses, and its reserved_at the time the PIN is judged at.
--   1. The guesses are judged in rounds (judge_charge_pins), each PIN once per round in item
--      order: of concurrent items with one PIN, the first right guess uses it and the others
--      find it used. PIN rows are locked before any payment or spend row, in key order.
--   2. An item whose PIN did not approve it is answered pin_refused with the verdict as its
--      refusal (wrong_pin, used, expired, salted) and reserves nothing; its guess, if counted,
--      is kept with the transaction.
--   3. The rest go to reserve_charges; a batch it hands back (OD002) goes item by item
--      (reserve_charges_each), in this transaction, the guesses standing.
-- Any other error fails the statement, guesses and all: the caller then runs each item alone
-- through this function, and each guess is counted once in what commits.
CREATE OR REPLACE FUNCTION reserve_charges_with_pins(p_items JSONB, p_pins JSONB)
RETURNS TABLE (item INTEGER, outcome TEXT, payment_id BIGINT, payment_status TEXT, attempt INTEGER, refusal TEXT,
               per_item BOOLEAN)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_i INTEGER[];            -- the guesses, by round and then key: the item index …
  v_round BIGINT[];         -- … its round (the n-th guess at its PIN in this batch) …
  v_endpoint BIGINT[];
  v_msisdn TEXT[];
  v_product BIGINT[];
  v_hash TEXT[];
  v_txid UUID[];
  v_at TIMESTAMPTZ[];
  v_max INTEGER[];
  v_rounds BIGINT;
  v_refused INTEGER[] := '{}';  -- items a PIN did not approve …
  v_verdicts TEXT[] := '{}';    -- … and why, in v_refused's order
  v_more_refused INTEGER[];
  v_more_verdicts TEXT[];
  v_rest JSONB;
BEGIN
  IF jsonb_array_length(p_items) > 64 THEN
    RAISE EXCEPTION 'reserve_charges_with_pins: at most 64 items, got %', jsonb_array_length(p_items);
  END IF;
  WITH g AS (
    SELECT p.i, p.endpoint_id, x.msisdn, p.product_id, p.pin_hash, x.client_reference::uuid AS txid, x.reserved_at,
           p.max_attempts,
           row_number() OVER (PARTITION BY p.endpoint_id, x.msisdn, p.product_id ORDER BY p.i) AS round
      FROM jsonb_to_recordset(p_pins) AS p(i INTEGER, endpoint_id BIGINT, product_id BIGINT, pin_hash TEXT, max_attempts INTEGER)
      JOIN reserve_charge_items(p_items) AS x ON x.i = p.i)
  SELECT array_agg(g.i ORDER BY g.round, g.endpoint_id, g.msisdn, g.product_id),
         array_agg(g.round ORDER BY g.round, g.endpoint_id, g.msisdn, g.product_id),
         array_agg(g.endpoint_id ORDER BY g.round, g.endpoint_id, g.msisdn, g.product_id),
         array_agg(g.msisdn ORDER BY g.round, g.endpoint_id, g.msisdn, g.product_id),
         array_agg(g.product_id ORDER BY g.round, g.endpoint_id, g.msisdn, g.product_id),
         array_agg(g.pin_hash ORDER BY g.round, g.endpoint_id, g.msisdn, g.product_id),
         array_agg(g.txid ORDER BY g.round, g.endpoint_id, g.msisdn, g.product_id),
         array_agg(g.reserved_at ORDER BY g.round, g.endpoint_id, g.msisdn, g.product_id),
         array_agg(g.max_attempts ORDER BY g.round, g.endpoint_id, g.msisdn, g.product_id),
         coalesce(max(g.round), 0)
    INTO v_i, v_round, v_endpoint, v_msisdn, v_product, v_hash, v_txid, v_at, v_max, v_rounds
    FROM g;
  IF v_rounds > 0 AND cardinality(v_i) <> jsonb_array_length(p_pins) THEN
    RAISE EXCEPTION 'reserve_charges_with_pins: % PINs for % matching items', jsonb_array_length(p_pins), cardinality(v_i);
  END IF;

  FOR v_r IN 1..v_rounds LOOP
    WITH round AS (
      SELECT * FROM unnest(v_i, v_round, v_endpoint, v_msisdn, v_product, v_hash, v_txid, v_at, v_max)
             AS g(i, round, endpoint_id, msisdn, product_id, pin_hash, txid, at, max_attempts)
       WHERE g.round = v_r),
    judged AS (
      SELECT j.* FROM judge_charge_pins(
        ARRAY(SELECT r.i FROM round AS r), ARRAY(SELECT r.endpoint_id FROM round AS r),
        ARRAY(SELECT r.msisdn FROM round AS r), ARRAY(SELECT r.product_id FROM round AS r),
        ARRAY(SELECT r.pin_hash FROM round AS r), ARRAY(SELECT r.txid FROM round AS r),
        ARRAY(SELECT r.at FROM round AS r), ARRAY(SELECT r.max_attempts FROM round AS r)) AS j)
    SELECT coalesce(array_agg(j.ord ORDER BY j.ord) FILTER (WHERE j.verdict <> 'approved'), '{}'),
           coalesce(array_agg(j.verdict ORDER BY j.ord) FILTER (WHERE j.verdict <> 'approved'), '{}')
      INTO v_more_refused, v_more_verdicts
      FROM judged AS j;
    v_refused := v_refused || v_more_refused;
    v_verdicts := v_verdicts || v_more_verdicts;
  END LOOP;

  SELECT coalesce(jsonb_agg(x.value), '[]') INTO v_rest
    FROM jsonb_array_elements(p_items) AS x WHERE (x.value->>'i')::INTEGER <> ALL (v_refused);
  IF jsonb_array_length(v_rest) > 0 THEN
    BEGIN
      -- reserve_charges raises OD002 before it answers any row, so none is answered twice.
      RETURN QUERY SELECT * FROM reserve_charges(v_rest);
    EXCEPTION WHEN SQLSTATE 'OD002' THEN
      RETURN QUERY SELECT e.*, true FROM reserve_charges_each(v_rest) AS e;
    END;
  END IF;
  RETURN QUERY SELECT r.i, 'pin_refused'::TEXT, NULL::BIGINT, NULL::TEXT, NULL::INTEGER, r.verdict, false
    FROM unnest(v_refused, v_verdicts) AS r(i, verdict);
END;
$$;
