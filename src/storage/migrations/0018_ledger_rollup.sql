-- Every account's balances are maintained (decision 34): a flagged account's in the
-- transfer's own statement under its CHECK, as before; an unflagged one's (a merchant's,
-- an operator's: the hot rows every Pay names) by a rollup job, so no Pay writes, locks or
-- waits on them.
--
-- A transfer records the top-level transaction that wrote it (xid8, never wraps). The
-- rollup adds the posted legs of every transfer whose transaction had ended (committed or
-- aborted: below the oldest transaction still running, pg_snapshot_xmin) since its last
-- run to those accounts' posted balances, and moves its mark to that horizon, in one
-- transaction. A transaction that commits late has an xid at or above the mark, so it is
-- rolled up by a later run, exactly once, whatever order transactions commit in.
-- A balance read is the rolled-up balance plus the posted transfers at or above the mark
-- (a range of the xid index: about one rollup interval of transfers, whatever the account's
-- history), and its pending balances the live pending transfers (their partial index,
-- bounded by the reservations open). No per-account index: each would cost every Pay an
-- index insert (0012 dropped them for that).
ALTER TABLE ledger_transfers ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX ledger_transfers_by_xid ON ledger_transfers (xid);

-- The one rollup mark: every transfer whose xid is below it is in its unflagged accounts'
-- posted balances, none at or above it is.
CREATE TABLE ledger_rollup (
  singleton        BOOLEAN PRIMARY KEY DEFAULT true CHECK (singleton),
  rolled_up_below  xid8 NOT NULL,
  rolled_up_at     TIMESTAMPTZ
);
INSERT INTO ledger_rollup (rolled_up_below) VALUES ('0'::xid8);

-- An unflagged account's posted balances are now the rollup's; its pending ones stay the
-- live pending transfers' sums, never maintained (a pending row's contribution changes
-- when it is resolved, a posted leg's never does).
ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_unflagged_sums_only;
ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_unflagged_pending_summed
  CHECK (debits_must_not_exceed_credits OR credits_must_not_exceed_debits
         OR (debits_pending = 0 AND credits_pending = 0));
