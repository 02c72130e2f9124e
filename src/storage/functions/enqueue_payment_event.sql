CREATE OR REPLACE FUNCTION enqueue_payment_event(p_topic TEXT, p_payment_id BIGINT)
RETURNS VOID
LANGUAGE sql AS $$
  INSERT INTO outbox_events (topic, payload)
  SELECT p_topic, jsonb_build_object(
           'paymentId', id, 'serviceId', service_id, 'merchantId', merchant_id,
           'clientReference', client_reference, 'msisdn', msisdn, 'operator', operator,
           'amountMinor', amount_minor::TEXT, 'currency', currency,
           'debitReference', id || '.' || attempt)
    FROM payments WHERE id = p_payment_id;
$$;
