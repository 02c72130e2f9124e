-- Reserves charges that a one-time PIN approves, the PIN judged in the same statement and
-- transaction as the reservation (decision 49): a guess costs no statement or commit of its
-- own. The guesses come as arrays, one element per item that carries a PIN (p_i: the item's
-- index in p_items), in rounds: p_round n holds the n-th guess at each PIN (endpoint, MSISDN,
-- product), the arrays sorted by round (the repository's pinArgs builds them from the same
-- records as the items: the item's MSISDN, its ClientReference, a UUID, as the transaction id
-- recorded for the PIN it uses, and its reserved_at as the time the PIN is judged at). An
-- item without a guess is reserved as reserve_charges would.
--   1. Each round is judged by one call of judge_charge_pins: of concurrent items with one
--      PIN, the first right guess uses it and the others find it used. PIN rows are locked
--      before any payment or spend row, in key order.
--   2. An item whose PIN did not approve it is answered pin_refused with the verdict as its
--      refusal (wrong_pin, used, expired, salted) and reserves nothing; its guess, if counted,
--      is kept with the transaction.
--   3. The rest go to reserve_charges; a batch it hands back (OD002) goes item by item
--      (reserve_charges_each), in this transaction, the guesses standing.
-- Any other error fails the statement, guesses and all: the caller then runs each item alone
-- through this function, and each guess is counted once in what commits.
CREATE OR REPLACE FUNCTION reserve_charges_with_pins(
  p_items JSONB, p_i INTEGER[], p_round INTEGER[], p_endpoint_id BIGINT[], p_msisdn TEXT[], p_product_id BIGINT[],
  p_pin_hash TEXT[], p_transaction_id UUID[], p_at TIMESTAMPTZ[], p_max_attempts INTEGER[]
) RETURNS TABLE (item INTEGER, outcome TEXT, payment_id BIGINT, payment_status TEXT, attempt INTEGER, refusal TEXT,
                 per_item BOOLEAN)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_count INTEGER := jsonb_array_length(p_items);
  v_guesses INTEGER := coalesce(cardinality(p_i), 0);
  v_from INTEGER := 1;          -- the round being judged: the arrays' elements v_from to v_to
  v_to INTEGER;
  v_refused INTEGER[] := '{}';  -- items a PIN did not approve …
  v_verdicts TEXT[] := '{}';    -- … and why, in v_refused's order
  v_more_refused INTEGER[];
  v_more_verdicts TEXT[];
  v_rest JSONB;
BEGIN
  IF v_count > 64 THEN
    RAISE EXCEPTION 'reserve_charges_with_pins: at most 64 items, got %', v_count;
  END IF;
  IF v_guesses > v_count
     OR coalesce(cardinality(p_round), 0) <> v_guesses OR coalesce(cardinality(p_endpoint_id), 0) <> v_guesses
     OR coalesce(cardinality(p_msisdn), 0) <> v_guesses OR coalesce(cardinality(p_product_id), 0) <> v_guesses
     OR coalesce(cardinality(p_pin_hash), 0) <> v_guesses OR coalesce(cardinality(p_transaction_id), 0) <> v_guesses
     OR coalesce(cardinality(p_at), 0) <> v_guesses OR coalesce(cardinality(p_max_attempts), 0) <> v_guesses
     OR EXISTS (SELECT 1 FROM unnest(p_i, p_round) WITH ORDINALITY AS g(i, round, n)
                 WHERE g.i NOT BETWEEN 0 AND v_count - 1 OR g.round < 1
                    OR g.round < coalesce(p_round[g.n - 1], 1) OR g.round > coalesce(p_round[g.n - 1], 0) + 1)
     OR (SELECT count(DISTINCT g) FROM unnest(p_i) AS g) <> v_guesses THEN
    RAISE EXCEPTION 'reserve_charges_with_pins: guesses must be % items'' distinct indexes, each array as long, in rounds from 1', v_count;
  END IF;

  -- Each round is a run of the arrays, judged by one call on its slice; most batches have
  -- a single round, the whole arrays.
  WHILE v_from <= v_guesses LOOP
    v_to := coalesce(array_position(p_round, p_round[v_from] + 1, v_from), v_guesses + 1) - 1;
    -- One aggregation feeds both arrays the rows in one order: they stay aligned unsorted.
    SELECT coalesce(array_agg(j.ord) FILTER (WHERE j.verdict <> 'approved'), '{}'),
           coalesce(array_agg(j.verdict) FILTER (WHERE j.verdict <> 'approved'), '{}')
      INTO v_more_refused, v_more_verdicts
      FROM judge_charge_pins(p_i[v_from:v_to], p_endpoint_id[v_from:v_to], p_msisdn[v_from:v_to],
                             p_product_id[v_from:v_to], p_pin_hash[v_from:v_to], p_transaction_id[v_from:v_to],
                             p_at[v_from:v_to], p_max_attempts[v_from:v_to]) AS j;
    v_refused := v_refused || v_more_refused;
    v_verdicts := v_verdicts || v_more_verdicts;
    v_from := v_to + 1;
  END LOOP;

  -- Only a batch with refusals is written anew without them.
  IF cardinality(v_refused) = 0 THEN
    v_rest := p_items;
  ELSE
    SELECT coalesce(jsonb_agg(x.value), '[]') INTO v_rest
      FROM jsonb_array_elements(p_items) AS x WHERE (x.value->>'i')::INTEGER <> ALL (v_refused);
  END IF;
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
