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
} from './ports.js';

export const DEFAULT_CONFIRMATION_TIMEOUT_MS = 60_000;
export const DEFAULT_SHORT_NUMBER = '2222';
/** How often a waiting process looks for answers given to another server. */
const POLL_MS = 1_000;
const MAX_WAITS = 10_000;

interface Waiter {
  resolve(outcome: ConfirmationOutcome): void;
  timer: NodeJS.Timeout;
}

/**
 * Asks subscribers to confirm a payment and waits for the answer. A wait is a promise,
 * a timer and a map entry: no transaction or connection is held. An answer given to this
 * process ends its wait at once; answers given to another server are found by one query
 * per second for all waits of the process together.
 */
export class ConfirmationService {
  readonly #waiters = new Map<number, Waiter>();
  #poller: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: { requests: ConfirmationRepository; prompter: ConfirmationPrompter; clock: Clock; timeoutMs: number },
  ) {}

  /** Creates the prompt, shows it on the handset and resolves with the subscriber's answer. */
  async confirm(request: Omit<NewConfirmation, 'createdAt' | 'expiresAt'>): Promise<ConfirmationOutcome> {
    if (this.#waiters.size >= MAX_WAITS) return 'expired';
    const createdAt = this.deps.clock.now();
    const expiresAt = new Date(createdAt.getTime() + this.deps.timeoutMs);
    const shortNumber = request.channel === 'sms' ? (request.shortNumber ?? DEFAULT_SHORT_NUMBER) : undefined;
    const id = await this.deps.requests.create({ ...request, shortNumber, createdAt, expiresAt });
    const outcome = this.#wait(id);
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

  #wait(id: number): Promise<ConfirmationOutcome> {
    return new Promise<ConfirmationOutcome>((resolve) => {
      const timer = setTimeout(() => void this.#expire(id), this.deps.timeoutMs);
      timer.unref();
      this.#waiters.set(id, { resolve, timer });
      this.#startPolling();
    });
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

  #settle(id: number, outcome: ConfirmationOutcome): void {
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
  }
}
