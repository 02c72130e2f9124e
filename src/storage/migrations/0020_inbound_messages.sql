-- Messages from subscribers to the platform's short codes (MO), routed to the service that
-- owns the short code and keyword (decision 46). A route's keyword is the first word of
-- the text, upper case; '' is the short code's default (any other word, or none).
CREATE TABLE message_routes (
  id           BIGSERIAL PRIMARY KEY,
  short_code   TEXT NOT NULL CHECK (short_code ~ '^[0-9]{3,16}$'),
  keyword      TEXT NOT NULL CHECK (keyword ~ '^[A-Z0-9]{0,20}$'),
  endpoint_id  BIGINT NOT NULL REFERENCES endpoints (id),
  created_at   TIMESTAMPTZ NOT NULL,
  UNIQUE (short_code, keyword)
);

-- Every MO kept, routed or not (a STOP to a short code nobody routes is still a STOP); the
-- statement that stores one queues its message.received event in the outbox.
CREATE TABLE received_messages (
  id           BIGSERIAL PRIMARY KEY,
  msisdn       TEXT NOT NULL,
  short_code   TEXT NOT NULL,
  body         TEXT NOT NULL,
  keyword      TEXT NOT NULL,
  route_id     BIGINT REFERENCES message_routes (id),
  endpoint_id  BIGINT REFERENCES endpoints (id),
  received_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX received_messages_by_endpoint ON received_messages (endpoint_id, received_at) WHERE endpoint_id IS NOT NULL;
