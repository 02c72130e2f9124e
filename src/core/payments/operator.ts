import type { Clock } from '../../kernel/clock.js';
import { withTimeout } from '../../kernel/timeout.js';
import type { CarrierNetwork, DebitOutcome, DebitRequest } from '../carrier/ports.js';
import { ledgerAccounts } from './decisions.js';
import type { PaymentRepository, PendingPayment } from './ports.js';

/** How long a Pay waits for the operator before answering "in progress". */
export const OPERATOR_TIMEOUT_MS = 20_000;

/** One reserved attempt, as settling it needs it (ledger accounts of merchant and operator). */
export type SettledAttempt = Pick<PendingPayment, 'paymentId' | 'attempt' | 'merchantId' | 'operator' | 'currency'>;

/** Asks the operator to debit; a failed or late call may still have reached it, so only settlement can tell. */
export async function askOperator(carrier: CarrierNetwork, debit: DebitRequest): Promise<DebitOutcome> {
  try {
    return await withTimeout(carrier.debit(debit), OPERATOR_TIMEOUT_MS, 'the operator debit');
  } catch {
    return { kind: 'unknown' };
  }
}

/** Asks the operator what became of a debit whose answer was not seen. */
export function askDebitStatus(carrier: CarrierNetwork, debit: DebitRequest, requestedAt: Date): Promise<DebitOutcome> {
  return withTimeout(carrier.debitStatus(debit, requestedAt), OPERATOR_TIMEOUT_MS, 'the operator status query').catch(
    (): DebitOutcome => ({ kind: 'unknown' }),
  );
}

/** What settling needs: the payments ledger and the clock that stamps the settlement. */
export interface SettleDeps {
  payments: PaymentRepository;
  clock: Clock;
}

/** Settles one pending attempt against the ledger accounts of its merchant and operator, at the clock's time. */
export function settleAttempt(deps: SettleDeps, attempt: SettledAttempt, status: 'paid' | 'failed') {
  const accounts = ledgerAccounts(attempt.merchantId, attempt.operator, attempt.currency, false);
  return deps.payments.settle(attempt.paymentId, attempt.attempt, status, accounts.debitAccount, accounts.creditAccount, deps.clock.now());
}

/** Settles an attempt the operator debited; one that can no longer be paid gets its debit back, atomically. */
export function settleDebited(deps: SettleDeps, attempt: SettledAttempt, debit: DebitRequest) {
  const accounts = ledgerAccounts(attempt.merchantId, attempt.operator, attempt.currency, false);
  const debited = { paymentId: attempt.paymentId, attempt: attempt.attempt, msisdn: debit.msisdn, amountMinor: debit.amountMinor, currency: debit.currency };
  return deps.payments.settleDebited(debited, accounts.debitAccount, accounts.creditAccount, deps.clock.now());
}
