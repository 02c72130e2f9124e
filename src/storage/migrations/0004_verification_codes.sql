-- Strex verification codes: PINs sent by SMS and checked once. A code is stored only
-- as a hash; its attempts are counted before each guess is judged.
CREATE TABLE verification_codes (
  id                       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  service_id               BIGINT NOT NULL REFERENCES services(id),
  msisdn                   TEXT NOT NULL,
  code_hash                TEXT NOT NULL,
  created_at               TIMESTAMPTZ NOT NULL,
  expires_at               TIMESTAMPTZ NOT NULL,
  -- How long the verification lasts once the code is verified; NULL: forever.
  verification_expires_at  TIMESTAMPTZ,
  attempts                 INTEGER NOT NULL DEFAULT 0 CHECK (attempts BETWEEN 0 AND 5),
  used_at                  TIMESTAMPTZ,
  CHECK (expires_at > created_at)
);
CREATE INDEX verification_codes_latest ON verification_codes (service_id, msisdn, created_at DESC);

-- One row per (service, MSISDN) that was ever sent a code: its lock serialises the
-- send-rate check of that pair.
CREATE TABLE verification_subjects (
  service_id  BIGINT NOT NULL REFERENCES services(id),
  msisdn      TEXT NOT NULL,
  PRIMARY KEY (service_id, msisdn)
);

CREATE TABLE verified_msisdns (
  service_id      BIGINT NOT NULL REFERENCES services(id),
  msisdn          TEXT NOT NULL,
  verified_at     TIMESTAMPTZ NOT NULL,
  verified_until  TIMESTAMPTZ,
  PRIMARY KEY (service_id, msisdn)
);

-- Issues a code and queues its SMS, or refuses (OD001 'rate_limited') when the pair
-- already had p_max_per_hour codes in the hour before p_now.
CREATE FUNCTION issue_verification_code(
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
  INSERT INTO outbox_events (topic, payload) VALUES ('sms.send', p_sms);
  RETURN v_id;
END;
$$;

-- The sandbox handsets' inboxes: every SMS the sandbox network delivered.
CREATE TABLE sandbox_messages (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  msisdn       TEXT NOT NULL,
  sender       TEXT NOT NULL,
  text         TEXT NOT NULL,
  -- The outbox delivers at least once: one message per delivery key.
  delivery_key TEXT NOT NULL UNIQUE,
  received_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sandbox_messages_inbox ON sandbox_messages (msisdn, id);
