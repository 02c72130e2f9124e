import type { NewConfirmation, WaitOutcome } from '../../../src/core/confirmations/ports.js';
import type { ConfirmationService } from '../../../src/core/confirmations/service.js';

type Request = Omit<NewConfirmation, 'createdAt' | 'expiresAt'>;

/** A subscriber who answers each prompt as scripted (confirmed unless told), and the prompts they saw. */
export class ScriptedConfirmations implements Pick<ConfirmationService, 'confirm'> {
  readonly asked: Request[] = [];
  readonly answers: WaitOutcome[] = [];

  async confirm(request: Request): Promise<WaitOutcome> {
    this.asked.push(request);
    return this.answers.shift() ?? 'confirmed';
  }
}
