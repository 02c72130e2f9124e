-- What the spending items of a reservation batch do to their subscribers' spend rows,
-- computed over the whole batch instead of one upsert per item. p_spenders: the items that
-- count against limits (their payment row is new, the subscriber is not blocked and not a
-- test subscriber). Per subscriber and currency, items are taken in (ClientReference, i)
-- order, the order reserve_charge would see them in, with the running sum r of their
-- amounts (a window function). With E already spent in the item's period, an item fits
-- while E + r stays within each limit that applies; amounts are positive, so the items that
-- fit are a prefix and the first that does not is refused, as reserve_charge refuses it.
-- After it, reserve_charge would still accept a later, smaller item that fits beside the
-- accepted sum; this answers such a group as `unusual` (its caller then reserves the batch
-- item by item) and otherwise every later item is refused too, each for the period it
-- exceeds first (monthly before yearly, as reserve_charge checks).
-- Periods only move forward, as in reserve_charge: an item dated in a period the row has
-- left counts against nothing and checks nothing. The caller guarantees one set of periods
-- and limits per subscriber and currency in a batch.
-- p_rows_are_new: answer as if no spend row existed (E = 0), for the rows the caller is
-- about to insert; otherwise from the rows in subscriber_spend, which the caller has locked.
-- p_items: the batch's items, read once from its JSON by reserve_charges.
-- Each row carries its group's new spend row (month and year period and spent) and the
-- accepted sum: a group with nothing accepted leaves its row as it is.
CREATE OR REPLACE FUNCTION reserve_charges_spend(p_items reserve_charge_item[], p_spenders INTEGER[], p_rows_are_new BOOLEAN)
RETURNS TABLE (i INTEGER, msisdn TEXT, currency TEXT, refusal TEXT, unusual BOOLEAN, accepted_minor BIGINT,
               month_period TEXT, month_spent_minor BIGINT, year_period TEXT, year_spent_minor BIGINT)
LANGUAGE sql STABLE AS $$
  WITH c AS (
    SELECT x.i, x.msisdn, x.currency, x.amount_minor AS a, x.month_period AS pm, x.month_limit AS lm,
           x.year_period AS py, x.year_limit AS ly,
           sum(x.amount_minor) OVER (w ROWS UNBOUNDED PRECEDING) AS r,
           min(x.amount_minor) OVER (w ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS rest_min
      FROM unnest(p_items) AS x
     WHERE x.i = ANY (p_spenders)
    WINDOW w AS (PARTITION BY x.msisdn, x.currency ORDER BY x.client_reference, x.i)
  ), e AS (
    SELECT c.*, s.month_period AS rm, s.month_spent_minor AS sm, s.year_period AS ry, s.year_spent_minor AS sy,
           (s.month_period IS NULL OR c.pm COLLATE "C" >= s.month_period COLLATE "C") AS m_counts,
           CASE WHEN c.pm = s.month_period THEN s.month_spent_minor ELSE 0 END AS em,
           (s.year_period IS NULL OR c.py COLLATE "C" >= s.year_period COLLATE "C") AS y_counts,
           CASE WHEN c.py = s.year_period THEN s.year_spent_minor ELSE 0 END AS ey
      -- LATERAL … LIMIT 1: one lookup in the primary key per item, whatever the statistics say.
      FROM c LEFT JOIN LATERAL (
        SELECT t.month_period, t.month_spent_minor, t.year_period, t.year_spent_minor FROM subscriber_spend AS t
         WHERE NOT p_rows_are_new AND t.msisdn = c.msisdn AND t.currency = c.currency LIMIT 1) AS s ON true
  ), f AS (
    SELECT e.*,
           (NOT m_counts OR lm < 0 OR em + r <= lm) AND (NOT y_counts OR ly < 0 OR ey + r <= ly) AS fits,
           (NOT m_counts OR lm < 0 OR em + r - a <= lm) AND (NOT y_counts OR ly < 0 OR ey + r - a <= ly) AS previous_fits
      FROM e
  ), g AS (
    SELECT f.*, coalesce(max(r) FILTER (WHERE fits) OVER (PARTITION BY f.msisdn, f.currency), 0) AS accepted
      FROM f
  )
  SELECT g.i, g.msisdn, g.currency,
         CASE WHEN fits THEN NULL
              WHEN m_counts AND lm >= 0 AND em + accepted + a > lm THEN 'limit_monthly'
              ELSE 'limit_yearly' END,
         -- The first refused item, followed by one small enough to fit beside the accepted sum.
         NOT fits AND previous_fits
           AND (NOT m_counts OR lm < 0 OR em + accepted + rest_min <= lm)
           AND (NOT y_counts OR ly < 0 OR ey + accepted + rest_min <= ly),
         accepted,
         CASE WHEN m_counts THEN pm ELSE rm END, CASE WHEN m_counts THEN em + accepted ELSE sm END,
         CASE WHEN y_counts THEN py ELSE ry END, CASE WHEN y_counts THEN ey + accepted ELSE sy END
    FROM g
$$;
