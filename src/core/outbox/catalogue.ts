import { isCurrency, type Currency } from '../../kernel/money.js';

/**
 * Every outbox topic with its payload, in one place: the SQL functions and services that
 * write events and the handlers that deliver them agree on these shapes. Payloads are
 * JSON: amounts travel as decimal strings of minor units (JSON numbers lose bigints).
 */

/** A payment's state change (enqueue_payment_event): a record of what happened. */
export interface PaymentEventPayload {
  readonly paymentId: number;
  readonly serviceId: number;
  readonly merchantId: number;
  readonly clientReference: string;
  readonly msisdn: string;
  /** The operator the payment was charged through (its MCC/MNC). */
  readonly operator?: string | undefined;
  readonly amountMinor: string;
  readonly currency: Currency;
  /** The operator's reference of the attempt's debit (payment id and attempt). */
  readonly debitReference?: string | undefined;
}

/** A payment that left pending, and how it ended (payment_settled_event). */
export interface PaymentSettledPayload extends PaymentEventPayload {
  readonly status: 'paid' | 'failed';
}

/** Give a debit back at the operator: queued once per debit reference. */
export interface CarrierCreditPayload {
  readonly debitReference: string;
  readonly msisdn: string;
  readonly amountMinor: string;
  readonly currency: Currency;
}

/** An SMS to a subscriber; its text may be a secret (a code), erased once delivered. */
export interface SmsSendPayload {
  readonly to: string;
  readonly from: string;
  readonly text: string;
}

/** A subscription's change of state: what merchants' subscribe and unsubscribe notifications are made from. */
export interface SubscriptionEventPayload {
  readonly subscriptionId: number;
  readonly merchantId: number;
  readonly endpointId: number;
  readonly productId: number;
  readonly planId: number;
  readonly msisdn: string;
  readonly state: string;
  /** Why it ended; only on a cancellation. */
  readonly reason?: string | undefined;
  /** The injected clock's time of the change, ISO 8601. */
  readonly at: string;
}

/** How a message of a merchant's endpoint ended: what its delivery report to the merchant is made from. */
export interface MessageReportPayload {
  readonly messageId: number;
  readonly endpointId: number;
  readonly merchantId: number;
  /** The merchant's key of the submission and the recipient's place in it. */
  readonly submissionKey: string;
  readonly recipientIndex: number;
  /** The merchant's campaign id, when it gave one. */
  readonly campaign: string | null;
  readonly msisdn: string;
  readonly status: MessageEnd;
  /** When it ended, ISO 8601. */
  readonly at: string;
}

/** A message from a subscriber to a short code, kept: what hooks (STOP) and the owner's MO forward are made from. */
export interface MessageReceivedPayload {
  readonly receivedId: number;
  /** The route's endpoint and its merchant; null: nobody routes the short code and keyword. */
  readonly endpointId: number | null;
  readonly merchantId: number | null;
  readonly msisdn: string;
  readonly shortCode: string;
  /** The first word, upper case ('' when it is none). */
  readonly keyword: string;
  readonly text: string;
  readonly at: string;
}

export const MESSAGE_ENDS = ['delivered', 'failed', 'expired'] as const;
export type MessageEnd = (typeof MESSAGE_ENDS)[number];

export interface OutboxPayloads {
  'payment.pending': PaymentEventPayload;
  'payment.paid': PaymentEventPayload;
  'payment.failed': PaymentEventPayload;
  'payment.reversed': PaymentEventPayload;
  'payment.settled': PaymentSettledPayload;
  'carrier.credit': CarrierCreditPayload;
  'sms.send': SmsSendPayload;
  'subscription.started': SubscriptionEventPayload;
  'subscription.activated': SubscriptionEventPayload;
  'subscription.cancelled': SubscriptionEventPayload;
  'message.reported': MessageReportPayload;
  'message.received': MessageReceivedPayload;
}
export type OutboxTopic = keyof OutboxPayloads;

type Json = Readonly<Record<string, unknown>>;

/** A stored payload that does not have its topic's shape: delivery fails and says which field. */
export class OutboxPayloadError extends Error {}

function text(payload: Json, field: string): string {
  const value = payload[field];
  if (typeof value !== 'string') throw new OutboxPayloadError(`${field} is not a string`);
  return value;
}

function id(payload: Json, field: string): number {
  const value = payload[field];
  if (!Number.isSafeInteger(value)) throw new OutboxPayloadError(`${field} is not an integer`);
  return value as number;
}

