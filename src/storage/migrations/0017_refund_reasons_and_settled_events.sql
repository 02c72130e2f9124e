-- Why a payment was refunded, as its endpoint's API names the reason (decision 39): one
-- row per payment, written after the reversal that refunded it; the primary key keeps
-- the first reason when two refunds race.
CREATE TABLE payment_refund_reasons (
  payment_id   BIGINT PRIMARY KEY REFERENCES payments(id),
  reason_code  TEXT NOT NULL CHECK (reason_code ~ '^[0-9A-Za-z]{1,8}$'),
  recorded_at  TIMESTAMPTZ NOT NULL
);

-- A payment that left pending (settled as paid or failed, by the request or later by
-- settlement) is announced as payment.settled in the transaction that settled it, so a
-- notification of the outcome can follow a bill that was answered pending. A trigger,
-- because every settling path (settle_charge and the functions built on it) ends in
-- this one status change; the event is stamped with the settlement's own time.
CREATE FUNCTION payment_settled_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO outbox_events (topic, payload, created_at, available_at)
  VALUES ('payment.settled',
          jsonb_build_object('paymentId', NEW.id, 'serviceId', NEW.service_id, 'merchantId', NEW.merchant_id,
                             'clientReference', NEW.client_reference, 'msisdn', NEW.msisdn, 'operator', NEW.operator,
                             'amountMinor', NEW.amount_minor::TEXT, 'currency', NEW.currency, 'status', NEW.status),
          COALESCE(NEW.settled_at, NEW.created_at), COALESCE(NEW.settled_at, NEW.created_at));
  RETURN NULL;
END;
$$;

CREATE TRIGGER payments_settled_event AFTER UPDATE OF status ON payments
  FOR EACH ROW WHEN (OLD.status = 'pending' AND NEW.status IN ('paid', 'failed'))
  EXECUTE FUNCTION payment_settled_event();
