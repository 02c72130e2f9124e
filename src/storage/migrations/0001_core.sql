-- OpenDCB core schema: merchants, services, credentials, operators, payments ledger,
-- spend counters, platform blocklist, outbox. Money is BIGINT minor units.

CREATE TABLE merchants (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  is_demo     BOOLEAN NOT NULL DEFAULT false,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A service is what a vendor API calls a service/product: Strex ServiceId, etc.
CREATE TABLE services (
  id                        BIGINT PRIMARY KEY CHECK (id BETWEEN 1 AND 2147483647),
  merchant_id               BIGINT NOT NULL REFERENCES merchants(id),
  platform                  TEXT NOT NULL CHECK (platform IN ('directpay', 'sms')),
  name                      TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  currency                  CHAR(3) NOT NULL,
  requires_verified_msisdn  BOOLEAN NOT NULL DEFAULT false,
  created_at                TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX services_merchant ON services (merchant_id);

CREATE TABLE service_credentials (
  id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  service_id     BIGINT NOT NULL REFERENCES services(id),
  username       TEXT NOT NULL CHECK (length(username) BETWEEN 1 AND 100),
  password_hash  TEXT NOT NULL,
  revoked_at     TIMESTAMPTZ,
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (service_id, username)
);

CREATE TABLE operators (
  mcc_mnc   TEXT PRIMARY KEY CHECK (mcc_mnc ~ '^[0-9]{3}-[0-9]{2,3}$'),
  name      TEXT NOT NULL,
  country   CHAR(2) NOT NULL,
  currency  CHAR(3) NOT NULL
);

-- Subscribers the platform operator refuses to charge, whatever their carrier says.
CREATE TABLE blocked_msisdns (
  msisdn      TEXT PRIMARY KEY,
  reason      TEXT NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Transaction ids are Int32 on the Strex wire: 1 … 2147483647.
CREATE SEQUENCE payment_ids AS BIGINT START WITH 1000001 MINVALUE 1 MAXVALUE 2147483647 NO CYCLE;

CREATE TABLE payments (
  id                BIGINT PRIMARY KEY DEFAULT nextval('payment_ids'),
  service_id        BIGINT NOT NULL REFERENCES services(id),
  merchant_id       BIGINT NOT NULL REFERENCES merchants(id),
  client_reference  TEXT NOT NULL CHECK (length(client_reference) BETWEEN 1 AND 100),
  details_hash      TEXT NOT NULL,
  msisdn            TEXT NOT NULL,
  operator          TEXT NOT NULL,
  amount_minor      BIGINT NOT NULL CHECK (amount_minor > 0),
  currency          CHAR(3) NOT NULL,
  service_code      TEXT NOT NULL,
  status            TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'failed', 'reversed')),
  test_subscriber   BOOLEAN NOT NULL DEFAULT false,
  month_period      TEXT NOT NULL,
  year_period       TEXT NOT NULL,
  details           JSONB NOT NULL DEFAULT '{}'::jsonb,
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  settled_at        TIMESTAMPTZ,
  reversed_at       TIMESTAMPTZ,
  UNIQUE (service_id, client_reference)
);
CREATE INDEX payments_pending ON payments (created_at) WHERE status = 'pending';
CREATE INDEX payments_msisdn ON payments (msisdn, created_at);

-- Double entry in one row: every entry moves amount_minor from credit to debit
-- account, so the journal balances by construction. One charge and at most one
-- reversal per payment.
CREATE TABLE journal_entries (
  id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  payment_id      BIGINT NOT NULL REFERENCES payments(id),
  kind            TEXT NOT NULL CHECK (kind IN ('charge', 'reversal')),
  debit_account   TEXT NOT NULL,
  credit_account  TEXT NOT NULL CHECK (credit_account <> debit_account),
  amount_minor    BIGINT NOT NULL CHECK (amount_minor > 0),
  currency        CHAR(3) NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (payment_id, kind)
);

-- What a subscriber spent per calendar period (M2026-11, Y2026), for spend limits.
CREATE TABLE spend_counters (
  msisdn       TEXT NOT NULL,
  currency     CHAR(3) NOT NULL,
  period       TEXT NOT NULL,
  spent_minor  BIGINT NOT NULL CHECK (spent_minor >= 0),
  PRIMARY KEY (msisdn, currency, period)
);

CREATE TABLE outbox_events (
  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  topic         TEXT NOT NULL,
  payload       JSONB NOT NULL,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  available_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  attempts      INTEGER NOT NULL DEFAULT 0,
  delivered_at  TIMESTAMPTZ,
  last_error    TEXT
);
CREATE INDEX outbox_undelivered ON outbox_events (available_at) WHERE delivered_at IS NULL;

-- Sandbox network state: prepaid balances that charges draw down.
CREATE TABLE sandbox_prepaid_debits (
  reference     TEXT PRIMARY KEY,
  msisdn        TEXT NOT NULL,
  amount_minor  BIGINT NOT NULL CHECK (amount_minor > 0),
  credited      BOOLEAN NOT NULL DEFAULT false,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE sandbox_prepaid_balances (
  msisdn         TEXT PRIMARY KEY,
  balance_minor  BIGINT NOT NULL CHECK (balance_minor >= 0)
);
