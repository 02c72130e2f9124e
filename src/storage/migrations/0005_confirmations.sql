-- Confirmation prompts: the subscriber is asked on the handset to confirm a payment
-- (Strex SecurityLevel 2) or to consent to a pre-authorisation, and the request waits
-- for the answer. The row is the truth every server reads; the wait holds no transaction.
CREATE TABLE confirmation_requests (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  service_id   BIGINT NOT NULL REFERENCES services(id),
  purpose      TEXT NOT NULL CHECK (purpose IN ('payment', 'preauthorization')),
  payment_id   BIGINT REFERENCES payments(id),
  attempt      INTEGER,
  msisdn       TEXT NOT NULL,
  channel      TEXT NOT NULL CHECK (channel IN ('sms', 'ussd')),
  -- An SMS prompt comes from this 4-digit short number plus a 10-digit suffix (the id).
  short_number TEXT CHECK (short_number ~ '^[0-9]{4}$'),
  prompt       TEXT NOT NULL CHECK (length(prompt) <= 500),
  status       TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'confirmed', 'declined', 'expired')),
  created_at   TIMESTAMPTZ NOT NULL,
  expires_at   TIMESTAMPTZ NOT NULL,
  answered_at  TIMESTAMPTZ,
  UNIQUE (payment_id, attempt),
  CHECK ((purpose = 'payment') = (payment_id IS NOT NULL AND attempt IS NOT NULL)),
  CHECK (expires_at > created_at)
);
CREATE INDEX confirmation_requests_waiting ON confirmation_requests (msisdn, id) WHERE status = 'waiting';

-- Strex PreAuthorize tokens: a subscriber's standing consent to one service's charges.
-- Only a hash of the token is kept; the token never expires but can be revoked.
CREATE TABLE authorization_tokens (
  id                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  service_id             BIGINT NOT NULL REFERENCES services(id),
  msisdn                 TEXT NOT NULL,
  token_hash             TEXT NOT NULL UNIQUE,
  external_reference     TEXT NOT NULL UNIQUE,
  client_transaction_id  TEXT NOT NULL,
  description            TEXT,
  created_at             TIMESTAMPTZ NOT NULL,
  revoked_at             TIMESTAMPTZ
);
CREATE INDEX authorization_tokens_subscriber ON authorization_tokens (service_id, msisdn);
