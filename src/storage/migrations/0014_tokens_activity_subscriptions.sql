-- Purchase tokens, the activity log and subscriptions (decision 40). Every time here is the
-- injected clock's, passed by the writer: no column defaults to now().

-- Single-use purchase tokens, bound to the endpoint that asked and the product they are for.
-- Only the SHA-256 (hex) of the bearer value is kept. consumed_at is set once, by a
-- conditional update, so of concurrent consumers exactly one gets the token.
CREATE TABLE purchase_tokens (
  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  token_hash    TEXT NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  endpoint_id   BIGINT NOT NULL REFERENCES endpoints(id),
  purpose       TEXT NOT NULL CHECK (purpose IN ('checkout', 'checkout-for-subscriber')),
  product_id    BIGINT NOT NULL REFERENCES products(id),
  amount_minor  BIGINT NOT NULL CHECK (amount_minor > 0 AND amount_minor <= 1000000000000),
  currency      CHAR(3) NOT NULL,
  description   TEXT NOT NULL CHECK (length(description) BETWEEN 1 AND 200),
  reference     TEXT NOT NULL CHECK (length(reference) <= 255),
  operator      TEXT CHECK (operator ~ '^[0-9]{3}-[0-9]{2,3}$'),
  msisdn        TEXT CHECK (length(msisdn) BETWEEN 2 AND 16),
  issued_at     TIMESTAMPTZ NOT NULL,
  expires_at    TIMESTAMPTZ NOT NULL,
  consumed_at   TIMESTAMPTZ,
  CHECK (expires_at > issued_at),
  CHECK ((purpose = 'checkout-for-subscriber') = (msisdn IS NOT NULL))
);
-- For a prune of expired tokens later; lookups go by the unique token_hash.
CREATE INDEX purchase_tokens_expiry ON purchase_tokens (expires_at);

-- What subscribers did around a merchant's product, as the merchant reports it. data is
-- an array of [key, type, value] (value as text; type integer, decimal or text), bounded.
CREATE TABLE activity_entries (
  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id   BIGINT NOT NULL REFERENCES merchants(id),
  endpoint_id   BIGINT NOT NULL REFERENCES endpoints(id),
  product_id    BIGINT NOT NULL CHECK (product_id >= 1),
  msisdn        TEXT NOT NULL CHECK (length(msisdn) BETWEEN 2 AND 16),
  operator      TEXT CHECK (operator ~ '^[0-9]{3}-[0-9]{2,3}$'),
  engagement    TEXT NOT NULL CHECK (engagement ~ '^[a-z][a-z0-9-]{0,39}$'),
  data          JSONB NOT NULL CHECK (jsonb_typeof(data) = 'array' AND jsonb_array_length(data) <= 32 AND length(data::text) <= 65536),
  occurred_at   TIMESTAMPTZ NOT NULL
);
-- The console reads a merchant's log by time.
CREATE INDEX activity_entries_merchant_time ON activity_entries (merchant_id, occurred_at, id);

-- Subscriptions: one per subscriber and product while live (any state but cancelled), by
-- the partial unique index; a cancelled one stays as history and a new join makes a new row.
-- next_charge_at is when recurring billing next charges it (the subscriptions issue).
CREATE TABLE subscriptions (
  id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id    BIGINT NOT NULL REFERENCES merchants(id),
  endpoint_id    BIGINT NOT NULL REFERENCES endpoints(id),
  product_id     BIGINT NOT NULL REFERENCES products(id),
  plan_id        BIGINT NOT NULL REFERENCES price_plans(id),
  msisdn         TEXT NOT NULL CHECK (length(msisdn) BETWEEN 2 AND 16),
  operator       TEXT CHECK (operator ~ '^[0-9]{3}-[0-9]{2,3}$'),
  reference      TEXT CHECK (length(reference) BETWEEN 1 AND 100),
  state          TEXT NOT NULL CHECK (state IN ('pending', 'trial', 'active', 'payment-pending', 'suspended', 'cancelled')),
  started_at     TIMESTAMPTZ NOT NULL,
  trial_ends_at  TIMESTAMPTZ,
  activated_at   TIMESTAMPTZ,
  next_charge_at TIMESTAMPTZ,
  cancelled_at   TIMESTAMPTZ,
  cancel_reason  TEXT CHECK (cancel_reason IN ('merchant', 'subscriber', 'non-payment', 'operator')),
  updated_at     TIMESTAMPTZ NOT NULL,
  CHECK ((state = 'cancelled') = (cancelled_at IS NOT NULL AND cancel_reason IS NOT NULL)),
  CHECK (state = 'cancelled' OR next_charge_at IS NOT NULL)
);
CREATE UNIQUE INDEX subscriptions_live ON subscriptions (msisdn, product_id) WHERE state <> 'cancelled';
CREATE INDEX subscriptions_merchant_msisdn ON subscriptions (merchant_id, msisdn, id);
-- The recurring-billing scheduler's batch: live subscriptions due, oldest first.
CREATE INDEX subscriptions_due ON subscriptions (next_charge_at) WHERE state <> 'cancelled';
