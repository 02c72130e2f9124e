-- The charge a PIN approved moves out of charge_pins into a table of its own (decision 50).
-- A guess then writes no indexed column of charge_pins (attempts and used_at only), so its
-- update is HOT: no new index entries in the table's three indexes; the UNIQUE index on
-- transaction_id made every guess write all four. The pages keep room for a PIN's updates
-- (at most MAX_PIN_ATTEMPTS of them) so that the new row version fits beside the old.
CREATE TABLE charge_pin_uses (
  -- The charge the PIN approved, by the id its endpoint knows it by (the payment's idempotency key).
  transaction_id  UUID PRIMARY KEY,
  -- The PIN and its endpoint (the lookup is scoped by it), both taken from the PIN's row by the
  -- statement that uses it. No foreign keys: the values come from that row, and a key's check
  -- is a query per row, which measured a third of judging a batch's guesses. The use stays a
  -- record of the transaction id should the PIN's row be deleted one day.
  pin_id          BIGINT NOT NULL,
  endpoint_id     BIGINT NOT NULL
);
INSERT INTO charge_pin_uses (transaction_id, pin_id, endpoint_id)
  SELECT transaction_id, id, endpoint_id FROM charge_pins WHERE transaction_id IS NOT NULL;
-- Drops its UNIQUE index and the CHECK that paired it with used_at.
ALTER TABLE charge_pins DROP COLUMN transaction_id;
ALTER TABLE charge_pins SET (fillfactor = 50);
