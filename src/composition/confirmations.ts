import type { Config } from '../config.js';
import type { CarrierNetwork } from '../core/carrier/ports.js';
import type { SandboxHandsets } from '../connectors/sandbox/confirmations.js';
import { ConfirmationService } from '../core/confirmations/service.js';
import { PreAuthorizationService } from '../core/preauthorization/service.js';
import type { Clock } from '../kernel/clock.js';
import type { Database } from '../storage/db.js';
import { SqlAuthorizationTokenRepository } from '../storage/repositories/authorization-tokens.js';
import { SqlConfirmationRepository } from '../storage/repositories/confirmations.js';

/** The subscriber's consent: prompts answered on the handset, and standing consents (tokens). */
export interface ConfirmationsModule {
  confirmations: ConfirmationService;
  preauthorization: PreAuthorizationService;
}

export function confirmationsModule(deps: {
  config: Config;
  db: Database;
  clock: Clock;
  carrier: CarrierNetwork;
  /** They ask the subscriber; their answers come back to the confirmation service. */
  handsets: SandboxHandsets;
}): ConfirmationsModule {
  const { config, db, clock, carrier, handsets } = deps;
  const confirmations = new ConfirmationService({
    requests: new SqlConfirmationRepository(db.kysely),
    prompter: handsets,
    clock,
    timeoutMs: config.confirmationTimeoutMs,
  });
  handsets.answerWith((id, msisdn, answer) => confirmations.answer(id, msisdn, answer));
  const preauthorization = new PreAuthorizationService({ carrier, confirmations, tokens: new SqlAuthorizationTokenRepository(db.kysely), clock });
  return { confirmations, preauthorization };
}
