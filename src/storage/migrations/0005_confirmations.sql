-- Confirmation prompts (Strex SecurityLevel 2): the subscriber is asked on the handset
-- and the Pay waits for the answer. The row is the truth every server reads; the wait
-- itself holds no transaction.
CREATE TABLE confirmation_requests (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  service_id   BIGINT NOT NULL REFERENCES services(id),
  payment_id   BIGINT NOT NULL REFERENCES payments(id),
  attempt      INTEGER NOT NULL,
  msisdn       TEXT NOT NULL,
  channel      TEXT NOT NULL CHECK (channel IN ('sms', 'ussd')),
  prompt       TEXT NOT NULL CHECK (length(prompt) <= 500),
  status       TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'confirmed', 'declined', 'expired')),
  created_at   TIMESTAMPTZ NOT NULL,
  expires_at   TIMESTAMPTZ NOT NULL,
  answered_at  TIMESTAMPTZ,
  UNIQUE (payment_id, attempt),
  CHECK (expires_at > created_at)
);
CREATE INDEX confirmation_requests_waiting ON confirmation_requests (msisdn, id) WHERE status = 'waiting';
