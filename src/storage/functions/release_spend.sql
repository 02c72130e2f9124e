-- Gives a payment's amount back to the spend of its periods, where they are still current.
CREATE OR REPLACE FUNCTION release_spend(p_msisdn TEXT, p_currency TEXT, p_month_period TEXT, p_year_period TEXT, p_amount_minor BIGINT)
RETURNS VOID
LANGUAGE sql AS $$
  UPDATE subscriber_spend
     SET month_spent_minor = month_spent_minor - CASE WHEN month_period = p_month_period THEN p_amount_minor ELSE 0 END,
         year_spent_minor = year_spent_minor - CASE WHEN year_period = p_year_period THEN p_amount_minor ELSE 0 END
   WHERE msisdn = p_msisdn AND currency = p_currency;
$$;
