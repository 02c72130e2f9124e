import type { ConfirmationAnswer, ConfirmationPrompter } from '../../core/confirmations/ports.js';
import type { Msisdn } from '../../kernel/msisdn.js';
import { sandboxSubscriber } from './profiles.js';

/** Default subscribers answer a prompt this long after it appears. */
export const SANDBOX_ANSWER_DELAY_MS = 1_000;

type Answerer = (id: number, msisdn: Msisdn, answer: ConfirmationAnswer) => Promise<boolean>;

/**
 * The sandbox handsets' side of confirmation prompts: default subscribers confirm after a
 * second, profile 12 declines, 13 never answers, 14 waits for the handset page or API.
 */
export class SandboxHandsets implements ConfirmationPrompter {
  #answer: Answerer | undefined;
  /** Answers still to come: a simulated subscriber's reply holds the process like a real request does. */
  readonly #pending = new Set<NodeJS.Timeout>();

  /** Where automatic answers go (the confirmation service; set once it exists). */
  answerWith(answer: Answerer): void {
    this.#answer = answer;
  }

  async prompt(request: { id: number; msisdn: Msisdn }): Promise<void> {
    const behaviour = sandboxSubscriber(request.msisdn).consent;
    if (behaviour !== 'confirms' && behaviour !== 'declines') return;
    const answer: ConfirmationAnswer = behaviour === 'confirms' ? 'confirmed' : 'declined';
    const timer = setTimeout(() => {
      this.#pending.delete(timer);
      // A late answer to a prompt that expired or was answered is refused by the service.
      this.#answer?.(request.id, request.msisdn, answer).catch(() => {});
    }, SANDBOX_ANSWER_DELAY_MS);
    this.#pending.add(timer);
  }

  /** Drops the answers still to come (shutdown): the prompts stay, for the handset page after a restart. */
  stop(): void {
    for (const timer of this.#pending) clearTimeout(timer);
    this.#pending.clear();
  }
}
