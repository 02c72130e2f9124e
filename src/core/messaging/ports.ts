import type { Msisdn } from '../../kernel/msisdn.js';
import type { SmsEncoding } from './encoding.js';
import type { MessageState } from './states.js';

export interface SmsMessage {
  readonly to: Msisdn;
  readonly from: string;
  readonly text: string;
  /** Delivery is at least once: the gateway sends one message per key. */
  readonly deliveryKey: string;
  /** The text is a secret (a code, a PIN): it is erased once the message is submitted. */
  readonly secret?: boolean | undefined;
}

/**
 * Sends the platform's own SMS (verification codes, PINs, …). The messaging service
 * implements it: every such message is stored and goes the way partners' messages go.
 */
export interface SmsGateway {
  send(message: SmsMessage): Promise<void>;
}

// ---- The connector side: the SMSC (the sandbox network, SMPP, …) -------------------

/** One stored message as a connector submits it. */
export interface SmsSubmission {
  readonly messageId: number;
  readonly to: Msisdn;
  readonly from: string;
  readonly text: string;
  readonly encoding: SmsEncoding;
}

/**
 * What the SMSC said of a submission. A transient trouble (link down, throttled past
 * the retries, no answer) is thrown instead: the message stays queued and is tried again.
 */
export type SubmitOutcome =
  | { readonly kind: 'accepted'; readonly connectorMessageId: string }
  /** The SMSC refused this message for good (bad destination, …): it fails. */
  | { readonly kind: 'rejected'; readonly reason: string };

export type ReceiptStatus = 'delivered' | 'failed' | 'expired';

export interface DeliveryReceipt {
  readonly connectorMessageId: string;
  readonly status: ReceiptStatus;
  /** The SMSC's error or state word, for failures by reason. */
  readonly reason?: string | undefined;
  readonly receivedAt: Date;
}

/** A message from a subscriber to one of the platform's numbers (short codes). */
export interface MobileOriginated {
  readonly from: Msisdn;
  readonly to: string;
  readonly text: string;
  readonly receivedAt: Date;
}

/** Where a connector hands what the SMSC sends on its own (receipts, MO). */
export interface SmsEvents {
  receipt(receipt: DeliveryReceipt): Promise<void>;
  mobileOriginated(message: MobileOriginated): Promise<void>;
}

export interface SmsConnector {
  /** Names the connector in stored message ids: SMSC ids are unique per SMSC only. */
  readonly name: string;
  /** Connects (an SMPP bind) so that receipts and MO arrive without a send. */
  start(events: SmsEvents): Promise<void>;
  submit(submission: SmsSubmission): Promise<SubmitOutcome>;
  stop(): Promise<void>;
}

// ---- Storage -------------------------------------------------------------------

/** What every stored message has from the start. */
interface MessageAddressing {
  /** null: the platform's own message (a code, a PIN). */
  readonly merchantId: number | null;
  /** The merchant's endpoint it was sent through, which its delivery report goes back to; null: nobody is told. */
  readonly endpointId: number | null;
  readonly campaignId: number | null;
  /** The sender's key of the submission, and the recipient's place in it: one message per pair. */
  readonly submissionKey: string;
  readonly recipientIndex: number;
  readonly to: Msisdn;
  readonly from: string;
  readonly encoding: SmsEncoding;
  readonly segments: number;
  readonly dueAt: Date;
  readonly expiresAt: Date;
}

export interface NewMessage extends MessageAddressing {
  readonly text: string;
  readonly secret: boolean;
  readonly createdAt: Date;
}

export interface ClaimedMessage {
  readonly id: number;
  readonly merchantId: number | null;
  readonly to: Msisdn;
  readonly from: string;
  readonly text: string;
  readonly encoding: SmsEncoding;
  readonly attempts: number;
}

export interface StoredMessage extends MessageAddressing {
  readonly id: number;
  /** null once a secret message was submitted. */
  readonly text: string | null;
  readonly state: MessageState;
  readonly attempts: number;
  readonly connector: string | null;
  readonly connectorMessageId: string | null;
  readonly failureReason: string | null;
  readonly submittedAt: Date | null;
  readonly finishedAt: Date | null;
}

export interface SubmittedMessage {
  readonly id: number;
  readonly connector: string;
  readonly connectorMessageId: string;
}

export type ReceiptOutcome = 'applied' | 'duplicate' | 'unmatched';

export interface MessageStore {
  /**
   * Stores a submission's messages in one statement, all or none: a submission key
   * already used by this owner stores nothing and answers 'duplicate' (a unique index, so
   * two concurrent submissions with one key store one).
   */
  enqueue(messages: readonly NewMessage[]): Promise<{ ids: number[] } | 'duplicate'>;
  /** Claims due queued messages for leaseMs (others skip them); counts an attempt each. */
  claimDue(limit: number, leaseMs: number, at: Date): Promise<ClaimedMessage[]>;
  /** Claims one queued message by id (a platform message sent at once), or null when it is not due or is taken. */
  claim(id: number, leaseMs: number, at: Date): Promise<ClaimedMessage | null>;
  /**
   * queued → submitted with the SMSC's id, a secret's text erased; a receipt that came
   * first is applied in the same statement. Answers the ids it moved.
   */
  markSubmitted(messages: readonly SubmittedMessage[], at: Date): Promise<number[]>;
  /** queued → failed (the SMSC refused it). */
  markRejected(id: number, reason: string, at: Date): Promise<boolean>;
  /** Gives a claim back: due again at retryAt (a transient trouble, a spent throughput budget). */
  release(ids: readonly number[], retryAt: Date): Promise<void>;
  /**
   * Records receipts once per SMSC id and moves each one's submitted message to its final
   * state. Per receipt, in order: 'applied', 'duplicate' (seen before) or 'unmatched'
   * (its submission is not recorded yet: kept, and applied by applyPendingReceipts).
   */
  recordReceipts(connector: string, receipts: readonly DeliveryReceipt[]): Promise<ReceiptOutcome[]>;
  /** Applies kept receipts whose submissions are now recorded; answers how many. */
  applyPendingReceipts(limit: number): Promise<number>;
  /** Deletes kept receipts received before receivedBefore that never found their message (at most limit, the oldest first); answers how many. */
  pruneUnmatchedReceipts(receivedBefore: Date, limit: number): Promise<number>;
  /** queued or submitted messages past their validity → expired; at most limit. */
  expireDue(at: Date, limit: number): Promise<number>;
  find(id: number): Promise<StoredMessage | null>;
  /** A merchant's campaign by its own id, created on first use. */
  campaign(merchantId: number, externalId: string, at: Date): Promise<number>;
  /** Messages queued (not yet submitted), for the queue-depth gauge. */
  queuedCount(): Promise<number>;
}
