import type { Clock } from '../../kernel/clock.js';
import { withTimeout } from '../../kernel/timeout.js';
import { decodePayload, type OutboxPayloads, type OutboxTopic } from './catalogue.js';
import type { DeadLetter, DeliveryOutcome, DeliveryResult, OutboxEvent, OutboxHandler, OutboxRepository } from './ports.js';

const BATCH_SIZE = 50;
// A handler runs outside any transaction, at least once; the batch stops starting new
// deliveries while one more could outlast the lease, and the rest are claimed again later.
const CLAIM_LEASE_MS = 60_000;
/** A handler that takes longer (a hung operator call) counts as failed and is retried. */
const DEFAULT_HANDLER_TIMEOUT_MS = 10_000;
const MAX_BACKOFF_MS = 15 * 60_000;
const MAX_ERROR_LENGTH = 500;
const MAX_DEAD_LETTERS_LISTED = 1_000;

export interface TopicOptions {
  /** The content is a secret (a PIN in an SMS): erased once delivered. */
  readonly forgetPayload?: boolean;
  /** A failure this long after the event was queued makes it a dead letter; without it, retried for ever. */
  readonly giveUpAfterMs?: number;
}

/**
 * Delivers outbox events to the handler registered for their topic, with exponential
 * backoff on failure. A topic nobody subscribes to is a record of what happened and is
 * marked delivered as it is. Delivery is at least once, so handlers are idempotent
 * (carrier credits are keyed by the payment's reference).
 */
export class OutboxDispatcher {
  readonly #handlers = new Map<string, (event: OutboxEvent) => Promise<void>>();
  readonly #forgetful = new Set<string>();
  readonly #giveUpAfterMs = new Map<string, number>();

  constructor(
    private readonly repository: OutboxRepository,
    private readonly clock: Clock,
    private readonly handlerTimeoutMs = DEFAULT_HANDLER_TIMEOUT_MS,
  ) {}

  /** Delivers the topic's events to handler, each payload checked against the catalogue first. */
  on<T extends OutboxTopic>(topic: T, handler: OutboxHandler<OutboxPayloads[T]>, options: TopicOptions = {}): void {
    this.#handlers.set(topic, (event) => handler(decodePayload(topic, event.payload), event));
    if (options.forgetPayload) this.#forgetful.add(topic);
    if (options.giveUpAfterMs !== undefined) this.#giveUpAfterMs.set(topic, options.giveUpAfterMs);
  }

  /** The events given up on, oldest first (at most 1,000), for the operator. */
  deadLetters(limit = MAX_DEAD_LETTERS_LISTED): Promise<DeadLetter[]> {
    return this.repository.deadLetters(Math.min(limit, MAX_DEAD_LETTERS_LISTED));
  }

  deadLetterCount(): Promise<number> {
    return this.repository.deadLetterCount();
  }

  /** Sends a dead letter again: due now, with a new retry window; false when id is no dead letter. */
  resend(id: number): Promise<boolean> {
    return this.repository.resend(id, this.clock.now());
  }

  /** Delivers one batch; returns how many events it handled. */
  async deliverDue(): Promise<number> {
    const claimedAt = this.clock.now();
    const events = await this.repository.claimDue(BATCH_SIZE, CLAIM_LEASE_MS, claimedAt);
    const lastStartMs = claimedAt.getTime() + CLAIM_LEASE_MS - this.handlerTimeoutMs;
    const outcomes: DeliveryOutcome[] = [];
    for (const event of events) {
      if (this.clock.now().getTime() > lastStartMs) break;
      outcomes.push({ eventId: event.id, result: await this.#deliver(event), forgetPayload: this.#forgetful.has(event.topic) });
    }
    if (outcomes.length > 0) await this.repository.complete(outcomes, this.clock.now());
    return outcomes.length;
  }

  async #deliver(event: OutboxEvent): Promise<DeliveryResult> {
    const handler = this.#handlers.get(event.topic);
    if (!handler) return 'delivered';
    try {
      await withTimeout(handler(event), this.handlerTimeoutMs, `the ${event.topic} handler`);
      return 'delivered';
    } catch (error) {
      const message = String(error instanceof Error ? error.message : error).slice(0, MAX_ERROR_LENGTH);
      const giveUpAfterMs = this.#giveUpAfterMs.get(event.topic);
      if (giveUpAfterMs !== undefined && this.clock.now().getTime() - event.retryingSince.getTime() >= giveUpAfterMs) return { dead: true, error: message };
      const retryInMs = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(event.attempts, 20));
      return { retryInMs, error: message };
    }
  }
}
