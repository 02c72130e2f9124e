import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { profileOf } from '../../support/fakes/carrier.js';
import { chargeOf, paymentsWorld, SERVICE } from '../../support/fakes/payments-world.js';

const MSISDN = '+4790000100';

describe('charging on in-memory ports', () => {
  it('a realtime charge is reserved, debited once with payment.attempt as its reference, and journalled as paid', async () => {
    const { service, carrier, payments, outcomes } = paymentsWorld();
    const result = await service.charge(SERVICE, chargeOf(MSISDN));
    assert.deepEqual(result, { ok: true, value: { paymentId: 1, idempotencyKey: 'ref-1', replayed: false } });
    assert.deepEqual(
      carrier.debits.map((d) => [d.reference, d.amountMinor, d.currency]),
      [['1.1', 2500n, 'NOK']],
    );
    assert.deepEqual(payments.journal, [
      { paymentId: 1, kind: 'charge', debitAccount: 'operator:242-02:NOK', creditAccount: 'merchant:3:NOK', amountMinor: 2500n },
    ]);
    assert.deepEqual(outcomes, ['paid']);
  });

  it('an invoice charge is paid by its reservation: the operator is not called', async () => {
    const { service, carrier, payments } = paymentsWorld();
    carrier.profiles.set(MSISDN, profileOf(MSISDN, { billing: 'invoice' }));
    assert.ok((await service.charge(SERVICE, chargeOf(MSISDN))).ok);
    assert.equal(carrier.debits.length, 0);
    assert.equal(payments.rows[0]?.status, 'paid');
  });

  it('a retry with the same key and details is answered with the first payment, not charged again', async () => {
    const { service, carrier, outcomes } = paymentsWorld();
    const charge = chargeOf(MSISDN);
    await service.charge(SERVICE, charge);
    assert.deepEqual(await service.charge(SERVICE, charge), { ok: true, value: { paymentId: 1, idempotencyKey: charge.idempotencyKey, replayed: true } });
    assert.equal(carrier.debits.length, 1);
    assert.deepEqual(outcomes, ['paid', 'replayed']);
  });

  it('the same key with other details is a conflict, and the fingerprint is part of the details', async () => {
    const { service } = paymentsWorld();
    const charge = chargeOf(MSISDN);
    await service.charge(SERVICE, charge);
    const other = { ...charge, fingerprint: ['Q'] };
    assert.deepEqual(await service.charge(SERVICE, other), { ok: false, error: { kind: 'reference_conflict', idempotencyKey: charge.idempotencyKey } });
  });

  it('the price policy refuses before the subscriber is looked up', async () => {
    const { service, payments } = paymentsWorld();
    const rule = { label: 'product P' };
    assert.deepEqual(await service.charge(SERVICE, chargeOf(MSISDN, { amountMinor: 99n })), {
      ok: false,
      error: { kind: 'price_below_minimum', rule, amountMinor: 99n, minMinor: 100n },
    });
    assert.deepEqual(await service.charge(SERVICE, chargeOf(MSISDN, { pricePolicy: { rules: [{ rule, range: null }] } })), {
      ok: false,
      error: { kind: 'price_rule_unknown', rule },
    });
    assert.equal(payments.rows.length, 0);
  });

  it('subscriber refusals carry their cause and values', async () => {
    const { service, carrier } = paymentsWorld();
    const cases = [
      [profileOf('+4790000101', { known: false }), { kind: 'unknown_subscriber' }],
      [profileOf('+4790000102', { registration: 'barred' }), { kind: 'barred' }],
      [profileOf('+4790000103', { registration: 'unregistered' }), { kind: 'unregistered' }],
      [profileOf('+4790000104', { registration: 'registered' }), { kind: 'not_licensed' }],
      [profileOf('+4790000105', { age: 15 }), { kind: 'underage', minimumAge: 18 }],
      [
        profileOf('+4790000106', { limits: { perTransactionMinor: 2000n, monthlyMinor: null, yearlyMinor: null } }),
        { kind: 'limit_per_charge_exceeded', amountMinor: 2500n, limitMinor: 2000n },
      ],
      [profileOf('+4790000107', { operator: { mccMnc: '234-10', name: 'O2', country: 'GB', currency: 'GBP' } }), { kind: 'unsupported_network', operatorName: 'O2', currency: 'NOK' }],
    ] as const;
    for (const [profile, error] of cases) {
      carrier.profiles.set(profile.msisdn, profile);
      assert.deepEqual(await service.charge(SERVICE, chargeOf(profile.msisdn, { minimumAge: 18 })), { ok: false, error }, profile.msisdn);
    }
    assert.equal(carrier.debits.length, 0);
  });

  it('the period limits and the blocklist refuse in the reservation', async () => {
    const { service, carrier, payments } = paymentsWorld();
    carrier.profiles.set(MSISDN, profileOf(MSISDN, { limits: { perTransactionMinor: 500_000n, monthlyMinor: 4000n, yearlyMinor: 6000n } }));
    assert.ok((await service.charge(SERVICE, chargeOf(MSISDN))).ok);
    assert.deepEqual(await service.charge(SERVICE, chargeOf(MSISDN)), { ok: false, error: { kind: 'limit_monthly_exceeded' } });
    payments.blocked.add('+4790000108');
    assert.deepEqual(await service.charge(SERVICE, chargeOf('+4790000108')), { ok: false, error: { kind: 'blacklisted' } });
  });

  it('a PIN consent goes into the reservation; a PIN the store refuses reserves nothing and names its cause', async () => {
    const { service, carrier, payments, outcomes } = paymentsWorld();
    const pin = (pinHash: string) => ({ mode: 'pin', pin: { endpointId: 7, productId: 9, pinHash, maxAttempts: 5 } }) as const;
    const cases = [['h-wrong', 'wrong_pin', 'pin_wrong'], ['h-used', 'used', 'pin_used'], ['h-expired', 'expired', 'pin_expired'], ['h-salted', 'salted', 'pin_salted']] as const;
    for (const [hash, reason, kind] of cases) {
      payments.pinRefusals.set(hash, reason);
      assert.deepEqual(await service.charge(SERVICE, chargeOf(MSISDN, { idempotencyKey: `k-${hash}`, consent: pin(hash) })), { ok: false, error: { kind } });
    }
    assert.equal(payments.rows.length, 0);
    assert.equal(carrier.debits.length, 0);
    assert.deepEqual(await service.charge(SERVICE, chargeOf(MSISDN, { idempotencyKey: 'k-right', consent: pin('h-right') })), { ok: true, value: { paymentId: 1, idempotencyKey: 'k-right', replayed: false } });
    assert.deepEqual(payments.rows[0]?.record.pin, { endpointId: 7, productId: 9, pinHash: 'h-right', maxAttempts: 5 });
    assert.equal(carrier.debits.length, 1);
    assert.deepEqual(outcomes, ['pin_wrong', 'pin_used', 'pin_expired', 'pin_salted', 'paid']);
  });

  it('a charge by PIN that admission refuses has its PIN judged on its own first: a wrong PIN answers as one, a right one is used by it', async () => {
    const { service, carrier, payments, pinAttempts } = paymentsWorld();
    const barred = '+4790000109';
    carrier.profiles.set(barred, profileOf(barred, { registration: 'barred' }));
    const approval = (pinHash: string) => ({ endpointId: 7, productId: 9, pinHash, maxAttempts: 5 });
    payments.pinRefusals.set('h-wrong', 'wrong_pin');
    assert.deepEqual(await service.charge(SERVICE, chargeOf(barred, { idempotencyKey: 'k-1', consent: { mode: 'pin', pin: approval('h-wrong') } })), {
      ok: false,
      error: { kind: 'pin_wrong' },
    });
    assert.deepEqual(await service.charge(SERVICE, chargeOf(barred, { idempotencyKey: 'k-2', consent: { mode: 'pin', pin: approval('h-right') } })), {
      ok: false,
      error: { kind: 'barred' },
    });
    assert.deepEqual(
      pinAttempts.map((a) => [a.msisdn, a.pinHash, a.transactionId, a.endpointId, a.productId, a.maxAttempts]),
      [[barred, 'h-wrong', 'k-1', 7, 9, 5], [barred, 'h-right', 'k-2', 7, 9, 5]],
    );
    assert.equal(payments.rows.length, 0);
    // A refusal of a charge without a PIN judges none.
    assert.deepEqual(await service.charge(SERVICE, chargeOf(barred)), { ok: false, error: { kind: 'barred' } });
    assert.equal(pinAttempts.length, 2);
  });

  it('a charge by PIN without the PIN store is refused as an unsupported consent', async () => {
    const { service, payments } = paymentsWorld({ pins: false });
    const consent = { mode: 'pin', pin: { endpointId: 7, productId: 9, pinHash: 'h', maxAttempts: 5 } } as const;
    assert.deepEqual(await service.charge(SERVICE, chargeOf(MSISDN, { consent })), { ok: false, error: { kind: 'consent_unsupported', mode: 'pin' } });
    assert.equal(payments.rows.length, 0);
  });

  it('a token stands for the consent only when valid; a verified number is required where the service says so', async () => {
    const { service } = paymentsWorld({ tokens: new Set(['good']), verified: new Set([MSISDN]) });
    assert.ok((await service.charge(SERVICE, chargeOf(MSISDN, { consent: { mode: 'token', token: 'good' } }))).ok);
    assert.deepEqual(await service.charge(SERVICE, chargeOf(MSISDN, { consent: { mode: 'token', token: 'bad' } })), {
      ok: false,
      error: { kind: 'token_invalid' },
    });
    const strict = { ...SERVICE, requiresVerifiedMsisdn: true };
    assert.ok((await service.charge(strict, chargeOf(MSISDN))).ok);
    assert.deepEqual(await service.charge(strict, chargeOf('+4790000109')), { ok: false, error: { kind: 'not_verified' } });
  });

  it('a refusal by present state still answers a retry of a charge that went through', async () => {
    const tokens = new Set(['t']);
    const { service } = paymentsWorld({ tokens });
    const charge = chargeOf(MSISDN, { consent: { mode: 'token', token: 't' } });
    assert.ok((await service.charge(SERVICE, charge)).ok);
    tokens.delete('t');
    assert.deepEqual(await service.charge(SERVICE, charge), { ok: true, value: { paymentId: 1, idempotencyKey: charge.idempotencyKey, replayed: true } });
  });

  it('operator refusals fail the attempt and free the key for a retry as a new attempt', async () => {
    const { service, carrier, payments } = paymentsWorld();
    carrier.debitScript.push({ kind: 'refused', reason: 'insufficient_funds' });
    const charge = chargeOf(MSISDN);
    assert.deepEqual(await service.charge(SERVICE, charge), { ok: false, error: { kind: 'insufficient_funds' } });
    assert.equal(payments.rows[0]?.status, 'failed');
    assert.deepEqual(await payments.spentInPeriods(charge.subscriber, 'NOK', ['M2026-11']), new Map([['M2026-11', 0n]]));
    assert.ok((await service.charge(SERVICE, charge)).ok);
    assert.deepEqual(carrier.debits.map((d) => d.reference), ['1.1', '1.2']);
  });

  it('an operator that does not answer leaves the payment pending and says which', async () => {
    const { service, carrier, payments } = paymentsWorld();
    carrier.debitScript.push('throw');
    assert.deepEqual(await service.charge(SERVICE, chargeOf(MSISDN)), { ok: false, error: { kind: 'operator_timeout', paymentId: 1 } });
    assert.equal(payments.rows[0]?.status, 'pending');
  });

  it('a prompt asks the subscriber from the facade sender; only a yes collects', async () => {
    const { service, confirmations, carrier, payments } = paymentsWorld();
    const consent = { mode: 'prompt', channel: 'sms', sender: '4242' } as const;
    confirmations.answers.push('declined', 'expired', 'confirmed');
    const description = 'a ticket';
    assert.deepEqual(await service.charge(SERVICE, chargeOf(MSISDN, { consent, description })), { ok: false, error: { kind: 'declined' } });
    assert.deepEqual(await service.charge(SERVICE, chargeOf(MSISDN, { consent })), { ok: false, error: { kind: 'expired' } });
    assert.ok((await service.charge(SERVICE, chargeOf(MSISDN, { consent }))).ok);
    assert.deepEqual(
      confirmations.asked.map((a) => [a.shortNumber, a.channel, a.prompt]),
      [
        ['4242', 'sms', 'Confirm payment of 25.00 NOK for a ticket?'],
        ['4242', 'sms', 'Confirm payment of 25.00 NOK?'],
        ['4242', 'sms', 'Confirm payment of 25.00 NOK?'],
      ],
    );
    assert.deepEqual(
      payments.rows.map((r) => [r.status, r.record.needsConfirmation]),
      [
        ['failed', true],
        ['failed', true],
        ['paid', true],
      ],
    );
    assert.equal(carrier.debits.length, 1, 'only the confirmed charge was debited');
  });

  it('a prompt without a confirmation service is refused as an unsupported consent', async () => {
    const { service } = paymentsWorld({ prompts: false });
    const consent = { mode: 'prompt', channel: 'ussd', sender: '4242' } as const;
    assert.deepEqual(await service.charge(SERVICE, chargeOf(MSISDN, { consent })), { ok: false, error: { kind: 'consent_unsupported', mode: 'prompt' } });
  });

  it('a test subscriber is recorded as paid and never sent to the operator, outside the spend limits', async () => {
    const { service, carrier, payments } = paymentsWorld();
    carrier.profiles.set(MSISDN, profileOf(MSISDN, { whitelisted: true }));
    assert.ok((await service.charge(SERVICE, chargeOf(MSISDN))).ok);
    assert.equal(carrier.debits.length, 0);
    assert.equal(payments.journal[0]?.debitAccount, 'test-operator:242-02:NOK');
    assert.equal(payments.spend.size, 0);
  });

  it('a reversal of a paid charge answers its id, a second one says it replayed; others name their cause', async () => {
    const { service, carrier } = paymentsWorld();
    assert.ok((await service.charge(SERVICE, chargeOf(MSISDN))).ok);
    carrier.debitScript.push('throw');
    await service.charge(SERVICE, chargeOf(MSISDN));
    assert.deepEqual(await service.reverse(SERVICE, 1), { ok: true, value: { paymentId: 1, replayed: false } });
    assert.deepEqual(await service.reverse(SERVICE, 1), { ok: true, value: { paymentId: 1, replayed: true } });
    assert.deepEqual(await service.reverse(SERVICE, 2), { ok: false, error: { kind: 'not_paid', paymentId: 2, status: 'pending' } });
    assert.deepEqual(await service.reverse(SERVICE, 99), { ok: false, error: { kind: 'not_found', paymentId: 99 } });
    assert.deepEqual(await service.reverse(SERVICE, -1), { ok: false, error: { kind: 'not_found', paymentId: -1 } });
  });
});
