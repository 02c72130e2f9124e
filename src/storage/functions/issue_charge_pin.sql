-- Issues a charge PIN and queues its SMS in one transaction, or refuses (OD001
-- 'rate_limited') when the endpoint already sent the MSISDN p_max_per_hour PINs in the
-- hour before p_now. The transaction-scoped advisory lock on (endpoint, MSISDN)
-- serialises the count of one pair without a row to lock.
CREATE OR REPLACE FUNCTION issue_charge_pin(
  p_endpoint_id BIGINT, p_msisdn TEXT, p_product_id BIGINT, p_pin_hash TEXT, p_now TIMESTAMPTZ,
  p_expires_at TIMESTAMPTZ, p_max_per_hour INTEGER, p_sms JSONB
) RETURNS BIGINT
LANGUAGE plpgsql AS $$
DECLARE
  v_recent INTEGER;
  v_id BIGINT;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('charge_pin:' || p_endpoint_id::text || ':' || p_msisdn, 0));
  SELECT count(*) INTO v_recent FROM charge_pins
   WHERE endpoint_id = p_endpoint_id AND msisdn = p_msisdn AND created_at > p_now - interval '1 hour';
  IF v_recent >= p_max_per_hour THEN
    RAISE EXCEPTION USING ERRCODE = 'OD001', MESSAGE = 'rate_limited';
  END IF;
  INSERT INTO charge_pins (endpoint_id, msisdn, product_id, pin_hash, created_at, expires_at)
  VALUES (p_endpoint_id, p_msisdn, p_product_id, p_pin_hash, p_now, p_expires_at)
  RETURNING id INTO v_id;
  -- Queued and due at p_now: the outbox runs on the caller's clock, not the database's.
  INSERT INTO outbox_events (topic, payload, created_at, available_at) VALUES ('sms.send', p_sms, p_now, p_now);
  RETURN v_id;
END;
$$;
