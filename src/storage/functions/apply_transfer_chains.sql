-- The unusual path of create_transfers, after the batch as a whole broke a balance flag:
-- each chain (an unlinked transfer is a chain of one) is applied in a subtransaction of
-- its own, in batch order, so only the chains that break a flag fail. In a failed chain
-- of several, the transfer that broke it is found by applying its members one by one
-- (then rolled back): it answers exceeds_credits or exceeds_debits, the others
-- linked_event_failed. Any other error propagates.
CREATE OR REPLACE FUNCTION apply_transfer_chains(p_items JSONB, p_now TIMESTAMPTZ)
RETURNS JSONB
LANGUAGE plpgsql AS $$
DECLARE
  v_chain RECORD;
  v_results JSONB := '[]'::jsonb;
  v_constraint TEXT;
  v_culprit INTEGER;
  v_k INTEGER;
BEGIN
  FOR v_chain IN
    SELECT jsonb_agg(e ORDER BY (e->>'i')::int) AS items
      FROM jsonb_array_elements(p_items) AS e
     GROUP BY coalesce(e->>'chain', e->>'id')
     ORDER BY min((e->>'i')::int)
  LOOP
    BEGIN
      v_results := v_results || apply_transfers(v_chain.items, p_now);
    EXCEPTION WHEN check_violation THEN
      GET STACKED DIAGNOSTICS v_constraint = CONSTRAINT_NAME;
      IF v_constraint NOT IN ('ledger_accounts_exceeds_credits', 'ledger_accounts_exceeds_debits') THEN
        RAISE;
      END IF;
      v_culprit := 0;
      IF jsonb_array_length(v_chain.items) > 1 THEN
        BEGIN
          FOR v_k IN 0 .. jsonb_array_length(v_chain.items) - 1 LOOP
            v_culprit := v_k;
            PERFORM apply_transfers(jsonb_build_array(v_chain.items->v_k), p_now);
          END LOOP;
          RAISE EXCEPTION 'apply_transfer_chains: a probe is always undone' USING ERRCODE = 'OD003';
        EXCEPTION
          WHEN check_violation THEN GET STACKED DIAGNOSTICS v_constraint = CONSTRAINT_NAME;
          WHEN SQLSTATE 'OD003' THEN NULL;
        END;
      END IF;
      v_results := v_results || (
        SELECT jsonb_agg(jsonb_build_object(
                 'i', (e->>'i')::int,
                 'outcome', CASE WHEN ord - 1 <> v_culprit THEN 'linked_event_failed'
                                 WHEN v_constraint = 'ledger_accounts_exceeds_credits' THEN 'exceeds_credits'
                                 ELSE 'exceeds_debits' END,
                 'transfer_id', NULL, 'state', NULL) ORDER BY ord)
          FROM jsonb_array_elements(v_chain.items) WITH ORDINALITY AS t(e, ord));
    END;
  END LOOP;
  RETURN v_results;
END;
$$;
