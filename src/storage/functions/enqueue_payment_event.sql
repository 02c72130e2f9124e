-- p_at: the platform clock's time (decision 38), when the event is queued and due.
CREATE OR REPLACE FUNCTION enqueue_payment_event(p_topic TEXT, p_payment_id BIGINT, p_at TIMESTAMPTZ)
RETURNS VOID
LANGUAGE sql AS $$
  INSERT INTO outbox_events (topic, payload, created_at, available_at)
  SELECT p_topic, jsonb_build_object(
           'paymentId', id, 'serviceId', service_id, 'merchantId', merchant_id,
           'clientReference', client_reference, 'msisdn', msisdn, 'operator', operator,
           'amountMinor', amount_minor::TEXT, 'currency', currency,
           'debitReference', id || '.' || attempt), p_at, p_at
    FROM payments WHERE id = p_payment_id;
$$;
