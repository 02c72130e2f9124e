-- A reservation batch's item as a row type (reserve_charge_items returns it): reserve_charges
-- reads the batch's JSON once into an array of it, and each of its statements reads the
-- array, instead of parsing the JSON again (a type input per field, about 54 µs for 16
-- items against 16 µs from the array; docs/performance.md). A field added to the items is
-- added here by a later migration (ALTER TYPE … ADD ATTRIBUTE) and to reserve_charge_items.
CREATE TYPE reserve_charge_item AS (
  i INTEGER, service_id BIGINT, merchant_id BIGINT, client_reference TEXT, details_hash TEXT,
  msisdn TEXT, operator TEXT, amount_minor BIGINT, currency TEXT, service_code TEXT,
  test_subscriber BOOLEAN, status TEXT, month_period TEXT, month_limit BIGINT,
  year_period TEXT, year_limit BIGINT, debit_account TEXT, credit_account TEXT, details JSONB,
  needs_confirmation BOOLEAN, reserved_at TIMESTAMPTZ);
