-- Opens the unflagged accounts payments post between (merchant:{id}:{cur},
-- operator:{mcc-mnc}:{cur}, test-operator:…) that do not exist yet: owner kind, id and
-- currency read from the name (kind:id:currency; a hyphen in the kind becomes _). Called
-- only when a payment names an account no transfer has used before; an account opened
-- concurrently is left as it is (ON CONFLICT DO NOTHING). At most 128 names: two per item
-- of a batch of 64.
CREATE OR REPLACE FUNCTION open_payment_accounts(p_codes TEXT[], p_currencies TEXT[], p_at TIMESTAMPTZ)
RETURNS VOID
LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(p_codes) > 128 OR cardinality(p_codes) <> cardinality(p_currencies) THEN
    RAISE EXCEPTION 'open_payment_accounts: at most 128 names, each with its currency';
  END IF;
  INSERT INTO ledger_accounts (code, owner_kind, owner_id, currency, debits_must_not_exceed_credits,
                               credits_must_not_exceed_debits, created_at)
  SELECT DISTINCT ON (k.code) k.code, replace(split_part(k.code, ':', 1), '-', '_'), split_part(k.code, ':', 2),
         k.currency, false, false, p_at
    FROM unnest(p_codes, p_currencies) AS k(code, currency)
   ORDER BY k.code
  ON CONFLICT (code) DO NOTHING;
END;
$$;
