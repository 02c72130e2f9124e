-- The items of a reservation batch as typed rows: the one place that names the JSON fields
-- the repository sends (src/storage/repositories/payments.ts, reserveArgs). `status` is the
-- initial status TypeScript decided (paid at once or pending), reserved_at the platform clock's
-- time of the item (decision 38); an item without needs_confirmation needs none. A plain SQL
-- function, so the planner inlines it; its rows are of the type reserve_charge_item (migration
-- 0016), so reserve_charges can keep them in an array.
CREATE OR REPLACE FUNCTION reserve_charge_items(p_items JSONB)
RETURNS SETOF reserve_charge_item
LANGUAGE sql IMMUTABLE AS $$
  SELECT x.i, x.service_id, x.merchant_id, x.client_reference, x.details_hash, x.msisdn, x.operator,
         x.amount_minor, x.currency, x.service_code, x.test_subscriber, x.status, x.month_period,
         x.month_limit, x.year_period, x.year_limit, x.debit_account, x.credit_account, x.details,
         coalesce(x.needs_confirmation, false), x.reserved_at
    FROM jsonb_to_recordset(p_items) AS x(
      i INTEGER, service_id BIGINT, merchant_id BIGINT, client_reference TEXT, details_hash TEXT,
      msisdn TEXT, operator TEXT, amount_minor BIGINT, currency TEXT, service_code TEXT,
      test_subscriber BOOLEAN, status TEXT, month_period TEXT, month_limit BIGINT,
      year_period TEXT, year_limit BIGINT, debit_account TEXT, credit_account TEXT, details JSONB,
      needs_confirmation BOOLEAN, reserved_at TIMESTAMPTZ)
$$;
