-- The general double-entry ledger (decision 34): accounts with maintained balances and
-- balance flags, transfers between two accounts of one currency, single-phase or
-- two-phase (pending, then posted or voided exactly once), optionally linked in chains
-- that succeed or fail together. The flags are CHECK constraints on the maintained
-- balances, so the UPDATE that would break one fails in the same statement: no
-- read-then-write can let two concurrent transfers overdraw a wallet.

CREATE TABLE ledger_accounts (
  id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The account's name, e.g. merchant:12:NOK or wallet:+4790000020:USD.
  code             TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 3 AND 200),
  owner_kind       TEXT NOT NULL CHECK (owner_kind ~ '^[a-z][a-z_]{0,31}$'),
  owner_id         TEXT NOT NULL CHECK (length(owner_id) BETWEEN 1 AND 100),
  currency         CHAR(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  debits_must_not_exceed_credits  BOOLEAN NOT NULL,
  credits_must_not_exceed_debits  BOOLEAN NOT NULL,
  debits_pending   BIGINT NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
  debits_posted    BIGINT NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
  credits_pending  BIGINT NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
  credits_posted   BIGINT NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
  created_at       TIMESTAMPTZ NOT NULL,
  CONSTRAINT ledger_accounts_one_flag CHECK (NOT (debits_must_not_exceed_credits AND credits_must_not_exceed_debits)),
  -- Pending debits count against the limit (a reservation holds the money), pending credits do not.
  CONSTRAINT ledger_accounts_exceeds_credits
    CHECK (NOT debits_must_not_exceed_credits OR debits_pending + debits_posted <= credits_posted),
  CONSTRAINT ledger_accounts_exceeds_debits
    CHECK (NOT credits_must_not_exceed_debits OR credits_pending + credits_posted <= debits_posted),
  -- The target of the transfers' (account, currency) foreign keys: a transfer's currency is its accounts'.
  UNIQUE (id, currency)
);
CREATE INDEX ledger_accounts_owner ON ledger_accounts (owner_kind, owner_id);

-- phase says what a row is and never changes: a single-phase transfer (posted at once), a
-- pending one (state pending until posted or voided), or the post or void of a pending one
-- (pending_id). Only a pending row's state changes, once, under its row lock; the unique
-- index on pending_id makes a second post or void of one pending transfer impossible.
CREATE TABLE ledger_transfers (
  id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  idempotency_id     TEXT NOT NULL UNIQUE CHECK (length(idempotency_id) BETWEEN 1 AND 200),
  debit_account_id   BIGINT NOT NULL,
  credit_account_id  BIGINT NOT NULL,
  amount_minor       BIGINT NOT NULL CHECK (amount_minor > 0 AND amount_minor <= 1000000000000),
  currency           CHAR(3) NOT NULL,
  code               TEXT NOT NULL CHECK (code IN ('charge', 'reversal', 'refund', 'top_up', 'wallet_transfer',
                                                   'voucher_redemption', 'mobile_top_up')),
  phase              TEXT NOT NULL CHECK (phase IN ('single', 'pending', 'post', 'void')),
  state              TEXT NOT NULL CHECK (state IN ('posted', 'pending', 'voided')),
  pending_id         BIGINT REFERENCES ledger_transfers(id),
  -- The idempotency id of the chain's first transfer, for the transfers of a linked chain.
  chain_id           TEXT CHECK (length(chain_id) BETWEEN 1 AND 200),
  timeout_at         TIMESTAMPTZ,
  created_at         TIMESTAMPTZ NOT NULL,
  resolved_at        TIMESTAMPTZ,
  FOREIGN KEY (debit_account_id, currency) REFERENCES ledger_accounts (id, currency),
  FOREIGN KEY (credit_account_id, currency) REFERENCES ledger_accounts (id, currency),
  CONSTRAINT ledger_transfers_two_accounts CHECK (credit_account_id <> debit_account_id),
  CONSTRAINT ledger_transfers_phase_state CHECK (
       (phase = 'single' AND state = 'posted' AND pending_id IS NULL AND timeout_at IS NULL)
    OR (phase = 'pending' AND pending_id IS NULL AND (state = 'pending') = (resolved_at IS NULL))
    OR (phase = 'post' AND state = 'posted' AND pending_id IS NOT NULL AND timeout_at IS NULL)
    OR (phase = 'void' AND state = 'voided' AND pending_id IS NOT NULL AND timeout_at IS NULL))
);
CREATE UNIQUE INDEX ledger_transfers_resolves_once ON ledger_transfers (pending_id) WHERE pending_id IS NOT NULL;
CREATE INDEX ledger_transfers_debit_account ON ledger_transfers (debit_account_id, id);
CREATE INDEX ledger_transfers_credit_account ON ledger_transfers (credit_account_id, id);
CREATE INDEX ledger_transfers_pending_timeout ON ledger_transfers (timeout_at) WHERE state = 'pending';
