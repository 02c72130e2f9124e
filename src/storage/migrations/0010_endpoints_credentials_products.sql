-- A merchant owns many API endpoints (one per vendor API it is reached through), each with
-- credentials of several kinds, and products with price plans (decision 35).
--
-- Endpoints: the services table was the Strex Direct Payment shape of one. It is renamed,
-- not copied, so every row keeps its id and every foreign key that pointed at it (payments,
-- verification codes, confirmations, tokens …) points at the endpoint with that id. The
-- API kind and its settings are data: the facades own the list of kinds and each kind's
-- settings schema; the database only bounds their size. Strex's platform moves into the
-- settings, where the Strex facade reads it.
ALTER TABLE services RENAME TO endpoints;
ALTER TABLE endpoints
  ADD COLUMN kind TEXT,
  ADD COLUMN settings JSONB NOT NULL DEFAULT '{}'::jsonb;
UPDATE endpoints SET kind = 'strex-directpay', settings = jsonb_build_object('platform', platform);
ALTER TABLE endpoints
  ALTER COLUMN kind SET NOT NULL,
  ADD CONSTRAINT endpoints_kind_check CHECK (kind ~ '^[a-z][a-z0-9-]{0,39}$'),
  ADD CONSTRAINT endpoints_settings_check CHECK (jsonb_typeof(settings) = 'object' AND length(settings::text) <= 4096),
  DROP COLUMN platform;
ALTER TABLE endpoints RENAME CONSTRAINT services_pkey TO endpoints_pkey;
ALTER TABLE endpoints RENAME CONSTRAINT services_merchant_id_fkey TO endpoints_merchant_id_fkey;
ALTER INDEX services_merchant RENAME TO endpoints_merchant;
-- A Strex endpoint's id is its serviceId (Int32 on the wire, chosen by the operator), as
-- before. Endpoints of other kinds take theirs from above that range, so the two never meet.
ALTER TABLE endpoints DROP CONSTRAINT services_id_check;
ALTER TABLE endpoints ADD CONSTRAINT endpoints_id_check CHECK (id >= 1);
CREATE SEQUENCE endpoint_ids AS BIGINT START WITH 2147483648 MINVALUE 2147483648 NO CYCLE;

-- The ids a vendor knows an endpoint by (Strex serviceId, Infomedia partner id and PAID …),
-- each name namespaced by its facade. A vendor id names one endpoint platform-wide.
CREATE TABLE endpoint_vendor_ids (
  endpoint_id  BIGINT NOT NULL REFERENCES endpoints(id),
  name         TEXT NOT NULL CHECK (name ~ '^[a-z][a-z0-9-]{0,39}$'),
  value        TEXT NOT NULL CHECK (length(value) BETWEEN 1 AND 100),
  PRIMARY KEY (name, value),
  UNIQUE (endpoint_id, name)
);
INSERT INTO endpoint_vendor_ids (endpoint_id, name, value) SELECT id, 'strex-service-id', id::text FROM endpoints;

-- Credentials: the service credentials were HTTP Basic on a service id. Renamed the same
-- way (credential_sources keeps pointing at the same ids, so a merchant's known sources
-- survive). identifier is what a request names the credential by: the username, an OAuth2
-- client id, an API key's id part. secret_hash is an scrypt hash, or SHA-256 for secrets
-- the platform generated itself (decision 35).
ALTER TABLE service_credentials RENAME TO credentials;
ALTER TABLE credentials RENAME COLUMN service_id TO endpoint_id;
ALTER TABLE credentials RENAME COLUMN username TO identifier;
ALTER TABLE credentials RENAME COLUMN password_hash TO secret_hash;
ALTER TABLE credentials RENAME CONSTRAINT service_credentials_pkey TO credentials_pkey;
ALTER TABLE credentials RENAME CONSTRAINT service_credentials_service_id_fkey TO credentials_endpoint_id_fkey;
ALTER TABLE credentials DROP CONSTRAINT service_credentials_service_id_username_key;
ALTER TABLE credentials
  ADD COLUMN kind TEXT NOT NULL DEFAULT 'basic'
    CHECK (kind IN ('basic', 'password', 'shared-secret', 'oauth2-client', 'api-key')),
  ADD COLUMN allowed_cidrs TEXT[] NOT NULL DEFAULT '{}' CHECK (cardinality(allowed_cidrs) <= 64),
  ADD COLUMN rotated_at TIMESTAMPTZ;
-- Every row before this one was HTTP Basic; from here on the code says which kind.
ALTER TABLE credentials ALTER COLUMN kind DROP DEFAULT;
-- HTTP Basic is named within its endpoint (the serviceId is in the URL): the lookup of the
-- login path, as UNIQUE (service_id, username) was. The other kinds arrive without an
-- endpoint id, so their identifiers are unique platform-wide. Revoked rows stay as history.
CREATE UNIQUE INDEX credentials_per_endpoint ON credentials (endpoint_id, identifier) WHERE revoked_at IS NULL AND kind = 'basic';
CREATE UNIQUE INDEX credentials_platform_wide ON credentials (kind, identifier) WHERE revoked_at IS NULL AND kind <> 'basic';
CREATE INDEX credentials_endpoint ON credentials (endpoint_id);

-- Products a merchant sells and their price plans. Ids may be given (a vendor's product
-- id, e.g. an Infomedia SID or BPID, below 1e9) or are taken from above that.
CREATE SEQUENCE product_ids AS BIGINT START WITH 1000000000 MINVALUE 1000000000 NO CYCLE;
CREATE TABLE products (
  id           BIGINT PRIMARY KEY DEFAULT nextval('product_ids') CHECK (id >= 1),
  merchant_id  BIGINT NOT NULL REFERENCES merchants(id),
  name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX products_merchant ON products (merchant_id, id);

CREATE SEQUENCE price_plan_ids AS BIGINT START WITH 1000000000 MINVALUE 1000000000 NO CYCLE;
-- Once-off: a price. Recurring: a price every period_count period_units, after an optional
-- free trial of trial_days. Bounded so that a period is at most a year.
CREATE TABLE price_plans (
  id            BIGINT PRIMARY KEY DEFAULT nextval('price_plan_ids') CHECK (id >= 1),
  product_id    BIGINT NOT NULL REFERENCES products(id),
  billing       TEXT NOT NULL CHECK (billing IN ('once', 'recurring')),
  amount_minor  BIGINT NOT NULL CHECK (amount_minor > 0 AND amount_minor <= 1000000000000),
  currency      CHAR(3) NOT NULL,
  period_unit   TEXT CHECK (period_unit IN ('day', 'week', 'month')),
  period_count  INTEGER,
  trial_days    INTEGER NOT NULL DEFAULT 0 CHECK (trial_days BETWEEN 0 AND 365),
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK (
    (billing = 'once' AND period_unit IS NULL AND period_count IS NULL AND trial_days = 0)
    OR (billing = 'recurring' AND (
      (period_unit = 'day' AND period_count BETWEEN 1 AND 366)
      OR (period_unit = 'week' AND period_count BETWEEN 1 AND 52)
      OR (period_unit = 'month' AND period_count BETWEEN 1 AND 12)))
  )
);
CREATE INDEX price_plans_product ON price_plans (product_id, id);
