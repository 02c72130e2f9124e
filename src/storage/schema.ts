import type { ColumnType, Generated } from 'kysely';

/** int8 arrives as string (pg) or bigint/number (PGlite); repositories convert with BigInt(). */
type Int8 = ColumnType<string | number | bigint, string | number | bigint, string | number | bigint>;
/** A bigserial: optional on insert. */
type GeneratedInt8 = ColumnType<string | number | bigint, string | number | bigint | undefined, string | number | bigint>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface Schema {
  merchants: { id: GeneratedInt8; name: string; is_demo: Generated<boolean>; created_at: Timestamp };
  /** An API endpoint of a merchant (the Strex serviceId is a Strex endpoint's id). */
  endpoints: {
    id: Int8;
    merchant_id: Int8;
    kind: string;
    name: string;
    currency: string;
    settings: unknown;
    requires_verified_msisdn: Generated<boolean>;
    created_at: Timestamp;
  };
  endpoint_vendor_ids: { endpoint_id: Int8; name: string; value: string };
  credentials: {
    id: GeneratedInt8;
    endpoint_id: Int8;
    kind: string;
    identifier: string;
    secret_hash: string;
    allowed_cidrs: Generated<string[]>;
    revoked_at: Timestamp | null;
    rotated_at: Timestamp | null;
    created_at: Timestamp;
  };
  products: { id: GeneratedInt8; merchant_id: Int8; name: string; created_at: Timestamp };
  price_plans: {
    id: GeneratedInt8;
    product_id: Int8;
    billing: string;
    amount_minor: Int8;
    currency: string;
    period_unit: string | null;
    period_count: number | null;
    trial_days: Generated<number>;
    created_at: Timestamp;
  };
  login_failures: { key_hash: string; window_started_at: Timestamp; failures: number };
  credential_sources: { credential_id: Int8; source: string; last_verified_at: Timestamp };
  operators: { mcc_mnc: string; name: string; country: string; currency: string };
  blocked_msisdns: { msisdn: string; reason: string; created_at: Timestamp };
  payments: {
    id: GeneratedInt8;
    service_id: Int8;
    merchant_id: Int8;
    client_reference: string;
    details_hash: string;
    msisdn: string;
    operator: string;
    amount_minor: Int8;
    currency: string;
    service_code: string;
    status: string;
    attempt: Generated<number>;
    test_subscriber: boolean;
    needs_confirmation: Generated<boolean>;
    month_period: string;
    year_period: string;
    details: unknown;
    created_at: Timestamp;
    settled_at: Timestamp | null;
    reversed_at: Timestamp | null;
  };
  journal_entries: {
    id: GeneratedInt8;
    payment_id: Int8;
    kind: string;
    debit_account: string;
    credit_account: string;
    amount_minor: Int8;
    currency: string;
    created_at: Timestamp;
  };
  ledger_accounts: {
    id: GeneratedInt8;
    code: string;
    owner_kind: string;
    owner_id: string;
    currency: string;
    debits_must_not_exceed_credits: boolean;
    credits_must_not_exceed_debits: boolean;
    debits_pending: Generated<string>;
    debits_posted: Generated<string>;
    credits_pending: Generated<string>;
    credits_posted: Generated<string>;
    created_at: Timestamp;
  };
  ledger_transfers: {
    id: GeneratedInt8;
    idempotency_id: string;
    debit_account_id: Int8;
    credit_account_id: Int8;
    amount_minor: Int8;
    currency: string;
    code: string;
    phase: string;
    state: string;
    pending_id: Int8 | null;
    chain_id: string | null;
    timeout_at: Timestamp | null;
    created_at: Timestamp;
    resolved_at: Timestamp | null;
    xid: Generated<string>;
  };
  ledger_rollup: {
    singleton: Generated<boolean>;
    rolled_up_below: string;
    rolled_up_at: Timestamp | null;
  };
  subscriber_spend: {
    msisdn: string;
    currency: string;
    month_period: string;
    month_spent_minor: Int8;
    year_period: string;
    year_spent_minor: Int8;
  };
  outbox_events: {
    id: GeneratedInt8;
    topic: string;
    payload: unknown;
    created_at: Timestamp;
    available_at: Timestamp;
    attempts: Generated<number>;
    delivered_at: Timestamp | null;
    last_error: string | null;
    dedupe_key: string | null;
  };
  verification_codes: {
    id: GeneratedInt8;
    service_id: Int8;
    msisdn: string;
    code_hash: string;
    created_at: Timestamp;
    expires_at: Timestamp;
    verification_expires_at: Timestamp | null;
    attempts: Generated<number>;
    used_at: Timestamp | null;
  };
  payment_refund_reasons: { payment_id: Int8; reason_code: string; recorded_at: Timestamp };
  charge_pins: {
    id: GeneratedInt8;
    endpoint_id: Int8;
    msisdn: string;
    product_id: Int8;
    pin_hash: string;
    created_at: Timestamp;
    expires_at: Timestamp;
    attempts: Generated<number>;
    used_at: Timestamp | null;
    transaction_id: string | null;
  };
  verified_msisdns: { service_id: Int8; msisdn: string; verified_at: Timestamp; verified_until: Timestamp | null };
  message_campaigns: { id: GeneratedInt8; merchant_id: Int8; external_id: string; created_at: Timestamp };
  messages: {
    id: GeneratedInt8;
    merchant_id: Int8 | null;
    campaign_id: Int8 | null;
    submission_key: string;
    recipient_index: number;
    msisdn: string;
    sender: string;
    body: string | null;
    secret: boolean;
    encoding: string;
    segments: number;
    state: string;
    due_at: Timestamp;
    expires_at: Timestamp;
    leased_until: Timestamp | null;
    attempts: Generated<number>;
    connector: string | null;
    connector_message_id: string | null;
    failure_reason: string | null;
    created_at: Timestamp;
    submitted_at: Timestamp | null;
    finished_at: Timestamp | null;
  };
  message_receipts: {
    connector: string;
    connector_message_id: string;
    status: string;
    reason: string | null;
    received_at: Timestamp;
    applied: boolean;
  };
  sandbox_messages: { id: GeneratedInt8; msisdn: string; sender: string; text: string; delivery_key: string; received_at: Timestamp };
  confirmation_requests: {
    id: GeneratedInt8;
    service_id: Int8;
    purpose: string;
    payment_id: Int8 | null;
    attempt: number | null;
    msisdn: string;
    channel: string;
    short_number: string | null;
    prompt: string;
    status: Generated<string>;
    created_at: Timestamp;
    expires_at: Timestamp;
    answered_at: Timestamp | null;
  };
  authorization_tokens: {
    id: GeneratedInt8;
    service_id: Int8;
    msisdn: string;
    token_hash: string;
    external_reference: string;
    client_transaction_id: string;
    description: string | null;
    consent: string;
    created_at: Timestamp;
    revoked_at: Timestamp | null;
  };
  purchase_tokens: {
    id: GeneratedInt8;
    token_hash: string;
    endpoint_id: Int8;
    purpose: string;
    product_id: Int8;
    amount_minor: Int8;
    currency: string;
    description: string;
    reference: string;
    operator: string | null;
    msisdn: string | null;
    issued_at: Timestamp;
    expires_at: Timestamp;
    consumed_at: Timestamp | null;
  };
  activity_entries: {
    id: GeneratedInt8;
    merchant_id: Int8;
    endpoint_id: Int8;
    product_id: Int8;
    msisdn: string;
    operator: string | null;
    engagement: string;
    data: unknown;
    occurred_at: Timestamp;
  };
  subscriptions: {
    id: GeneratedInt8;
    merchant_id: Int8;
    endpoint_id: Int8;
    product_id: Int8;
    plan_id: Int8;
    msisdn: string;
    operator: string | null;
    reference: string | null;
    state: string;
    started_at: Timestamp;
    trial_ends_at: Timestamp | null;
    activated_at: Timestamp | null;
    next_charge_at: Timestamp | null;
    cancelled_at: Timestamp | null;
    cancel_reason: string | null;
    updated_at: Timestamp;
  };
}
