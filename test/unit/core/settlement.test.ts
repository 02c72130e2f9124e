import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collection, operatorAnswerStep, pendingStep } from '../../../src/core/payments/decisions.js';
import { profileOf } from '../../support/fakes/carrier.js';
import { chargeOf, paymentsWorld, SERVICE } from '../../support/fakes/payments-world.js';

const MSISDN = '+4790000200';
const UNPROMPTED_MS = 30_000;

describe('settlement decisions', () => {
  const at = new Date('2026-11-23T12:00:00Z');
  const payment = (confirmation: 'none' | 'waiting' | 'confirmed' | 'declined' | 'expired', needsConfirmation: boolean) => ({
    confirmation,
    needsConfirmation,
    createdAt: at,
  });
  it('a payment before its operator is asked: left while its subscriber decides, failed on a no or silence', () => {
    const now = at.getTime() + 1_000;
    assert.equal(pendingStep(payment('waiting', true), now, UNPROMPTED_MS), 'leave');
    assert.equal(pendingStep(payment('declined', true), now, UNPROMPTED_MS), 'fail');
    assert.equal(pendingStep(payment('expired', true), now, UNPROMPTED_MS), 'fail');
    assert.equal(pendingStep(payment('confirmed', true), now, UNPROMPTED_MS), 'continue');
    assert.equal(pendingStep(payment('none', false), now, UNPROMPTED_MS), 'continue');
  });
  it('a payment that needs a yes but was never prompted is left for a while, then failed', () => {
    assert.equal(pendingStep(payment('none', true), at.getTime() + UNPROMPTED_MS - 1, UNPROMPTED_MS), 'leave');
    assert.equal(pendingStep(payment('none', true), at.getTime() + UNPROMPTED_MS, UNPROMPTED_MS), 'fail');
  });
  it('only a confirmed invoice charge is recorded without a debit', () => {
    assert.equal(collection(true, 'invoice'), 'record');
    assert.equal(collection(true, 'realtime'), 'debit');
    assert.equal(collection(false, 'invoice'), 'debit');
  });
  it('an operator answer: unknown leaves, a refusal fails, a debit collects', () => {
    assert.equal(operatorAnswerStep({ kind: 'unknown' }), 'leave');
    assert.equal(operatorAnswerStep({ kind: 'refused', reason: 'barred' }), 'fail');
    assert.equal(operatorAnswerStep({ kind: 'debited' }), 'collect');
  });
});

describe('settlement on in-memory ports', () => {
  it('a debit the operator made before the line broke settles as paid; one it never made as failed', async () => {
    const { service, carrier, clock, payments } = paymentsWorld();
    carrier.debitScript.push({ kind: 'debited' }, 'throw');
    // The first debit reached the operator but its answer was lost; the second never got there.
    carrier.debit = async function (request) {
      this.debits.push(request);
      const next = this.debitScript.shift();
      if (next !== 'throw' && next !== undefined) this.statuses.set(request.reference, next);
      throw new Error('the line to the operator broke');
    };
    await service.charge(SERVICE, chargeOf(MSISDN));
    await service.charge(SERVICE, chargeOf('+4790000201'));
    assert.equal(await service.settlePending(), 0, 'young payments are left to their requests');
    clock.advance(3_000);
    assert.equal(await service.settlePending(), 2);
    assert.deepEqual(payments.rows.map((r) => r.status), ['paid', 'failed']);
  });

  it('an unknown answer leaves the payment pending, and a status query settles it once the operator knows', async () => {
    const { service, carrier, clock } = paymentsWorld();
    carrier.debitScript.push('throw');
    const charge = chargeOf(MSISDN);
    await service.charge(SERVICE, charge);
    carrier.statuses.set('1.1', { kind: 'unknown' });
    clock.advance(3_000);
    assert.equal(await service.settlePending(), 0);
    assert.equal((await service.status(SERVICE, charge.idempotencyKey))?.status, 'pending');
    carrier.statuses.set('1.1', { kind: 'debited' });
    assert.equal((await service.status(SERVICE, charge.idempotencyKey))?.status, 'paid');
  });

  it('a confirmed invoice charge whose request died is recorded as paid without asking the operator', async () => {
    const { service, carrier, clock, payments, confirmations } = paymentsWorld();
    carrier.profiles.set(MSISDN, profileOf(MSISDN, { billing: 'invoice' }));
    confirmations.answers.push('abandoned');
    const consent = { mode: 'prompt', channel: 'sms', sender: '4242' } as const;
    assert.deepEqual(await service.charge(SERVICE, chargeOf(MSISDN, { consent })), { ok: false, error: { kind: 'confirmation_abandoned', paymentId: 1 } });
    payments.answer(1, 'confirmed');
    clock.advance(3_000);
    assert.equal(await service.settlePending(), 1);
    assert.equal(payments.rows[0]?.status, 'paid');
    assert.deepEqual(carrier.statusAsked, []);
  });

  it('a debit that lands after settlement failed the payment is queued to be given back', async () => {
    const { service, carrier, clock, payments } = paymentsWorld();
    carrier.debit = async function (request) {
      // Settlement looks while the debit is on its way and sees no debit yet.
      clock.advance(3_000);
      await service.settlePending();
      this.statuses.set(request.reference, { kind: 'debited' });
      return { kind: 'debited' };
    };
    assert.deepEqual(await service.charge(SERVICE, chargeOf(MSISDN)), { ok: false, error: { kind: 'debit_returned' } });
    assert.equal(payments.rows[0]?.status, 'failed');
    assert.deepEqual(payments.creditsQueued, ['1.1']);
  });
});
