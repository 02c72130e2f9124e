import { setTimeout as sleep } from 'node:timers/promises';
import { assert } from '../../kernel/assert.js';
import type { Clock } from '../../kernel/clock.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import type {
  ConfirmationAnswer,
  ConfirmationOutcome,
  ConfirmationPrompter,
  ConfirmationRepository,
  ConfirmationSummary,
  NewConfirmation,
  WaitingConfirmation,
  WaitOutcome,
} from './ports.js';

export const DEFAULT_CONFIRMATION_TIMEOUT_MS = 60_000;
/** How often a waiting process looks for answers given to another server. */
const POLL_MS = 1_000;
const MAX_WAITS = 10_000;

interface Waiter {
  resolve(outcome: WaitOutcome): void;
  /** When the injected clock says the prompt is over: the timer only wakes the wait to look. */
  expiresAtMs: number;
  timer: NodeJS.Timeout;
  /** A payment's prompt outlives this process; a consent prompt is withdrawn with it. */
  survivesShutdown: boolean;
}

/**
 * Asks subscribers to confirm a payment and waits for the answer. A wait is a promise,
 * a timer and a map entry: no transaction or connection is held. An answer given to this
 * process ends its wait at once; answers given to another server are found by one query
 * per second for all waits of the process together. A wait keeps the process alive (it
 * is a request being answered) until it ends or shutdown() ends it.
 */
export class ConfirmationService {
  readonly #waiters = new Map<number, Waiter>();
  #poller: NodeJS.Timeout | undefined;
  #shuttingDown = false;

  constructor(
    private readonly deps: { requests: ConfirmationRepository; prompter: ConfirmationPrompter; clock: Clock; timeoutMs: number },
  ) {}

  /** Creates the prompt, shows it on the handset and resolves with the subscriber's answer. */
  async confirm(request: Omit<NewConfirmation, 'createdAt' | 'expiresAt'>): Promise<WaitOutcome> {
    // Nothing new is asked while shutting down: a subscriber's yes would reach no one.
    if (this.#shuttingDown) return 'abandoned';
    if (this.#waiters.size >= MAX_WAITS) return 'expired';
    const createdAt = this.deps.clock.now();
    const expiresAt = new Date(createdAt.getTime() + this.deps.timeoutMs);
    const shortNumber = request.channel === 'sms' ? request.shortNumber : undefined;
    assert(request.channel !== 'sms' || shortNumber !== undefined, 'an SMS prompt names its sender');
    const id = await this.deps.requests.create({ ...request, shortNumber, createdAt, expiresAt });
    const outcome = this.#wait(id, expiresAt.getTime(), request.payment !== null);
    await this.deps.prompter.prompt({ id, msisdn: request.msisdn, channel: request.channel, text: request.prompt });
    return outcome;
  }

  /** The subscriber's answer, from whichever handset or page it came. */
  async answer(id: number, msisdn: Msisdn, answer: ConfirmationAnswer): Promise<boolean> {
    const accepted = await this.deps.requests.answer(id, msisdn, answer, this.deps.clock.now());
    if (accepted) this.#settle(id, answer);
    return accepted;
  }

  waitingFor(msisdn: Msisdn): Promise<WaitingConfirmation[]> {
    return this.deps.requests.waitingFor(msisdn, this.deps.clock.now());
  }

  /** How one of the MSISDN's prompts ended (the handset page's "You confirmed …"). */
  summary(id: number, msisdn: Msisdn): Promise<ConfirmationSummary | null> {
    return this.deps.requests.summary(id, msisdn, this.deps.clock.now());
  }

  /**
   * Ends every wait: those answered within graceMs end with their answer, the rest are
   * abandoned (consent prompts withdrawn). Resolves once every wait has ended; answers
   * how many were abandoned. Later confirm() calls answer 'abandoned' at once.
   */
  async shutdown(graceMs: number): Promise<{ abandoned: number }> {
    this.#shuttingDown = true;
    // The grace is how long this process waits before it stops, a span of real time, not a
    // moment of the platform's clock: measured on the monotonic timer.
    const deadlineMs = performance.now() + graceMs;
    while (this.#waiters.size > 0 && performance.now() < deadlineMs) await sleep(Math.min(POLL_MS / 4, deadlineMs - performance.now()));
    const abandoned = [...this.#waiters.entries()];
    await Promise.all(abandoned.map(([id, waiter]) => this.#abandon(id, waiter)));
    this.#stopPolling();
    return { abandoned: abandoned.length };
  }

  async #abandon(id: number, waiter: Waiter): Promise<void> {
    if (waiter.survivesShutdown) return this.#settle(id, 'abandoned');
    // A consent nobody waits for any more must not be given: withdraw the prompt.
    const withdrawn = await this.deps.requests.expire(id).catch(() => false);
    const outcome = withdrawn ? 'expired' : ((await this.deps.requests.outcomes([id]).catch(() => new Map())).get(id) ?? 'expired');
    this.#settle(id, outcome);
  }

  #wait(id: number, expiresAtMs: number, survivesShutdown: boolean): Promise<WaitOutcome> {
    return new Promise<WaitOutcome>((resolve) => {
      const timer = setTimeout(() => this.#wake(id), this.deps.timeoutMs);
      this.#waiters.set(id, { resolve, expiresAtMs, timer, survivesShutdown });
      this.#startPolling();
    });
  }

  /**
   * The timer fired: the wait ends if the clock says the prompt is over, else the timer is
   * set again for what is left (an injected clock may run slower than the timers). A clock
   * that jumps ahead is seen by the next poll.
   */
  #wake(id: number): void {
    const waiter = this.#waiters.get(id);
    if (!waiter) return;
    const leftMs = waiter.expiresAtMs - this.deps.clock.now().getTime();
    if (leftMs <= 0) return void this.#expire(id);
    waiter.timer = setTimeout(() => this.#wake(id), Math.min(leftMs, this.deps.timeoutMs));
  }

  async #expire(id: number): Promise<void> {
    try {
      if (await this.deps.requests.expire(id)) return this.#settle(id, 'expired');
      // Answered at the last moment, perhaps elsewhere: the row says how.
      const outcome = (await this.deps.requests.outcomes([id])).get(id) ?? 'expired';
      this.#settle(id, outcome);
    } catch {
      this.#settle(id, 'expired');
    }
  }

  #settle(id: number, outcome: WaitOutcome): void {
    const waiter = this.#waiters.get(id);
    if (!waiter) return;
    clearTimeout(waiter.timer);
    this.#waiters.delete(id);
    waiter.resolve(outcome);
    if (this.#waiters.size === 0) this.#stopPolling();
  }

  #startPolling(): void {
    if (this.#poller) return;
    this.#poller = setInterval(() => void this.#poll(), POLL_MS);
    this.#poller.unref();
  }

  #stopPolling(): void {
    clearInterval(this.#poller);
    this.#poller = undefined;
  }

  async #poll(): Promise<void> {
    const ids = [...this.#waiters.keys()];
    if (ids.length === 0) return;
    try {
      for (const [id, outcome] of await this.deps.requests.outcomes(ids)) this.#settle(id, outcome);
    } catch {
      // The next poll or the timer ends the wait.
    }
    const nowMs = this.deps.clock.now().getTime();
    for (const [id, waiter] of this.#waiters) if (waiter.expiresAtMs <= nowMs) void this.#expire(id);
  }
}
