-- Posts or voids a pending transfer, exactly once. p_request: {"now", "id" (the idempotency
-- id of this post or void), "pending_id" (the pending transfer's idempotency id), "action":
-- post | void, "amount_minor" (post only; null posts the whole amount, less posts part and
-- releases the rest)}. The accounts are locked first, in id order as create_transfers
-- locks them, then the pending row: of a concurrent post and void one wins, the other
-- finds it resolved (and the unique index on pending_id would refuse a second anyway). A
-- retry with the same id answers exists with the first result. A post after the pending
-- transfer's timeout is refused; a void is not (it only gives back).
CREATE OR REPLACE FUNCTION resolve_pending_transfer(p_request JSONB)
RETURNS TABLE (outcome TEXT, transfer_id BIGINT, transfer_state TEXT)
LANGUAGE plpgsql AS $$
DECLARE
  v_now TIMESTAMPTZ := (p_request->>'now')::timestamptz;
  v_action TEXT := p_request->>'action';
  v_requested BIGINT := (p_request->>'amount_minor')::bigint;
  v_pending ledger_transfers%ROWTYPE;
  v_existing ledger_transfers%ROWTYPE;
  v_amount BIGINT;
  v_id BIGINT;
BEGIN
  IF v_now IS NULL OR v_action IS NULL OR v_action NOT IN ('post', 'void') OR p_request->>'id' IS NULL THEN
    RAISE EXCEPTION 'resolve_pending_transfer: now, id and an action post or void are required';
  END IF;
  SELECT * INTO v_pending FROM ledger_transfers WHERE idempotency_id = p_request->>'pending_id';
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'pending_transfer_not_found'::TEXT, NULL::BIGINT, NULL::TEXT;
    RETURN;
  END IF;
  IF v_pending.phase <> 'pending' THEN
    RETURN QUERY SELECT 'not_a_pending_transfer'::TEXT, NULL::BIGINT, NULL::TEXT;
    RETURN;
  END IF;
  PERFORM 1 FROM ledger_accounts WHERE id IN (v_pending.debit_account_id, v_pending.credit_account_id)
   ORDER BY id FOR NO KEY UPDATE;
  SELECT * INTO v_pending FROM ledger_transfers WHERE id = v_pending.id FOR UPDATE;
  v_amount := CASE WHEN v_action = 'void' THEN v_pending.amount_minor ELSE coalesce(v_requested, v_pending.amount_minor) END;
  SELECT * INTO v_existing FROM ledger_transfers WHERE idempotency_id = p_request->>'id';
  IF FOUND THEN
    RETURN QUERY SELECT CASE WHEN v_existing.pending_id IS NOT DISTINCT FROM v_pending.id AND v_existing.phase = v_action
                              AND v_existing.amount_minor = v_amount
                             THEN 'exists' ELSE 'exists_with_different_fields' END,
                        v_existing.id, v_existing.state;
    RETURN;
  END IF;
  IF v_pending.state <> 'pending' THEN
    RETURN QUERY SELECT 'pending_transfer_already_' || v_pending.state, NULL::BIGINT, NULL::TEXT;
    RETURN;
  END IF;
  IF v_action = 'post' AND v_pending.timeout_at <= v_now THEN
    RETURN QUERY SELECT 'pending_transfer_expired'::TEXT, NULL::BIGINT, NULL::TEXT;
    RETURN;
  END IF;
  IF v_action = 'void' AND v_requested IS NOT NULL AND v_requested <> v_pending.amount_minor THEN
    RETURN QUERY SELECT 'void_amount_must_be_pending_amount'::TEXT, NULL::BIGINT, NULL::TEXT;
    RETURN;
  END IF;
  IF v_amount > v_pending.amount_minor THEN
    RETURN QUERY SELECT 'exceeds_pending_transfer_amount'::TEXT, NULL::BIGINT, NULL::TEXT;
    RETURN;
  END IF;
  INSERT INTO ledger_transfers (idempotency_id, debit_account_id, credit_account_id, amount_minor, currency, code,
                                phase, state, pending_id, chain_id, created_at)
  VALUES (p_request->>'id', v_pending.debit_account_id, v_pending.credit_account_id, v_amount, v_pending.currency,
          v_pending.code, v_action, CASE WHEN v_action = 'post' THEN 'posted' ELSE 'voided' END, v_pending.id,
          NULL, v_now)
  RETURNING id INTO v_id;
  UPDATE ledger_transfers SET state = CASE WHEN v_action = 'post' THEN 'posted' ELSE 'voided' END, resolved_at = v_now
   WHERE id = v_pending.id;
  -- The pending amount leaves the pending balances; what is posted enters the posted ones
  -- (maintained by flagged accounts only, migration 0012).
  UPDATE ledger_accounts
     SET debits_pending = debits_pending - CASE WHEN id = v_pending.debit_account_id THEN v_pending.amount_minor ELSE 0 END,
         credits_pending = credits_pending - CASE WHEN id = v_pending.credit_account_id THEN v_pending.amount_minor ELSE 0 END,
         debits_posted = debits_posted + CASE WHEN v_action = 'post' AND id = v_pending.debit_account_id THEN v_amount ELSE 0 END,
         credits_posted = credits_posted + CASE WHEN v_action = 'post' AND id = v_pending.credit_account_id THEN v_amount ELSE 0 END
   WHERE id IN (v_pending.debit_account_id, v_pending.credit_account_id)
     AND (debits_must_not_exceed_credits OR credits_must_not_exceed_debits);
  RETURN QUERY SELECT CASE WHEN v_action = 'post' THEN 'posted' ELSE 'voided' END, v_id,
                      CASE WHEN v_action = 'post' THEN 'posted' ELSE 'voided' END;
END;
$$;
