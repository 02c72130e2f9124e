import { assert } from '../../kernel/assert.js';
import { Batcher } from '../../kernel/batcher.js';
import type { Clock } from '../../kernel/clock.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import { err, ok, type Result } from '../../kernel/result.js';
import { MAX_SEGMENTS, segment } from './encoding.js';
import type {
  ClaimedMessage,
  DeliveryReceipt,
  MessageStore,
  MobileOriginated,
  NewMessage,
  ReceiptOutcome,
  SmsConnector,
  SmsEvents,
  SmsGateway,
  SmsMessage,
  SubmittedMessage,
} from './ports.js';
import { MerchantThroughput } from './throughput.js';

/** Bounds on what one submission may ask. */
export const MESSAGING_LIMITS = {
  maxRecipients: 10_000,
  maxTextChars: 1_600,
  maxSenderChars: 16,
  maxSubmissionKeyChars: 100,
  /** A schedule further ahead than this is refused (a typo in the year, not a plan). */
  maxScheduleAheadMs: 366 * 24 * 3_600_000,
  /** How long a message may wait for the SMSC and then for its receipt. */
  validityMs: 48 * 3_600_000,
} as const;

const DISPATCH_BATCH = 500;
/** A claim outlives any submit: the connector gives up on an SMSC that does not answer well before. */
const CLAIM_LEASE_MS = 120_000;
const MAX_RETRY_MS = 5 * 60_000;
const THROTTLED_RETRY_MS = 1_000;
/** How long a receipt waits for the record of its submission (which normally follows in milliseconds). */
export const RECEIPT_WAIT_MS = 7 * 24 * 3_600_000;
const PRUNE_BATCH = 1_000;
const RECEIPT_BATCHING = { maxBatchSize: 500, maxBatchesInFlight: 2, maxQueued: 20_000 } as const;
/** Accepted submissions whose ids are not yet stored: beyond this, dispatch waits for the store. */
const MAX_UNRECORDED = 10_000;

export type MessagingError =
  | { readonly kind: 'no_recipients' }
  | { readonly kind: 'too_many_recipients'; readonly max: number }
  | { readonly kind: 'text_empty' }
  | { readonly kind: 'text_too_long'; readonly maxSegments: number; readonly maxChars: number }
  | { readonly kind: 'sender_invalid'; readonly maxChars: number }
  | { readonly kind: 'submission_key_invalid'; readonly maxChars: number }
  | { readonly kind: 'schedule_too_far' }
  /** The submission key was used before by this merchant: nothing is sent again. */
  | { readonly kind: 'duplicate_submission' };

export interface QueueMessages {
  readonly merchantId: number;
  /** The endpoint it came through: each message's delivery report is queued for it when the message ends. */
  readonly endpointId?: number | undefined;
  /** The merchant's unique id of this submission. */
  readonly submissionKey: string;
  readonly recipients: readonly Msisdn[];
  readonly from: string;
  readonly text: string;
  /** The merchant's campaign id, recorded with each message. */
  readonly campaign?: string | undefined;
  /** Not before this time; none or past: now. */
  readonly sendAt?: Date | undefined;
}

export interface QueuedMessages {
  readonly messageIds: readonly number[];
  readonly segmentsEach: number;
}

/** What the messaging path reports, for metrics; every method is cheap and synchronous. */
export interface MessagingObserver {
  queued(count: number): void;
  submitted(count: number): void;
  failed(reason: string): void;
  receipt(status: DeliveryReceipt['status'] | 'unmatched' | 'duplicate'): void;
}

const silentObserver: MessagingObserver = { queued() {}, submitted() {}, failed() {}, receipt() {} };

/** Listens to MO messages (keyword routing, STOP handling plug in here). */
export type MobileOriginatedListener = (message: MobileOriginated) => Promise<void>;

/**
 * Messages: stored first (queued, with their schedule and validity), then claimed by the
 * dispatcher and submitted through the connector, then ended by the SMSC's receipt or by
 * their validity. The platform's own SMS take the same path (send()), only at once.
 */
export class MessagingService implements SmsGateway {
  readonly #throughput: MerchantThroughput;
  readonly #observer: MessagingObserver;
  readonly #unrecorded: SubmittedMessage[] = [];
  readonly #moListeners: MobileOriginatedListener[] = [];
  /** A receipt overtook the record of its submission: applied right after the next record, not only by the dispatcher. */
  #receiptsWaiting = false;
  /** Receipts that arrive together are recorded in one statement. */
  readonly #receipts: Batcher<DeliveryReceipt, ReceiptOutcome>;

