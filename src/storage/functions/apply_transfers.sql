-- Applies a set of single-phase or pending transfers in one statement: each is judged
-- (idempotent retry, unknown account, currency), a linked chain with any refused member
-- inserts nothing, the rest are inserted in idempotency-id order (concurrent batches
-- that share ids wait on each other in one order), and every account touched is updated
-- once with the sum of its legs, so the balance-flag CHECKs judge the statement's net
-- effect; an unflagged account's balances are rolled up by roll_up_ledger (migration
-- 0018), never written here, so only flagged accounts are updated. A flag broken raises check_violation for the caller (create_transfers) to
-- handle. The caller has locked the accounts; an idempotency id taken by a concurrent
-- transaction meanwhile (so neither inserted nor seen) raises OD002, to be run again.
-- Answers one {i, outcome, transfer_id, state} per item, in item order.
CREATE OR REPLACE FUNCTION apply_transfers(p_items JSONB, p_now TIMESTAMPTZ)
RETURNS JSONB
LANGUAGE plpgsql AS $$
DECLARE
  v_results JSONB;
BEGIN
  WITH items AS (
    SELECT x.*, coalesce(x.chain, x.id) AS chain_key, count(*) OVER (PARTITION BY x.id) AS id_uses,
           CASE WHEN x.pending THEN 'pending' ELSE 'single' END AS phase
      FROM jsonb_to_recordset(p_items) AS x(i INTEGER, id TEXT, debit TEXT, credit TEXT, amount_minor BIGINT,
                                             currency TEXT, code TEXT, pending BOOLEAN, timeout_at TIMESTAMPTZ, chain TEXT)
  ), judged AS (
    SELECT it.*, d.id AS debit_id, c.id AS credit_id, e.id AS existing_id, e.state AS existing_state,
           CASE
             WHEN it.id_uses > 1 THEN 'id_used_twice'
             WHEN e.id IS NULL THEN
               CASE WHEN d.id IS NULL THEN 'debit_account_not_found'
                    WHEN c.id IS NULL THEN 'credit_account_not_found'
                    WHEN d.id = c.id THEN 'accounts_must_be_different'
                    WHEN d.currency <> it.currency OR c.currency <> it.currency THEN 'currency_mismatch'
                    ELSE 'created' END
             WHEN e.debit_account_id IS NOT DISTINCT FROM d.id AND e.credit_account_id IS NOT DISTINCT FROM c.id
                  AND e.amount_minor = it.amount_minor AND e.currency = it.currency AND e.code = it.code
                  AND e.phase = it.phase AND e.timeout_at IS NOT DISTINCT FROM it.timeout_at
                  AND e.chain_id IS NOT DISTINCT FROM it.chain THEN 'exists'
             ELSE 'exists_with_different_fields' END AS verdict
      FROM items it
      LEFT JOIN ledger_accounts d ON d.code = it.debit
      LEFT JOIN ledger_accounts c ON c.code = it.credit
      LEFT JOIN ledger_transfers e ON e.idempotency_id = it.id
  ), chains AS (
    SELECT chain_key, bool_and(verdict IN ('created', 'exists')) AS chain_ok FROM judged GROUP BY chain_key
  ), inserted AS (
    INSERT INTO ledger_transfers (idempotency_id, debit_account_id, credit_account_id, amount_minor, currency, code,
                                  phase, state, chain_id, timeout_at, created_at)
    SELECT j.id, j.debit_id, j.credit_id, j.amount_minor, j.currency, j.code,
           j.phase, CASE WHEN j.pending THEN 'pending' ELSE 'posted' END, j.chain, j.timeout_at, p_now
      FROM judged j JOIN chains ch USING (chain_key)
     WHERE j.verdict = 'created' AND ch.chain_ok
     ORDER BY j.id
    ON CONFLICT (idempotency_id) DO NOTHING
    RETURNING id, idempotency_id, debit_account_id, credit_account_id, amount_minor, phase, state
  ), legs AS (
    SELECT debit_account_id AS account_id,
           CASE WHEN phase = 'pending' THEN amount_minor ELSE 0 END AS debits_pending,
           CASE WHEN phase = 'single' THEN amount_minor ELSE 0 END AS debits_posted,
           0::BIGINT AS credits_pending, 0::BIGINT AS credits_posted
      FROM inserted
    UNION ALL
    SELECT credit_account_id, 0, 0,
           CASE WHEN phase = 'pending' THEN amount_minor ELSE 0 END,
           CASE WHEN phase = 'single' THEN amount_minor ELSE 0 END
      FROM inserted
  ), deltas AS (
    SELECT account_id, sum(debits_pending)::BIGINT AS debits_pending, sum(debits_posted)::BIGINT AS debits_posted,
           sum(credits_pending)::BIGINT AS credits_pending, sum(credits_posted)::BIGINT AS credits_posted
      FROM legs GROUP BY account_id
  ), updated AS (
    UPDATE ledger_accounts a
       SET debits_pending = a.debits_pending + d.debits_pending, debits_posted = a.debits_posted + d.debits_posted,
           credits_pending = a.credits_pending + d.credits_pending, credits_posted = a.credits_posted + d.credits_posted
      FROM deltas d WHERE a.id = d.account_id AND (a.debits_must_not_exceed_credits OR a.credits_must_not_exceed_debits)
    RETURNING a.id
  )
  SELECT jsonb_agg(jsonb_build_object(
           'i', j.i,
           'outcome', CASE WHEN j.verdict <> 'created' THEN j.verdict
                           WHEN NOT ch.chain_ok THEN 'linked_event_failed'
                           WHEN ins.id IS NULL THEN 'raced'
                           ELSE 'created' END,
           'transfer_id', CASE WHEN j.verdict = 'exists' THEN j.existing_id ELSE ins.id END,
           'state', CASE WHEN j.verdict = 'exists' THEN j.existing_state ELSE ins.state END) ORDER BY j.i)
    INTO v_results
    FROM judged j JOIN chains ch USING (chain_key)
    LEFT JOIN inserted ins ON ins.idempotency_id = j.id AND j.verdict = 'created';
  IF jsonb_path_exists(v_results, '$[*] ? (@.outcome == "raced")') THEN
    RAISE EXCEPTION 'apply_transfers: an idempotency id was taken concurrently' USING ERRCODE = 'OD002';
  END IF;
  RETURN coalesce(v_results, '[]'::jsonb);
END;
$$;
