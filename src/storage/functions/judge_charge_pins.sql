-- One round of PIN guesses judged in one statement (decision 42): each guess's PIN is the
-- newest of its (endpoint, MSISDN, product); the guess is counted where the PIN is unused, has
-- guesses left, is not expired and is hashed with its context, and the PIN used (its use, with
-- the transaction id, recorded in charge_pin_uses) where the hash given is its own. Each guess
-- is answered with its verdict and the row as it was before: approved, or wrong_pin, for a
-- counted guess (the UPDATE's own row, its attempts less the one it added); for a guess not
-- counted, from the newest PIN as the statement saw it: wrong_pin (no PIN was sent), used
-- (used, or burnt by guesses) and expired, salted (hashed under the salted scheme of before,
-- which only the service can judge), and used for a PIN that looked usable yet was not counted
-- (another session used or burnt it first: the UPDATE re-checked the row it waited for). A
-- round names each PIN at most once: a statement cannot update a row twice. The UPDATE takes
-- the guesses in key order, so concurrent rounds of different sessions lock the PINs in one
-- order and do not deadlock on them. The UPDATE writes attempts and used_at only, no indexed
-- column, so it is HOT (decision 50).
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
  counted AS (
    UPDATE charge_pins AS c
       SET attempts = c.attempts + 1,
           used_at = CASE WHEN c.pin_hash = i.pin_hash THEN i.at END
      FROM (SELECT * FROM input ORDER BY endpoint_id, msisdn, product_id) AS i
     WHERE c.id = (SELECT n.id FROM charge_pins AS n
                    WHERE n.endpoint_id = i.endpoint_id AND n.msisdn = i.msisdn AND n.product_id = i.product_id
                    ORDER BY n.created_at DESC, n.id DESC LIMIT 1)
       AND c.used_at IS NULL AND c.attempts < i.max_attempts
       AND c.expires_at > i.at AND c.pin_hash NOT LIKE 'hmac$%'
    RETURNING i.ord, c.id, c.endpoint_id, i.transaction_id, c.pin_hash, c.expires_at, c.attempts - 1 AS attempts,
              c.used_at IS NOT NULL AS approved),
  used AS (
    INSERT INTO charge_pin_uses (transaction_id, pin_id, endpoint_id)
    SELECT k.transaction_id, k.id, k.endpoint_id FROM counted AS k WHERE k.approved)
  SELECT k.ord, CASE WHEN k.approved THEN 'approved' ELSE 'wrong_pin' END, k.id, k.pin_hash, k.expires_at, k.attempts,
         NULL::timestamptz
    FROM counted AS k
  UNION ALL
  SELECT i.ord,
         CASE WHEN l.id IS NULL THEN 'wrong_pin'
              WHEN l.used_at IS NOT NULL OR l.attempts >= i.max_attempts THEN 'used'
              WHEN l.expires_at <= i.at THEN 'expired'
              WHEN l.pin_hash LIKE 'hmac$%' THEN 'salted'
              ELSE 'used' END,
         l.id, l.pin_hash, l.expires_at, l.attempts, l.used_at
    FROM input AS i LEFT JOIN LATERAL (
           SELECT c.id, c.pin_hash, c.expires_at, c.attempts, c.used_at FROM charge_pins AS c
            WHERE c.endpoint_id = i.endpoint_id AND c.msisdn = i.msisdn AND c.product_id = i.product_id
            ORDER BY c.created_at DESC, c.id DESC LIMIT 1) AS l ON true
   WHERE NOT EXISTS (SELECT 1 FROM counted AS k WHERE k.ord = i.ord);
END;
$$;
