-- Issues a code and queues its SMS, or refuses (OD001 'rate_limited') when the pair
-- already had p_max_per_hour codes in the hour before p_now.
CREATE OR REPLACE FUNCTION issue_verification_code(
  p_service_id BIGINT, p_msisdn TEXT, p_code_hash TEXT, p_now TIMESTAMPTZ, p_expires_at TIMESTAMPTZ,
  p_verification_expires_at TIMESTAMPTZ, p_max_per_hour INTEGER, p_sms JSONB
) RETURNS BIGINT
LANGUAGE plpgsql AS $$
DECLARE
  v_recent INTEGER;
  v_id BIGINT;
BEGIN
  INSERT INTO verification_subjects AS s (service_id, msisdn) VALUES (p_service_id, p_msisdn)
  ON CONFLICT (service_id, msisdn) DO UPDATE SET msisdn = s.msisdn;
  SELECT count(*) INTO v_recent FROM verification_codes
   WHERE service_id = p_service_id AND msisdn = p_msisdn AND created_at > p_now - interval '1 hour';
  IF v_recent >= p_max_per_hour THEN
    RAISE EXCEPTION USING ERRCODE = 'OD001', MESSAGE = 'rate_limited';
  END IF;
  INSERT INTO verification_codes (service_id, msisdn, code_hash, created_at, expires_at, verification_expires_at)
  VALUES (p_service_id, p_msisdn, p_code_hash, p_now, p_expires_at, p_verification_expires_at)
  RETURNING id INTO v_id;
  -- Queued and due at p_now: the outbox runs on the caller's clock, not the database's.
  INSERT INTO outbox_events (topic, payload, created_at, available_at) VALUES ('sms.send', p_sms, p_now, p_now);
  RETURN v_id;
END;
$$;
