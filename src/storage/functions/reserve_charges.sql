-- Reserves the charges that arrive together in one statement and one transaction, set-based:
-- a few statements over the whole batch instead of reserve_charge per item, each item still
-- answered exactly as reserve_charge alone would answer it.
--   1. One INSERT INTO payments … ON CONFLICT DO NOTHING for every item, in (msisdn,
--      ClientReference) order; an item it did not insert is a duplicate or a conflict of the
--      row that holds its key.
--   2. The spend limits of the new items that spend (not blocked, not test subscribers), per
--      subscriber and currency (reserve_charges_spend): one upsert, in (msisdn, currency)
--      order, inserts the rows of new subscribers and locks the existing rows without
--      writing them; then a second one adds what each existing row's items may spend.
--   3. The refused items' payment rows are deleted (what reserve_charge's subtransaction
--      rollback did), and the charge transfers of the items paid at once (payment:{id}:charge,
--      decision 34) inserted in one INSERT, in the statement that answers every item. Their
--      accounts are unflagged, their balances rolled up later (migration 0018): no account
--      row is written or locked, so batches never wait on the hot merchant and operator
--      rows. Accounts no transfer has named yet are opened before anything is written.
-- Lock order stays global, as with one reserve_charge per item: payment keys and then spend
-- rows, each in msisdn order, so concurrent batches of distinct keys do not deadlock on them
-- (the rare cases that still can, and why they stay correct: decision 24).
-- The unusual batches go item by item (reserve_charges_each), in the same statement when a
-- precheck sees them before anything is written: a key twice in the batch, a subscriber in
-- two currencies or with differing periods or limits, an item above its limit on its own.
-- Two cases show only after the insert and raise OD002, on which the caller runs
-- reserve_charges_each instead: a retry of a failed payment, and a subscriber whose refused
-- item is followed by a smaller one that would still fit (reserve_charges_spend).
-- per_item: the batch went item by item. At most 64 items, as reserve_charges_each.
CREATE OR REPLACE FUNCTION reserve_charges(p_items JSONB)
RETURNS TABLE (item INTEGER, outcome TEXT, payment_id BIGINT, payment_status TEXT, attempt INTEGER, refusal TEXT,
               per_item BOOLEAN)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_count INTEGER := jsonb_array_length(p_items);
  v_unusual BOOLEAN;
  v_blocked INTEGER[];          -- items whose subscriber is blocked
  v_new INTEGER[];              -- items whose payment row this statement inserted
  v_new_ids BIGINT[];           -- their payment ids, in v_new's order
  v_spenders INTEGER[];         -- new, not blocked, not test subscribers: they count against limits
  v_new_rows INTEGER[] := '{}'; -- spenders whose spend row this statement inserted
  v_refused INTEGER[] := '{}';  -- spenders refused by a limit …
  v_reasons TEXT[] := '{}';     -- … and why, in v_refused's order
  v_more_refused INTEGER[];
  v_more_reasons TEXT[];
  v_missing BOOLEAN;            -- an account a paid item names does not exist yet
  v_items reserve_charge_item[];  -- the items, read from the JSON once
