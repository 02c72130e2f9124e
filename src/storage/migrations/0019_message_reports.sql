-- Delivery reports to partners (decision 45). A message records the endpoint it was sent
-- through (null for the platform's own messages: codes, PINs, prompts); the statement that
-- ends one of a partner's messages queues its report in the outbox, so a report is never
-- lost nor sent for a message that did not end.
ALTER TABLE messages ADD COLUMN endpoint_id BIGINT REFERENCES endpoints (id);

-- An event whose handler kept failing past its topic's retry window is a dead letter: kept,
-- never claimed again, listed for the operator and sent again on request.
-- A topic's retry window counts from when the event was queued, or from the operator's
-- request to send it again (retrying_since).
ALTER TABLE outbox_events ADD COLUMN dead_at TIMESTAMPTZ, ADD COLUMN retrying_since TIMESTAMPTZ;
DROP INDEX outbox_undelivered;
CREATE INDEX outbox_undelivered ON outbox_events (available_at) WHERE delivered_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_dead_letters ON outbox_events (dead_at, id) WHERE dead_at IS NOT NULL AND delivered_at IS NULL;
