-- Proves the ledger from its transfers, at any time: answers every broken invariant (at
-- most p_limit rows), none when the ledger is sound.
--  * balance:    a flagged account's maintained balances differ from the sums of its
--                transfers (posted: single-phase transfers and posts; pending: pending
--                transfers still pending); an unflagged one's posted balances differ from
--                the sums of its posted transfers below the rollup's mark, or its pending
--                ones are not zero (migration 0018): its balances as read are the rolled-up
--                ones plus the transfers since, which are then those sums.
--  * currency:   a currency's debits and credits, posted or pending, do not sum to zero.
--  * account:    a transfer whose debit or credit account does not exist in its currency
--                (what foreign keys refused before migration 0012).
--  * resolution: a pending transfer whose state disagrees with its post or void (none
--                while pending, exactly one matching after), or a post or void that does
--                not mirror its pending transfer (accounts, currency, code, amount).
--  * flag:       an account whose balances break its flag.
CREATE OR REPLACE FUNCTION ledger_violations(p_limit INTEGER)
RETURNS TABLE (violation TEXT, subject TEXT, detail TEXT)
LANGUAGE sql STABLE AS $$
  WITH transfers AS (
    SELECT t.debit_account_id, t.credit_account_id, t.amount_minor, t.phase, t.state, t.xid < m.rolled_up_below AS rolled_up
      FROM ledger_transfers t CROSS JOIN ledger_rollup m
  ), legs AS (
    SELECT debit_account_id AS account_id,
           CASE WHEN phase = 'pending' AND state = 'pending' THEN amount_minor ELSE 0 END AS debits_pending,
           CASE WHEN phase IN ('single', 'post') THEN amount_minor ELSE 0 END AS debits_posted,
           0 AS credits_pending, 0 AS credits_posted,
           CASE WHEN phase IN ('single', 'post') AND rolled_up THEN amount_minor ELSE 0 END AS debits_rolled_up,
           0 AS credits_rolled_up
      FROM transfers
    UNION ALL
    SELECT credit_account_id, 0, 0,
           CASE WHEN phase = 'pending' AND state = 'pending' THEN amount_minor ELSE 0 END,
           CASE WHEN phase IN ('single', 'post') THEN amount_minor ELSE 0 END,
           0, CASE WHEN phase IN ('single', 'post') AND rolled_up THEN amount_minor ELSE 0 END
      FROM transfers
  ), sums AS (
    SELECT account_id, sum(debits_pending) AS debits_pending, sum(debits_posted) AS debits_posted,
           sum(credits_pending) AS credits_pending, sum(credits_posted) AS credits_posted,
           sum(debits_rolled_up) AS debits_rolled_up, sum(credits_rolled_up) AS credits_rolled_up
      FROM legs GROUP BY account_id
  ), balances AS (
    -- Each account's balances as the ledger answers them: maintained when flagged; when not,
    -- rolled up plus the transfers since, which the 'balance' check proves are the sums.
    SELECT a.currency,
           CASE WHEN a.debits_must_not_exceed_credits OR a.credits_must_not_exceed_debits THEN a.debits_pending ELSE coalesce(s.debits_pending, 0) END AS debits_pending,
           CASE WHEN a.debits_must_not_exceed_credits OR a.credits_must_not_exceed_debits THEN a.debits_posted ELSE coalesce(s.debits_posted, 0) END AS debits_posted,
           CASE WHEN a.debits_must_not_exceed_credits OR a.credits_must_not_exceed_debits THEN a.credits_pending ELSE coalesce(s.credits_pending, 0) END AS credits_pending,
           CASE WHEN a.debits_must_not_exceed_credits OR a.credits_must_not_exceed_debits THEN a.credits_posted ELSE coalesce(s.credits_posted, 0) END AS credits_posted
      FROM ledger_accounts a LEFT JOIN sums s ON s.account_id = a.id
  ), resolutions AS (
    SELECT p.id, p.idempotency_id, p.state, count(r.id) AS resolved_by,
           bool_and(r.debit_account_id = p.debit_account_id AND r.credit_account_id = p.credit_account_id
                    AND r.currency = p.currency AND r.code = p.code
                    AND ((r.phase = 'post' AND p.state = 'posted' AND r.amount_minor <= p.amount_minor)
                      OR (r.phase = 'void' AND p.state = 'voided' AND r.amount_minor = p.amount_minor))) AS mirrors
      FROM ledger_transfers p LEFT JOIN ledger_transfers r ON r.pending_id = p.id
     WHERE p.phase = 'pending'
     GROUP BY p.id, p.idempotency_id, p.state
  )
  (SELECT 'balance', a.code,
          CASE WHEN a.debits_must_not_exceed_credits OR a.credits_must_not_exceed_debits
               THEN format('maintained %s/%s debits, %s/%s credits (pending/posted); transfers say %s/%s, %s/%s',
                           a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted,
                           coalesce(s.debits_pending, 0), coalesce(s.debits_posted, 0),
                           coalesce(s.credits_pending, 0), coalesce(s.credits_posted, 0))
               ELSE format('rolled up %s/%s debits, %s/%s credits (pending/posted); transfers below the mark say 0/%s, 0/%s',
                           a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted,
                           coalesce(s.debits_rolled_up, 0), coalesce(s.credits_rolled_up, 0)) END
     FROM ledger_accounts a LEFT JOIN sums s ON s.account_id = a.id
    WHERE CASE WHEN a.debits_must_not_exceed_credits OR a.credits_must_not_exceed_debits
               THEN (a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted)
                    IS DISTINCT FROM (coalesce(s.debits_pending, 0), coalesce(s.debits_posted, 0),
                                      coalesce(s.credits_pending, 0), coalesce(s.credits_posted, 0))
               ELSE (a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted)
                    IS DISTINCT FROM (0, coalesce(s.debits_rolled_up, 0), 0, coalesce(s.credits_rolled_up, 0)) END
   UNION ALL
   SELECT 'currency', b.currency::TEXT,
          format('posted debits %s, credits %s; pending debits %s, credits %s',
                 sum(b.debits_posted), sum(b.credits_posted), sum(b.debits_pending), sum(b.credits_pending))
     FROM balances b GROUP BY b.currency
   HAVING sum(b.debits_posted) <> sum(b.credits_posted) OR sum(b.debits_pending) <> sum(b.credits_pending)
   UNION ALL
   SELECT 'account', t.idempotency_id, format('%s debit account %s, credit account %s', t.currency, t.debit_account_id, t.credit_account_id)
     FROM ledger_transfers t
    WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = t.debit_account_id AND a.currency = t.currency)
       OR NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = t.credit_account_id AND a.currency = t.currency)
   UNION ALL
   SELECT 'resolution', r.idempotency_id, format('state %s, resolved by %s, mirrors %s', r.state, r.resolved_by, r.mirrors)
     FROM resolutions r
    WHERE (r.state = 'pending' AND r.resolved_by <> 0) OR (r.state <> 'pending' AND (r.resolved_by <> 1 OR NOT r.mirrors))
   UNION ALL
   SELECT 'flag', a.code, format('debits %s pending + %s posted, credits %s pending + %s posted',
                                 a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted)
     FROM ledger_accounts a
    WHERE (a.debits_must_not_exceed_credits AND a.debits_pending + a.debits_posted > a.credits_posted)
       OR (a.credits_must_not_exceed_debits AND a.credits_pending + a.credits_posted > a.debits_posted))
  LIMIT p_limit
$$;