  constructor(
    private readonly deps: {
      store: MessageStore;
      connector: SmsConnector;
      clock: Clock;
      /** Submissions a second per merchant (platform messages are not limited). */
      perMerchantPerSecond: number;
      observer?: MessagingObserver | undefined;
    },
  ) {
    this.#throughput = new MerchantThroughput(deps.perMerchantPerSecond, () => deps.clock.now().getTime());
    this.#observer = deps.observer ?? silentObserver;
    this.#receipts = new Batcher(
      async (receipts) => {
        const outcomes = await deps.store.recordReceipts(deps.connector.name, receipts);
        return outcomes.map((value) => ({ status: 'fulfilled' as const, value }));
      },
      RECEIPT_BATCHING,
    );
  }

  get connectorName(): string {
    return this.deps.connector.name;
  }

  /** Connects the connector; its receipts and MO come back here. */
  start(): Promise<void> {
    const events: SmsEvents = { receipt: (r) => this.#receipt(r), mobileOriginated: (m) => this.#mobileOriginated(m) };
    return this.deps.connector.start(events);
  }

  stop(): Promise<void> {
    return this.deps.connector.stop();
  }

  onMobileOriginated(listener: MobileOriginatedListener): void {
    this.#moListeners.push(listener);
  }

  /** A merchant's single or bulk submission, stored in one statement or not at all. */
  async queue(request: QueueMessages): Promise<Result<QueuedMessages, MessagingError>> {
    const refused = checkSubmission(request);
    if (refused) return err(refused);
    const { encoding, parts } = segment(request.text);
    if (parts.length > MAX_SEGMENTS) return err({ kind: 'text_too_long', maxSegments: MAX_SEGMENTS, maxChars: MESSAGING_LIMITS.maxTextChars });
    const now = this.deps.clock.now();
    if (request.sendAt && request.sendAt.getTime() - now.getTime() > MESSAGING_LIMITS.maxScheduleAheadMs) return err({ kind: 'schedule_too_far' });
    const dueAt = request.sendAt && request.sendAt > now ? request.sendAt : now;
    const campaignId = request.campaign === undefined ? null : await this.deps.store.campaign(request.merchantId, request.campaign, now);
    const messages: NewMessage[] = request.recipients.map((to, recipientIndex) => ({
      merchantId: request.merchantId,
      endpointId: request.endpointId ?? null,
      campaignId,
      submissionKey: request.submissionKey,
      recipientIndex,
      to,
      from: request.from,
      text: request.text,
      secret: false,
      encoding,
      segments: parts.length,
      dueAt,
      expiresAt: new Date(dueAt.getTime() + MESSAGING_LIMITS.validityMs),
      createdAt: now,
    }));
    const stored = await this.deps.store.enqueue(messages);
    if (stored === 'duplicate') return err({ kind: 'duplicate_submission' });
    assert(stored.ids.length === messages.length, 'every message of a submission is stored');
    this.#observer.queued(stored.ids.length);
    return ok({ messageIds: stored.ids, segmentsEach: parts.length });
  }

  /**
   * The platform's own SMS: stored (once per delivery key), then submitted at once. A
   * submission that fails leaves it queued for the dispatcher, so this answers once it is stored.
   */
  async send(message: SmsMessage): Promise<void> {
    const { encoding, parts } = segment(message.text);
    assert(parts.length <= MAX_SEGMENTS, 'a platform message fits the longest message');
    const now = this.deps.clock.now();
    const stored = await this.deps.store.enqueue([
      {
        merchantId: null,
        endpointId: null,
        campaignId: null,
        submissionKey: message.deliveryKey,
        recipientIndex: 0,
        to: message.to,
        from: message.from,
        text: message.text,
        secret: message.secret ?? false,
        encoding,
        segments: parts.length,
        dueAt: now,
        expiresAt: new Date(now.getTime() + MESSAGING_LIMITS.validityMs),
        createdAt: now,
      },
    ]);
    if (stored === 'duplicate') return;
    this.#observer.queued(1);
    const id = stored.ids[0];
    assert(id !== undefined, 'the stored message has an id');
    const claimed = await this.deps.store.claim(id, CLAIM_LEASE_MS, now);
    if (claimed) await this.#submitAll([claimed]);
  }

  /**
   * Deletes receipts that found no message in RECEIPT_WAIT_MS (an SMSC's receipt for a
   * message not ours, or with an id written otherwise than its answer: SMPP_RECEIPT_IDS).
   * Kept, they would only grow the table that every dispatch looks through. At most
   * PRUNE_BATCH a call; answers how many.
   */
  pruneUnmatchedReceipts(): Promise<number> {
    return this.deps.store.pruneUnmatchedReceipts(new Date(this.deps.clock.now().getTime() - RECEIPT_WAIT_MS), PRUNE_BATCH);
  }

  /** One dispatcher batch: record what is owed, expire, claim due messages, submit them. */
  async dispatchDue(): Promise<number> {
    await this.#recordSubmitted();
    const now = this.deps.clock.now();
    const correlated = await this.deps.store.applyPendingReceipts(DISPATCH_BATCH);
    const expired = await this.deps.store.expireDue(now, DISPATCH_BATCH);
    for (let i = 0; i < expired; i += 1) this.#observer.failed('expired');
    if (this.#unrecorded.length >= MAX_UNRECORDED) return correlated + expired;
    const claimed = await this.deps.store.claimDue(DISPATCH_BATCH, CLAIM_LEASE_MS, now);
    const allowed: ClaimedMessage[] = [];
    const deferred: number[] = [];
    for (const message of claimed) {
      if (message.merchantId === null || this.#throughput.take(message.merchantId)) allowed.push(message);
      else deferred.push(message.id);
    }
    if (deferred.length > 0) await this.deps.store.release(deferred, new Date(now.getTime() + THROTTLED_RETRY_MS));
    await this.#submitAll(allowed);
    return correlated + expired + claimed.length;
  }

  async #submitAll(messages: readonly ClaimedMessage[]): Promise<void> {
    const { connector } = this.deps;
    const outcomes = await Promise.allSettled(
      messages.map((m) => connector.submit({ messageId: m.id, to: m.to, from: m.from, text: m.text, encoding: m.encoding })),
    );
    const retry = new Map<number, number[]>();
    for (const [index, outcome] of outcomes.entries()) {
      const message = messages[index];
      assert(message !== undefined, 'one outcome per message');
      if (outcome.status === 'fulfilled' && outcome.value.kind === 'accepted') {
        // Kept until stored: it is never submitted again, whatever the store does.
        this.#unrecorded.push({ id: message.id, connector: connector.name, connectorMessageId: outcome.value.connectorMessageId });
      } else if (outcome.status === 'fulfilled' && outcome.value.kind === 'rejected') {
        await this.deps.store.markRejected(message.id, outcome.value.reason, this.deps.clock.now());
        this.#observer.failed(outcome.value.reason);
      } else {
        this.#observer.failed('submit_error');
        const retryMs = Math.min(MAX_RETRY_MS, 1_000 * 2 ** Math.min(message.attempts, 16));
        retry.set(retryMs, [...(retry.get(retryMs) ?? []), message.id]);
      }
    }
    const now = this.deps.clock.now().getTime();
    for (const [retryMs, ids] of retry) await this.deps.store.release(ids, new Date(now + retryMs));
    await this.#recordSubmitted();
  }

  /** Stores the SMSC ids of accepted submissions; what the store refuses now is stored next time. */
  async #recordSubmitted(): Promise<void> {
    if (this.#unrecorded.length === 0) return;
    const batch = this.#unrecorded.splice(0, this.#unrecorded.length);
    try {
      const moved = await this.deps.store.markSubmitted(batch, this.deps.clock.now());
      this.#observer.submitted(moved.length);
      if (this.#receiptsWaiting) {
        this.#receiptsWaiting = false;
        await this.deps.store.applyPendingReceipts(DISPATCH_BATCH);
      }
    } catch (error) {
      this.#unrecorded.unshift(...batch);
      throw error;
    }
  }

  async #receipt(receipt: DeliveryReceipt): Promise<void> {
    // Answered (to the SMSC) only once stored: a receipt lost by a crash is sent again.
    const outcome = await this.#receipts.submit(receipt);
    if (outcome === 'unmatched') this.#receiptsWaiting = true;
    this.#observer.receipt(outcome === 'applied' ? receipt.status : outcome);
    if (outcome === 'applied' && receipt.status !== 'delivered') this.#observer.failed(receipt.reason ?? receipt.status);
  }

  async #mobileOriginated(message: MobileOriginated): Promise<void> {
    for (const listener of this.#moListeners) await listener(message);
  }
}

function checkSubmission(request: QueueMessages): MessagingError | undefined {
  if (request.recipients.length === 0) return { kind: 'no_recipients' };
  if (request.recipients.length > MESSAGING_LIMITS.maxRecipients) return { kind: 'too_many_recipients', max: MESSAGING_LIMITS.maxRecipients };
  if (request.text.length === 0) return { kind: 'text_empty' };
  if (request.text.length > MESSAGING_LIMITS.maxTextChars) {
    return { kind: 'text_too_long', maxSegments: MAX_SEGMENTS, maxChars: MESSAGING_LIMITS.maxTextChars };
  }
  if (request.from.length === 0 || request.from.length > MESSAGING_LIMITS.maxSenderChars) return { kind: 'sender_invalid', maxChars: MESSAGING_LIMITS.maxSenderChars };
  if (request.submissionKey.length === 0 || request.submissionKey.length > MESSAGING_LIMITS.maxSubmissionKeyChars) {
    return { kind: 'submission_key_invalid', maxChars: MESSAGING_LIMITS.maxSubmissionKeyChars };
  }
  return undefined;
}
