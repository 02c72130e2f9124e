-- Messages (decision 41): every SMS the platform sends, a merchant's or its own (codes,
-- PINs), is a row that goes queued → submitted → delivered | failed | expired. The
-- dispatcher claims due queued rows with a lease (SKIP LOCKED), so any number of workers
-- share the queue; a row moves only from the state the code expects (the WHERE of each
-- update), so a late or repeated receipt cannot undo a final state.
CREATE TABLE message_campaigns (
  id           BIGSERIAL PRIMARY KEY,
  merchant_id  BIGINT NOT NULL REFERENCES merchants(id),
  external_id  TEXT NOT NULL CHECK (length(external_id) BETWEEN 1 AND 100),
  created_at   TIMESTAMPTZ NOT NULL,
  UNIQUE (merchant_id, external_id)
);

CREATE TABLE messages (
  id                    BIGSERIAL PRIMARY KEY,
  -- NULL: the platform's own message.
  merchant_id           BIGINT REFERENCES merchants(id),
  campaign_id           BIGINT REFERENCES message_campaigns(id),
  submission_key        TEXT NOT NULL CHECK (length(submission_key) BETWEEN 1 AND 200),
  recipient_index       INTEGER NOT NULL CHECK (recipient_index BETWEEN 0 AND 9999),
  msisdn                TEXT NOT NULL CHECK (length(msisdn) BETWEEN 2 AND 20),
  sender                TEXT NOT NULL CHECK (length(sender) BETWEEN 1 AND 20),
  -- NULL once a secret (a code, a PIN) was submitted: it is not kept after it is sent.
  body                  TEXT CHECK (length(body) <= 1600),
  secret                BOOLEAN NOT NULL,
  encoding              TEXT NOT NULL CHECK (encoding IN ('gsm7', 'ucs2')),
  segments              INTEGER NOT NULL CHECK (segments BETWEEN 1 AND 10),
  state                 TEXT NOT NULL CHECK (state IN ('queued', 'submitted', 'delivered', 'failed', 'expired')),
  due_at                TIMESTAMPTZ NOT NULL,
  expires_at            TIMESTAMPTZ NOT NULL,
  leased_until          TIMESTAMPTZ,
  attempts              INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  connector             TEXT CHECK (length(connector) BETWEEN 1 AND 40),
  connector_message_id  TEXT CHECK (length(connector_message_id) BETWEEN 1 AND 65),
  failure_reason        TEXT CHECK (length(failure_reason) <= 200),
  created_at            TIMESTAMPTZ NOT NULL,
  submitted_at          TIMESTAMPTZ,
  finished_at           TIMESTAMPTZ,
  CHECK (body IS NOT NULL OR (secret AND state <> 'queued')),
  CHECK (state NOT IN ('submitted', 'delivered') OR connector_message_id IS NOT NULL)
);
-- One message per owner, submission key and recipient: a repeated submission stores nothing.
CREATE UNIQUE INDEX messages_submission ON messages (COALESCE(merchant_id, 0), submission_key, recipient_index);
CREATE INDEX messages_due ON messages (due_at, id) WHERE state = 'queued';
CREATE INDEX messages_expiring ON messages (expires_at) WHERE state IN ('queued', 'submitted');
-- SMSC ids are unique per SMSC: a receipt names exactly one message.
CREATE UNIQUE INDEX messages_connector_id ON messages (connector, connector_message_id) WHERE connector_message_id IS NOT NULL;

-- Receipts, once per SMSC id: a duplicate is seen as one, and a receipt that overtakes the
-- record of its submission waits here until that record is written.
CREATE TABLE message_receipts (
  connector             TEXT NOT NULL CHECK (length(connector) BETWEEN 1 AND 40),
  connector_message_id  TEXT NOT NULL CHECK (length(connector_message_id) BETWEEN 1 AND 65),
  status                TEXT NOT NULL CHECK (status IN ('delivered', 'failed', 'expired')),
  reason                TEXT CHECK (length(reason) <= 200),
  received_at           TIMESTAMPTZ NOT NULL,
  applied               BOOLEAN NOT NULL,
  PRIMARY KEY (connector, connector_message_id)
);
CREATE INDEX message_receipts_unapplied ON message_receipts (received_at) WHERE NOT applied;