function amountMinor(payload: Json): string {
  const value = text(payload, 'amountMinor');
  if (!/^[0-9]{1,19}$/.test(value)) throw new OutboxPayloadError('amountMinor is not a whole number of minor units');
  return value;
}

function currency(payload: Json): Currency {
  const value = text(payload, 'currency');
  if (!isCurrency(value)) throw new OutboxPayloadError('currency is not a known currency');
  return value;
}

function paymentEvent(payload: Json): PaymentEventPayload {
  const debitReference = payload.debitReference === undefined ? undefined : text(payload, 'debitReference');
  const operator = payload.operator === undefined ? undefined : text(payload, 'operator');
  return {
    paymentId: id(payload, 'paymentId'),
    serviceId: id(payload, 'serviceId'),
    merchantId: id(payload, 'merchantId'),
    clientReference: text(payload, 'clientReference'),
    msisdn: text(payload, 'msisdn'),
    operator,
    amountMinor: amountMinor(payload),
    currency: currency(payload),
    debitReference,
  };
}

function subscriptionEvent(payload: Json): SubscriptionEventPayload {
  const reason = payload.reason === undefined ? undefined : text(payload, 'reason');
  return {
    subscriptionId: id(payload, 'subscriptionId'),
    merchantId: id(payload, 'merchantId'),
    endpointId: id(payload, 'endpointId'),
    productId: id(payload, 'productId'),
    planId: id(payload, 'planId'),
    msisdn: text(payload, 'msisdn'),
    state: text(payload, 'state'),
    reason,
    at: text(payload, 'at'),
  };
}

function messageReport(payload: Json): MessageReportPayload {
  const status = text(payload, 'status');
  if (!(MESSAGE_ENDS as readonly string[]).includes(status)) throw new OutboxPayloadError('status is not how a message ends');
  const campaign = payload.campaign === null || payload.campaign === undefined ? null : text(payload, 'campaign');
  return {
    messageId: id(payload, 'messageId'),
    endpointId: id(payload, 'endpointId'),
    merchantId: id(payload, 'merchantId'),
    submissionKey: text(payload, 'submissionKey'),
    recipientIndex: id(payload, 'recipientIndex'),
    campaign,
    msisdn: text(payload, 'msisdn'),
    status: status as MessageEnd,
    at: text(payload, 'at'),
  };
}

function nullableId(payload: Json, field: string): number | null {
  return payload[field] === null || payload[field] === undefined ? null : id(payload, field);
}

function messageReceived(payload: Json): MessageReceivedPayload {
  return {
    receivedId: id(payload, 'receivedId'),
    endpointId: nullableId(payload, 'endpointId'),
    merchantId: nullableId(payload, 'merchantId'),
    msisdn: text(payload, 'msisdn'),
    shortCode: text(payload, 'shortCode'),
    keyword: text(payload, 'keyword'),
    text: text(payload, 'text'),
    at: text(payload, 'at'),
  };
}

function settledStatus(payload: Json): 'paid' | 'failed' {
  const value = text(payload, 'status');
  if (value !== 'paid' && value !== 'failed') throw new OutboxPayloadError('status is neither paid nor failed');
  return value;
}

const DECODERS: { readonly [T in OutboxTopic]: (payload: Json) => OutboxPayloads[T] } = {
  'payment.pending': paymentEvent,
  'payment.paid': paymentEvent,
  'payment.failed': paymentEvent,
  'payment.reversed': paymentEvent,
  'payment.settled': (p) => ({ ...paymentEvent(p), status: settledStatus(p) }),
  'carrier.credit': (p) => ({ debitReference: text(p, 'debitReference'), msisdn: text(p, 'msisdn'), amountMinor: amountMinor(p), currency: currency(p) }),
  'sms.send': (p) => ({ to: text(p, 'to'), from: text(p, 'from'), text: text(p, 'text') }),
  'subscription.started': subscriptionEvent,
  'subscription.activated': subscriptionEvent,
  'subscription.cancelled': subscriptionEvent,
  'message.reported': messageReport,
  'message.received': messageReceived,
};

export const OUTBOX_TOPICS = Object.keys(DECODERS) as readonly OutboxTopic[];

export function isOutboxTopic(topic: string): topic is OutboxTopic {
  return Object.hasOwn(DECODERS, topic);
}

/** The payload of a stored event, checked against its topic's shape. */
export function decodePayload<T extends OutboxTopic>(topic: T, payload: Json): OutboxPayloads[T] {
  return DECODERS[topic](payload);
}
