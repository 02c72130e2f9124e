-- Settles a pending attempt once the operator's answer is known. Legal transitions
-- only: pending → paid (the charge transfer) or pending → failed (spend released). Returns
-- the payment's status afterwards, whoever settled it. p_settled_at: the platform clock's
-- time (decision 38).
CREATE OR REPLACE FUNCTION settle_charge(p_payment_id BIGINT, p_attempt INTEGER, p_status TEXT,
                              p_debit_account TEXT, p_credit_account TEXT, p_settled_at TIMESTAMPTZ)
RETURNS TEXT
LANGUAGE plpgsql AS $$
DECLARE
  v_payment payments%ROWTYPE;
BEGIN
  IF p_status NOT IN ('paid', 'failed') THEN
    RAISE EXCEPTION 'settle_charge: illegal target status %', p_status;
  END IF;
  UPDATE payments SET status = p_status, settled_at = p_settled_at
   WHERE id = p_payment_id AND attempt = p_attempt AND status = 'pending'
  RETURNING * INTO v_payment;
  IF NOT FOUND THEN
    RETURN (SELECT CASE WHEN attempt = p_attempt THEN status ELSE 'superseded' END FROM payments WHERE id = p_payment_id);
  END IF;
  IF p_status = 'paid' THEN
    PERFORM post_payment_transfer('payment:' || v_payment.id || ':charge', p_debit_account, p_credit_account,
                                  v_payment.amount_minor, v_payment.currency, 'charge', p_settled_at);
  ELSIF NOT v_payment.test_subscriber THEN
    PERFORM release_spend(v_payment.msisdn, v_payment.currency, v_payment.month_period,
                          v_payment.year_period, v_payment.amount_minor);
  END IF;
  RETURN p_status;
END;
$$;
