-- How the consent behind a PreAuthorize token was given: 'prompted' (the subscriber
-- confirmed on the handset, SecurityLevel 2) or 'merchant_asserted' (SecurityLevel 1: the
-- merchant says it has the consent by its own means, and no prompt was sent). Every token
-- issued before this migration was prompted; afterwards the code must say which, so the
-- default only fills the existing rows.
ALTER TABLE authorization_tokens
  ADD COLUMN consent TEXT NOT NULL DEFAULT 'prompted' CHECK (consent IN ('prompted', 'merchant_asserted'));
ALTER TABLE authorization_tokens ALTER COLUMN consent DROP DEFAULT;

-- The subscriber's own list of consents reads by MSISDN alone, across services.
CREATE INDEX authorization_tokens_msisdn ON authorization_tokens (msisdn, id);
