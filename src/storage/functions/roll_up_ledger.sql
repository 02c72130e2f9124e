-- Rolls the posted legs of every transfer whose transaction has ended since the last run
-- into its unflagged accounts' posted balances and moves the mark (migration 0018), in one
-- transaction: a run that fails changes nothing, two runs at once take turns on the mark's
-- row. At most p_max_xids transaction ids per run, so a backlog is taken in bounded steps
-- (complete is false while one remains).
--
-- The horizon is the oldest transaction still running: every transaction below it has
-- committed or aborted, so what it wrote is visible to this run's later statements or never
-- will be. Accounts are locked in id order before they are written, as create_transfers
-- locks them, so a run cannot deadlock with a batch of transfers.
CREATE OR REPLACE FUNCTION roll_up_ledger(p_now TIMESTAMPTZ, p_max_xids BIGINT)
RETURNS TABLE (transfers BIGINT, accounts BIGINT, complete BOOLEAN)
LANGUAGE plpgsql AS $$
DECLARE
  v_mark xid8;
  v_from xid8;
  v_horizon xid8;
  v_below xid8;
  v_ids BIGINT[];
  v_debits BIGINT[];
  v_credits BIGINT[];
  v_transfers BIGINT;
BEGIN
  SELECT rolled_up_below INTO v_mark FROM ledger_rollup FOR UPDATE;
  v_horizon := pg_snapshot_xmin(pg_current_snapshot());
  -- From the oldest transfer at or past the mark: the xids between wrote no transfer (a
  -- first run after migrating starts at 0, its transfers at the migration's xid).
  v_from := coalesce((SELECT min(xid) FROM ledger_transfers WHERE xid >= v_mark AND xid < v_horizon), v_horizon);
  v_below := least(v_horizon, (v_from::TEXT::NUMERIC + p_max_xids)::TEXT::xid8);
  IF v_below <= v_from THEN
    -- Nothing ended since: the mark moves (if the horizon did) without a scan.
    IF v_below > v_mark THEN
      UPDATE ledger_rollup SET rolled_up_below = v_below, rolled_up_at = p_now;
    END IF;
    RETURN QUERY SELECT 0::BIGINT, 0::BIGINT, true;
    RETURN;
  END IF;

  WITH posted AS (
    SELECT debit_account_id, credit_account_id, amount_minor
      FROM ledger_transfers
     WHERE xid >= v_from AND xid < v_below AND phase IN ('single', 'post')
  ), legs AS (
    SELECT debit_account_id AS account_id, amount_minor AS debit, 0::BIGINT AS credit FROM posted
    UNION ALL
    SELECT credit_account_id, 0, amount_minor FROM posted
  ), sums AS (
    SELECT l.account_id, sum(l.debit)::BIGINT AS debit, sum(l.credit)::BIGINT AS credit
      FROM legs l JOIN ledger_accounts a ON a.id = l.account_id
     WHERE NOT a.debits_must_not_exceed_credits AND NOT a.credits_must_not_exceed_debits
     GROUP BY l.account_id
  )
  SELECT array_agg(account_id ORDER BY account_id), array_agg(debit ORDER BY account_id),
         array_agg(credit ORDER BY account_id), (SELECT count(*) FROM posted)
    INTO v_ids, v_debits, v_credits, v_transfers
    FROM sums;

  IF v_ids IS NOT NULL THEN
    PERFORM 1 FROM ledger_accounts WHERE id = ANY (v_ids) ORDER BY id FOR UPDATE;
    UPDATE ledger_accounts a
       SET debits_posted = a.debits_posted + s.debit, credits_posted = a.credits_posted + s.credit
      FROM unnest(v_ids, v_debits, v_credits) AS s(account_id, debit, credit)
     WHERE a.id = s.account_id;
  END IF;
  UPDATE ledger_rollup SET rolled_up_below = v_below, rolled_up_at = p_now;
  RETURN QUERY SELECT coalesce(v_transfers, 0), coalesce(cardinality(v_ids), 0)::BIGINT, v_below = v_horizon;
END;
$$;
