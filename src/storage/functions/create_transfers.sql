-- Creates a batch of single-phase or pending transfers, all or nothing per linked chain,
-- in one transaction. p_batch: {"now": timestamptz, "transfers": [{i, id, debit, credit,
-- amount_minor, currency, code, pending, timeout_at, chain}]} with accounts by code; at
-- most 64 transfers. The accounts are locked first, in id order, so concurrent batches
-- cannot deadlock on them and each sees the others' committed transfers (an identical
-- retry answers exists with the first transfer). The batch is applied as one set
-- (apply_transfers); if that breaks a balance flag, chain by chain
-- (apply_transfer_chains). Answers one row per transfer.
CREATE OR REPLACE FUNCTION create_transfers(p_batch JSONB)
RETURNS TABLE (item INTEGER, outcome TEXT, transfer_id BIGINT, transfer_state TEXT)
LANGUAGE plpgsql AS $$
DECLARE
  v_now TIMESTAMPTZ := (p_batch->>'now')::timestamptz;
  v_items JSONB := p_batch->'transfers';
  v_results JSONB;
  v_attempt INTEGER;
BEGIN
  IF v_now IS NULL OR jsonb_typeof(v_items) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'create_transfers: now and a transfers array are required';
  END IF;
  IF jsonb_array_length(v_items) NOT BETWEEN 1 AND 64 THEN
    RAISE EXCEPTION 'create_transfers: 1 to 64 transfers, got %', jsonb_array_length(v_items);
  END IF;
  PERFORM 1 FROM ledger_accounts
   WHERE code IN (SELECT e->>'debit' FROM jsonb_array_elements(v_items) e UNION SELECT e->>'credit' FROM jsonb_array_elements(v_items) e)
   ORDER BY id FOR NO KEY UPDATE;
  FOR v_attempt IN 1 .. 3 LOOP
    BEGIN
      BEGIN
        v_results := apply_transfers(v_items, v_now);
      EXCEPTION WHEN check_violation THEN
        v_results := apply_transfer_chains(v_items, v_now);
      END;
      RETURN QUERY SELECT r.i, r.outcome, r.transfer_id, r.state
        FROM jsonb_to_recordset(v_results) AS r(i INTEGER, outcome TEXT, transfer_id BIGINT, state TEXT) ORDER BY r.i;
      RETURN;
    EXCEPTION WHEN SQLSTATE 'OD002' THEN
      -- A concurrent transaction took one of the ids after this one looked: the next attempt sees it.
      NULL;
    END;
  END LOOP;
  RAISE EXCEPTION 'create_transfers: idempotency ids kept being taken concurrently';
END;
$$;
