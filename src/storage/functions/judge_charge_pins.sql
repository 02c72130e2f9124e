-- One round of PIN guesses judged in one statement (decision 42): each guess's PIN is the
-- newest of its (endpoint, MSISDN, product), locked; the guess is counted where the PIN is
-- unused, has guesses left, is not expired and is hashed with its context, and the PIN used
-- (its use, with the transaction id, recorded in charge_pin_uses) where the hash given is its
-- own. The update writes attempts and used_at only, no indexed column, so it is HOT (decision
-- 50). Each guess is answered with its verdict and the row as it was before: approved;
-- wrong_pin (counted and not the PIN, or no PIN was sent); used (used, or burnt by guesses)
-- and expired, not counted; salted (hashed under the salted scheme of before, which only the
-- service can judge: not counted); and used for a PIN found usable yet not counted (another
-- session used or burnt it first). A round names each PIN at most once: a statement cannot
-- update a row twice. The PINs are locked in key order by the LATERAL … LIMIT 1 … FOR UPDATE
-- read, a nested loop whatever the statistics say, so concurrent rounds of different sessions
-- do not deadlock on them. (One UPDATE finding each PIN by a subquery measured a fifth less,
-- but its plan, and so the order it locks in, follows the statistics: on a small table the
-- planner joins by a scan of the whole table.)
-- Called by SqlChargePinRepository (a guess alone) and by reserve_charges_with_pins (a guess
-- judged in the statement that reserves the charge it approves).
CREATE OR REPLACE FUNCTION judge_charge_pins(
  p_ord INTEGER[], p_endpoint_id BIGINT[], p_msisdn TEXT[], p_product_id BIGINT[], p_pin_hash TEXT[],
  p_transaction_id UUID[], p_at TIMESTAMPTZ[], p_max_attempts INTEGER[]
) RETURNS TABLE (ord INTEGER, verdict TEXT, id BIGINT, pin_hash TEXT, expires_at TIMESTAMPTZ, attempts INTEGER,
                 used_at TIMESTAMPTZ)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  IF cardinality(p_ord) > 64 THEN
    RAISE EXCEPTION 'judge_charge_pins: at most 64 guesses, got %', cardinality(p_ord);
  END IF;
  RETURN QUERY
  WITH input AS (
    SELECT * FROM unnest(p_ord, p_endpoint_id, p_msisdn, p_product_id, p_pin_hash, p_transaction_id, p_at, p_max_attempts)
           AS i(ord, endpoint_id, msisdn, product_id, pin_hash, transaction_id, at, max_attempts)),
  latest AS (
    SELECT i.ord, p.id, p.pin_hash, p.expires_at, p.attempts, p.used_at
      FROM (SELECT * FROM input ORDER BY endpoint_id, msisdn, product_id) AS i CROSS JOIN LATERAL (
        SELECT c.id, c.pin_hash, c.expires_at, c.attempts, c.used_at FROM charge_pins AS c
         WHERE c.endpoint_id = i.endpoint_id AND c.msisdn = i.msisdn AND c.product_id = i.product_id
         ORDER BY c.created_at DESC, c.id DESC LIMIT 1
           FOR UPDATE) AS p),
  counted AS (
    UPDATE charge_pins AS c
       SET attempts = c.attempts + 1,
           used_at = CASE WHEN c.pin_hash = i.pin_hash THEN i.at END
      FROM latest AS l JOIN input AS i ON i.ord = l.ord
     WHERE c.id = l.id AND c.used_at IS NULL AND c.attempts < i.max_attempts
       AND c.expires_at > i.at AND c.pin_hash NOT LIKE 'hmac$%'
    RETURNING l.ord, c.id, c.endpoint_id, i.transaction_id, c.used_at IS NOT NULL AS approved),
  used AS (
    INSERT INTO charge_pin_uses (transaction_id, pin_id, endpoint_id)
    SELECT k.transaction_id, k.id, k.endpoint_id FROM counted AS k WHERE k.approved)
  SELECT i.ord,
         CASE WHEN l.id IS NULL THEN 'wrong_pin'
              WHEN k.approved THEN 'approved'
              WHEN NOT k.approved THEN 'wrong_pin'
              WHEN l.used_at IS NOT NULL OR l.attempts >= i.max_attempts THEN 'used'
              WHEN l.expires_at <= i.at THEN 'expired'
              WHEN l.pin_hash LIKE 'hmac$%' THEN 'salted'
              ELSE 'used' END,
         l.id, l.pin_hash, l.expires_at, l.attempts, l.used_at
    FROM input AS i LEFT JOIN latest AS l ON l.ord = i.ord LEFT JOIN counted AS k ON k.ord = i.ord;
END;
$$;