BEGIN
  IF v_count > 64 THEN
    RAISE EXCEPTION 'reserve_charges: at most 64 items, got %', v_count;
  END IF;
  -- The JSON is read once: each statement below reads the array (a type input per field
  -- costs about 3 times what reading a row of the array does).
  v_items := ARRAY(SELECT x FROM reserve_charge_items(p_items) AS x);
  -- Lookups by key are LATERAL … LIMIT 1 (or an upsert): a nested loop over the unique index
  -- whatever the statistics say. A plan cached while a table was small would otherwise scan
  -- it whole on every batch.

  WITH x AS (SELECT * FROM unnest(v_items))
  SELECT (SELECT count(DISTINCT (x.service_id, x.client_reference)) FROM x) < v_count
         OR EXISTS (SELECT 1 FROM x WHERE NOT x.test_subscriber
                      AND ((x.month_limit >= 0 AND x.amount_minor > x.month_limit)
                        OR (x.year_limit >= 0 AND x.amount_minor > x.year_limit)))
         OR EXISTS (SELECT 1 FROM x WHERE NOT x.test_subscriber GROUP BY x.msisdn
                    HAVING count(DISTINCT x.currency) > 1
                        OR count(DISTINCT (x.month_period, x.month_limit, x.year_period, x.year_limit)) > 1),
         coalesce((SELECT array_agg(x.i) FROM x, LATERAL (SELECT 1 FROM blocked_msisdns AS b WHERE b.msisdn = x.msisdn LIMIT 1) AS b), '{}'),
         EXISTS (SELECT 1 FROM (SELECT x.debit_account AS code FROM x WHERE x.status = 'paid'
                                UNION SELECT x.credit_account FROM x WHERE x.status = 'paid') AS k
                  WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts AS a WHERE a.code = k.code))
    INTO v_unusual, v_blocked, v_missing;
  IF v_unusual THEN
    RETURN QUERY SELECT e.*, true FROM reserve_charges_each(p_items) AS e;
    RETURN;
  END IF;
  IF v_missing THEN
    PERFORM open_payment_accounts(array_agg(k.code), array_agg(k.currency), max(k.reserved_at))
       FROM (SELECT x.debit_account AS code, x.currency, x.reserved_at FROM unnest(v_items) AS x WHERE x.status = 'paid'
             UNION SELECT x.credit_account, x.currency, x.reserved_at FROM unnest(v_items) AS x WHERE x.status = 'paid') AS k;
  END IF;

  WITH x AS (SELECT * FROM unnest(v_items)),
  inserted AS (
    INSERT INTO payments (service_id, merchant_id, client_reference, details_hash, msisdn, operator,
                          amount_minor, currency, service_code, status, test_subscriber,
                          month_period, year_period, details, created_at, settled_at, needs_confirmation)
    SELECT x.service_id, x.merchant_id, x.client_reference, x.details_hash, x.msisdn, x.operator,
           x.amount_minor, x.currency, x.service_code, x.status, x.test_subscriber,
           x.month_period, x.year_period, x.details, x.reserved_at, CASE WHEN x.status = 'paid' THEN x.reserved_at END,
           x.needs_confirmation
      FROM x
     ORDER BY x.msisdn, x.client_reference, x.i
    ON CONFLICT (service_id, client_reference) DO NOTHING
    RETURNING id, service_id, client_reference)
  SELECT coalesce(array_agg(x.i ORDER BY x.i), '{}'), coalesce(array_agg(n.id ORDER BY x.i), '{}'),
         coalesce(array_agg(x.i) FILTER (WHERE NOT x.test_subscriber AND x.i <> ALL (v_blocked)), '{}')
    INTO v_new, v_new_ids, v_spenders
    FROM inserted AS n JOIN x ON x.service_id = n.service_id AND x.client_reference = n.client_reference;

  -- A retry of a failed payment takes the row over for a new attempt: reserve_charge's work.
  IF cardinality(v_new) < v_count AND EXISTS (
       SELECT 1 FROM unnest(v_items) AS x,
         LATERAL (SELECT 1 FROM payments AS p WHERE p.service_id = x.service_id AND p.client_reference = x.client_reference
                     AND p.status = 'failed' LIMIT 1) AS failed
        WHERE x.i <> ALL (v_new)) THEN
    RAISE EXCEPTION USING ERRCODE = 'OD002', MESSAGE = 'reserve_charges: a retry of a failed payment';
  END IF;

  IF cardinality(v_spenders) > 0 THEN
    WITH plan AS (SELECT * FROM reserve_charges_spend(v_items, v_spenders, true)),
    inserted AS (
      INSERT INTO subscriber_spend AS s (msisdn, currency, month_period, month_spent_minor, year_period, year_spent_minor)
      SELECT DISTINCT ON (p.msisdn, p.currency) p.msisdn, p.currency, p.month_period, p.month_spent_minor,
             p.year_period, p.year_spent_minor
        FROM plan AS p ORDER BY p.msisdn, p.currency
      -- An existing row is locked, not written (WHERE false): its items are counted below.
      ON CONFLICT (msisdn, currency) DO UPDATE SET month_period = s.month_period WHERE false
      RETURNING s.msisdn, s.currency)
    SELECT coalesce(array_agg(p.i), '{}'),
           coalesce(array_agg(p.i ORDER BY p.i) FILTER (WHERE p.refusal IS NOT NULL), '{}'),
           coalesce(array_agg(p.refusal ORDER BY p.i) FILTER (WHERE p.refusal IS NOT NULL), '{}'),
           coalesce(bool_or(p.unusual), false)
      INTO v_new_rows, v_refused, v_reasons, v_unusual
      FROM plan AS p JOIN inserted AS n ON n.msisdn = p.msisdn AND n.currency = p.currency;
  END IF;

  IF NOT v_unusual AND cardinality(v_new_rows) < cardinality(v_spenders) THEN
    WITH plan AS (
      SELECT * FROM reserve_charges_spend(v_items, ARRAY(SELECT unnest(v_spenders) EXCEPT SELECT unnest(v_new_rows)), false)),
    -- The rows exist and are locked: the upsert only ever updates, through the unique index.
    updated AS (
      INSERT INTO subscriber_spend AS s (msisdn, currency, month_period, month_spent_minor, year_period, year_spent_minor)
      SELECT DISTINCT ON (p.msisdn, p.currency) p.msisdn, p.currency, p.month_period, p.month_spent_minor,
             p.year_period, p.year_spent_minor
        FROM plan AS p WHERE p.accepted_minor > 0 ORDER BY p.msisdn, p.currency
      ON CONFLICT (msisdn, currency) DO UPDATE
        SET month_period = EXCLUDED.month_period, month_spent_minor = EXCLUDED.month_spent_minor,
            year_period = EXCLUDED.year_period, year_spent_minor = EXCLUDED.year_spent_minor)
    SELECT coalesce(array_agg(p.i) FILTER (WHERE p.refusal IS NOT NULL), '{}'),
           coalesce(array_agg(p.refusal) FILTER (WHERE p.refusal IS NOT NULL), '{}'),
           coalesce(bool_or(p.unusual), false)
      INTO v_more_refused, v_more_reasons, v_unusual
      FROM plan AS p;
    v_refused := v_refused || v_more_refused;
    v_reasons := v_reasons || v_more_reasons;
  END IF;
  IF v_unusual THEN
    RAISE EXCEPTION USING ERRCODE = 'OD002', MESSAGE = 'reserve_charges: a smaller item after a refused one would fit';
  END IF;

  -- A refused item leaves no payment behind.
  IF cardinality(v_refused) > 0 OR cardinality(v_blocked) > 0 THEN
    DELETE FROM payments
     WHERE id = ANY (ARRAY(SELECT n.id FROM unnest(v_new, v_new_ids) AS n(i, id)
                            WHERE n.i = ANY (v_refused) OR n.i = ANY (v_blocked)));
  END IF;

  -- The charge transfers of the items paid at once, and every item's answer, in one statement.
  -- The batch's few accounts are looked up once each, by code and currency, unflagged; an
  -- account missing (opened concurrently after this statement's snapshot), flagged or of
  -- another currency leaves a NULL account id, which NOT NULL refuses: the batch fails and
  -- its items go one by one (post_payment_transfer), nothing half-written.
  RETURN QUERY
  WITH x AS (SELECT * FROM unnest(v_items)),
  codes AS (
    SELECT x.debit_account AS code, x.currency FROM x WHERE x.status = 'paid'
    UNION SELECT x.credit_account, x.currency FROM x WHERE x.status = 'paid'),
  accounts AS (
    SELECT k.code, k.currency, a.id FROM codes AS k,
      LATERAL (SELECT a.id FROM ledger_accounts AS a
                WHERE a.code = k.code AND a.currency = k.currency
                  AND NOT a.debits_must_not_exceed_credits AND NOT a.credits_must_not_exceed_debits LIMIT 1) AS a),
  charges AS (
    INSERT INTO ledger_transfers (idempotency_id, debit_account_id, credit_account_id, amount_minor, currency, code,
                                  phase, state, created_at)
    SELECT 'payment:' || n.id || ':charge', d.id, c.id, x.amount_minor, x.currency, 'charge', 'single', 'posted', x.reserved_at
      FROM unnest(v_new, v_new_ids) AS n(i, id) JOIN x ON x.i = n.i
      LEFT JOIN accounts AS d ON d.code = x.debit_account AND d.currency = x.currency
      LEFT JOIN accounts AS c ON c.code = x.credit_account AND c.currency = x.currency
     WHERE x.status = 'paid' AND n.i <> ALL (v_refused) AND n.i <> ALL (v_blocked)
     ORDER BY n.id)
  SELECT x.i,
         CASE WHEN n.id IS NULL THEN CASE WHEN p.details_hash = x.details_hash THEN 'duplicate' ELSE 'conflict' END
              WHEN x.i = ANY (v_blocked) OR r.i IS NOT NULL THEN 'refused'
              ELSE 'reserved' END,
         CASE WHEN n.id IS NULL THEN p.id WHEN x.i = ANY (v_blocked) OR r.i IS NOT NULL THEN NULL ELSE n.id END,
         CASE WHEN n.id IS NULL THEN p.status WHEN x.i = ANY (v_blocked) OR r.i IS NOT NULL THEN NULL ELSE x.status END,
         CASE WHEN n.id IS NULL THEN p.attempt WHEN x.i = ANY (v_blocked) OR r.i IS NOT NULL THEN NULL ELSE 1 END,
         CASE WHEN n.id IS NULL THEN NULL WHEN x.i = ANY (v_blocked) THEN 'blocked' ELSE r.reason END,
         false
    FROM x
    LEFT JOIN unnest(v_new, v_new_ids) AS n(i, id) ON n.i = x.i
    LEFT JOIN unnest(v_refused, v_reasons) AS r(i, reason) ON r.i = x.i
    LEFT JOIN LATERAL (
      SELECT p.id, p.status, p.attempt, p.details_hash FROM payments AS p
       WHERE n.id IS NULL AND p.service_id = x.service_id AND p.client_reference = x.client_reference LIMIT 1) AS p ON true;
END;
$$;
