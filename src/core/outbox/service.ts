import type { DeliveryOutcome, DeliveryResult, OutboxEvent, OutboxHandler, OutboxRepository } from './ports.js';

const BATCH_SIZE = 50;
// Longer than any handler may take: a handler runs outside any transaction, at least once.
const CLAIM_LEASE_MS = 60_000;
const MAX_BACKOFF_MS = 15 * 60_000;
const MAX_ERROR_LENGTH = 500;

/**
 * Delivers outbox events to the handler registered for their topic, with exponential
 * backoff on failure. A topic nobody subscribes to is a record of what happened and is
 * marked delivered as it is. Delivery is at least once, so handlers are idempotent
 * (carrier credits are keyed by the payment's reference).
 */
export class OutboxDispatcher {
  readonly #handlers = new Map<string, OutboxHandler>();
  readonly #forgetful = new Set<string>();

  constructor(private readonly repository: OutboxRepository) {}

  /** forgetPayload: the content is a secret (a PIN in an SMS) and is erased once delivered. */
  on(topic: string, handler: OutboxHandler, options: { forgetPayload?: boolean } = {}): void {
    this.#handlers.set(topic, handler);
    if (options.forgetPayload) this.#forgetful.add(topic);
  }

  /** Delivers one batch; returns how many events it handled. */
  async deliverDue(): Promise<number> {
    const events = await this.repository.claimDue(BATCH_SIZE, CLAIM_LEASE_MS);
    const outcomes: DeliveryOutcome[] = [];
    for (const event of events) {
      outcomes.push({ eventId: event.id, result: await this.#deliver(event), forgetPayload: this.#forgetful.has(event.topic) });
    }
    if (outcomes.length > 0) await this.repository.complete(outcomes);
    return events.length;
  }

  async #deliver(event: OutboxEvent): Promise<DeliveryResult> {
    const handler = this.#handlers.get(event.topic);
    if (!handler) return 'delivered';
    try {
      await handler(event);
      return 'delivered';
    } catch (error) {
      const retryInMs = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(event.attempts, 20));
      return { retryInMs, error: String(error instanceof Error ? error.message : error).slice(0, MAX_ERROR_LENGTH) };
    }
  }
}
