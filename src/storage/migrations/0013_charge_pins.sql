-- PINs a subscriber is sent by SMS to approve one charge of one product of an endpoint
-- (decision 39). Stored only as a keyed hash; attempts are counted before each guess is
-- judged; single use: the charge it approved is written into the row that it used.
CREATE TABLE charge_pins (
  id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  endpoint_id     BIGINT NOT NULL REFERENCES endpoints(id),
  msisdn          TEXT NOT NULL,
  product_id      BIGINT NOT NULL REFERENCES products(id),
  pin_hash        TEXT NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL,
  expires_at      TIMESTAMPTZ NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts BETWEEN 0 AND 5),
  used_at         TIMESTAMPTZ,
  -- The charge the PIN approved, by the id its endpoint knows it by (the payment's idempotency key).
  transaction_id  UUID UNIQUE,
  CHECK (expires_at > created_at),
  CHECK ((used_at IS NULL) = (transaction_id IS NULL))
);
CREATE INDEX charge_pins_latest ON charge_pins (endpoint_id, msisdn, product_id, created_at DESC, id DESC);
CREATE INDEX charge_pins_sent ON charge_pins (endpoint_id, msisdn, created_at);
