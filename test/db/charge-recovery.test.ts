import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SandboxNetwork } from '../../src/connectors/sandbox/network.js';
import { sandboxSubscriber } from '../../src/connectors/sandbox/profiles.js';
import type { CarrierNetwork, CreditRequest, DebitOutcome, DebitRequest, SubscriberProfile } from '../../src/core/carrier/ports.js';
import { MerchantService } from '../../src/core/merchants/service.js';
import type { ServiceContext } from '../../src/core/merchants/types.js';
import { OutboxDispatcher } from '../../src/core/outbox/service.js';
import { PaymentService } from '../../src/core/payments/service.js';
import type { ChargeCommand } from '../../src/core/payments/types.js';
import type { NewConfirmation } from '../../src/core/confirmations/ports.js';
import { SqlConfirmationRepository } from '../../src/storage/repositories/confirmations.js';
import type { Msisdn } from '../../src/kernel/msisdn.js';
import { type Database, openDatabase } from '../../src/storage/db.js';
import { migrate } from '../../src/storage/migrate.js';
import { SqlMerchantRepository } from '../../src/storage/repositories/merchants.js';
import { SqlOutboxRepository } from '../../src/storage/repositories/outbox.js';
import { SqlPaymentRepository } from '../../src/storage/repositories/payments.js';
import { SqlSandboxPrepaidStore } from '../../src/storage/repositories/sandbox-prepaid.js';
import { databaseUrlFor, engines, TestClock, uniqueReference } from '../support/app.js';
import { assertLedgerConsistent } from '../support/ledger.js';

type DebitBehaviour = 'debits' | 'fails_before_operator' | 'fails_after_operator';

/** An operator that debits online, whose line breaks on request, remembering which debits really happened. */
class FlakyOperator implements CarrierNetwork {
  behaviour: DebitBehaviour = 'debits';
  /** Runs while a debit is on its way (to race settlement against it). */
  duringDebit: () => Promise<void> = async () => {};
  readonly debited = new Set<string>();
  billing: SubscriberProfile['billing'] = 'realtime';
  readonly credited: string[] = [];
  /** Overrides the status answer for some numbers. */
  readonly statusOverrides = new Map<string, DebitOutcome>();
  /** Numbers whose profile lookup fails (a broken line to the operator's subscriber database). */
  readonly brokenProfiles = new Set<string>();

  async subscriber(msisdn: Msisdn): Promise<SubscriberProfile> {
    if (this.brokenProfiles.has(msisdn)) throw new Error(`profile lookup of ${msisdn} failed`);
    return { ...sandboxSubscriber(msisdn).profile, billing: this.billing };
  }
  async debit(request: DebitRequest): Promise<DebitOutcome> {
    if (this.behaviour === 'fails_before_operator') throw new Error('connection refused');
    await this.duringDebit();
    this.debited.add(request.reference);
    if (this.behaviour === 'fails_after_operator') throw new Error('connection reset');
    return { kind: 'debited' };
  }
  async debitStatus(request: DebitRequest): Promise<DebitOutcome> {
    const override = this.statusOverrides.get(request.msisdn);
    if (override) return override;
    return this.debited.has(request.reference) ? { kind: 'debited' } : { kind: 'refused', reason: 'operator_error' };
  }
  async credit(request: CreditRequest): Promise<void> {
    this.credited.push(request.reference);
  }
}

/** What happens to a charge when the line to the operator breaks: money is never lost or doubled. */
for (const engine of engines()) {
  describe(`charge recovery [${engine}]`, () => {
    let db: Database;
    let operator: FlakyOperator;
    let payments: PaymentService;
    let outbox: OutboxDispatcher;
    const clock = new TestClock();
    let service: ServiceContext;

    before(async () => {
      db = await openDatabase({ databaseUrl: await databaseUrlFor(engine, 'recovery'), dataDir: 'memory://' });
      await migrate(db);
      const merchants = new MerchantService(new SqlMerchantRepository(db.kysely));
      const merchantId = await merchants.createMerchant('Recovery merchant');
      await merchants.createService({ serviceId: 5000, merchantId, platform: 'directpay', name: 'Recovery', currency: 'NOK' }, 'r', 'r-password');
      service = { serviceId: 5000, merchantId, platform: 'directpay', currency: 'NOK', requiresVerifiedMsisdn: false };
      operator = new FlakyOperator();
      const repository = new SqlPaymentRepository(db);
      payments = new PaymentService({ carrier: operator, payments: repository, clock });
      outbox = new OutboxDispatcher(new SqlOutboxRepository(db.kysely), clock);
      payments.registerOutboxHandlers(outbox);
    });
    after(() => db.close());

    const command = (msisdn: string): ChargeCommand => ({
      subscriber: msisdn as Msisdn,
      amountMinor: 2500n,
      currency: 'NOK',
      productCode: '10002',
      pricePolicy: { rules: [] },
      idempotencyKey: uniqueReference('recovery'),
      consent: { mode: 'none' },
      fingerprint: [],
      details: {},
    });
    const promptConsent = { mode: 'prompt', channel: 'sms', sender: '2222' } as const;
    const status = async (reference: string) => (await payments.status(service, reference))?.status;
    const prepaidDebits = (msisdn: string) => db.prepared('prepaid_debits', 'SELECT reference FROM sandbox_prepaid_debits WHERE msisdn = $1', [msisdn]);

    it('a charge the operator collects on the invoice is recorded as paid without any call', async () => {
      operator.behaviour = 'fails_before_operator';
      operator.billing = 'invoice';
      const charge = command('+4790000053');
      const result = await payments.charge(service, charge);
      operator.billing = 'realtime';
      assert.ok(result.ok);
      assert.equal(await status(charge.idempotencyKey), 'paid');
      assert.equal(operator.debited.size, 0);
      assert.deepEqual(await payments.spent(charge.subscriber, 'NOK', clock.now()), { monthMinor: 2500n, yearMinor: 2500n });
    });

    it('a debit that reached the operator before the line broke settles as paid', async () => {
      operator.behaviour = 'fails_after_operator';
      const charge = command('+4790000050');
      const result = await payments.charge(service, charge);
      assert.equal(result.ok ? 'ok' : result.error.kind, 'operator_timeout');
      clock.advance(3_000);
      assert.equal(await payments.settlePending(), 1);
      assert.equal(await status(charge.idempotencyKey), 'paid');
      assert.deepEqual(await payments.spent(charge.subscriber, 'NOK', clock.now()), { monthMinor: 2500n, yearMinor: 2500n });
    });

    it('a debit that never reached the operator settles as failed, releases the spend and frees the reference', async () => {
      operator.behaviour = 'fails_before_operator';
      const charge = command('+4790000051');
      const result = await payments.charge(service, charge);
      assert.equal(result.ok ? 'ok' : result.error.kind, 'operator_timeout');
      clock.advance(3_000);
      await payments.settlePending();
      assert.equal(await status(charge.idempotencyKey), 'failed');
      assert.deepEqual(await payments.spent(charge.subscriber, 'NOK', clock.now()), { monthMinor: 0n, yearMinor: 0n });

      operator.behaviour = 'debits';
      const retry = await payments.charge(service, charge);
      assert.ok(retry.ok);
      assert.equal(await status(charge.idempotencyKey), 'paid');
      assert.ok(operator.debited.has(`${retry.value.paymentId}.2`), 'the retry is a new debit reference');
    });

    it('a debit that lands after settlement gave up is given back through the outbox', async () => {
      operator.behaviour = 'debits';
      const charge = command('+4790000052');
      operator.duringDebit = async () => {
        // Settlement looks while the debit is still on its way and sees nothing yet.
        clock.advance(3_000);
        await payments.settlePending();
      };
      const result = await payments.charge(service, charge);
      operator.duringDebit = async () => {};
      assert.deepEqual(result.ok ? 'ok' : result.error.kind, 'debit_returned');
      assert.equal(await status(charge.idempotencyKey), 'failed');
      while ((await outbox.deliverDue()) > 0) {}
      const paymentId = (await payments.status(service, charge.idempotencyKey))?.paymentId;
      assert.deepEqual(operator.credited, [`${paymentId}.1`]);
    });

    it('a debit confirmed for an attempt that can no longer be paid queues its give-back in the settling statement, once', async () => {
      operator.behaviour = 'fails_before_operator';
      const charge = command('+4790000056');
      await payments.charge(service, charge);
      clock.advance(3_000);
      await payments.settlePending();
      const paymentId = (await payments.status(service, charge.idempotencyKey))?.paymentId ?? assert.fail();
      const repository = new SqlPaymentRepository(db);
      const firstDebit = { paymentId, attempt: 1, msisdn: charge.subscriber, amountMinor: 2500n, currency: 'NOK' as const };
      const giveBacks = () =>
        db.prepared<{ payload: unknown }>('give_backs', 'SELECT payload FROM outbox_events WHERE dedupe_key = $1', [`carrier.credit:${paymentId}.1`]);
      // The operator reports, twice, that the first debit happened after all.
      for (const _ of [1, 2]) assert.equal(await repository.settleDebited(firstDebit, 'operator:242-01:NOK', 'merchant:1:NOK', new Date()), 'failed');
      const expected = { debitReference: `${paymentId}.1`, msisdn: charge.subscriber, amountMinor: '2500', currency: 'NOK' };
      const payloads = (await giveBacks()).map((row) => (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload));
      assert.deepEqual(payloads, [expected]);
      // A retry makes attempt 2; the first attempt's debit is then superseded, and still given back once.
      operator.behaviour = 'debits';
      assert.ok((await payments.charge(service, { ...charge, amountMinor: 3000n })).ok);
      assert.equal(await repository.settleDebited(firstDebit, 'operator:242-01:NOK', 'merchant:1:NOK', new Date()), 'superseded');
      assert.equal((await giveBacks()).length, 1);
      assert.equal(await status(charge.idempotencyKey), 'paid');
    });

    it('settlement goes on past a payment it cannot settle, reports it, and gets round to every pending payment', async () => {
      operator.behaviour = 'fails_before_operator';
      const repository = new SqlPaymentRepository(db);
      const fresh = new PaymentService({ carrier: operator, payments: repository, clock });
      // Read without settling: a status query would settle (or try the broken lookup) itself.
      const stored = (reference: string) => repository.findByReference(service.serviceId, reference, new Date()).then((p) => p?.status);
      // 100 payments whose outcome stays unknown, one that cannot be looked at, then one that can settle.
      const unknown = Array.from({ length: 100 }, (_, i) => command(`+479100${String(i).padStart(4, '0')}`));
      const broken = command('+4790000058');
      const settleable = command('+4790000059');
      try {
        for (const charge of unknown) operator.statusOverrides.set(charge.subscriber, { kind: 'unknown' });
        for (const charge of [...unknown, broken, settleable]) await fresh.charge(service, charge);
        operator.brokenProfiles.add(broken.subscriber);
        clock.advance(3_000);
        const reported: string[] = [];
        for (let batch = 0; batch < 3 && (await stored(settleable.idempotencyKey)) === 'pending'; batch++) {
          await fresh.settlePending().catch((error: AggregateError) => reported.push(error.message));
        }
        assert.equal(await stored(settleable.idempotencyKey), 'failed', 'settled, behind 100 unknown ones and a broken one');
        assert.equal(await stored(broken.idempotencyKey), 'pending');
        assert.equal(reported.length, 1);
        assert.match(reported[0] ?? '', /^1 of \d+ pending payments could not be settled$/);
      } finally {
        operator.brokenProfiles.clear();
        for (const charge of unknown) operator.statusOverrides.delete(charge.subscriber);
      }
      // At the end of the list the walk starts over from the oldest.
      const oldestAndBroken = async () => [await stored(unknown[0]?.idempotencyKey ?? ''), await stored(broken.idempotencyKey)];
      for (let batch = 0; batch < 3 && (await oldestAndBroken()).includes('pending'); batch++) await fresh.settlePending();
      assert.deepEqual(await oldestAndBroken(), ['failed', 'failed']);
    });

    it('spend limits follow UTC calendar periods; a reversal gives back only to a period still current', async () => {
      operator.billing = 'invoice';
      const msisdn = '+4790000054';
      const november = command(msisdn);
      assert.ok((await payments.charge(service, november)).ok);
      const before = clock.now();
      // The first day of the next month at 00:30 UTC.
      const next = new Date(Date.UTC(before.getUTCFullYear(), before.getUTCMonth() + 1, 1, 0, 30));
      clock.advance(next.getTime() - before.getTime());
      assert.ok((await payments.charge(service, command(msisdn))).ok);
      const sameYear = next.getUTCMonth() !== 0;
      assert.deepEqual(await payments.spent(november.subscriber, 'NOK', clock.now()), {
        monthMinor: 2500n,
        yearMinor: sameYear ? 5000n : 2500n,
      });
      const paymentId = (await payments.status(service, november.idempotencyKey))?.paymentId ?? assert.fail();
      assert.ok((await payments.reverse(service, paymentId)).ok);
      assert.deepEqual(await payments.spent(november.subscriber, 'NOK', clock.now()), { monthMinor: 2500n, yearMinor: 2500n });
      operator.billing = 'realtime';
    });

    it('spend periods only move forward: a server whose clock is behind across the turn of a month forgets nothing', async () => {
      operator.billing = 'invoice';
      const repository = new SqlPaymentRepository(db);
      const behind = new TestClock();
      const now = behind.now();
      const ahead = new TestClock();
      ahead.advance(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1, 0, 0, 30) - now.getTime());
      const late = new PaymentService({ carrier: operator, payments: repository, clock: behind });
      const early = new PaymentService({ carrier: operator, payments: repository, clock: ahead });
      const msisdn = '+4790000057';
      const bigOld = { ...command(msisdn), amountMinor: 4000n };
      assert.ok((await late.charge(service, bigOld)).ok);
      assert.ok((await early.charge(service, command(msisdn))).ok, 'the new month starts');
      assert.ok((await late.charge(service, command(msisdn))).ok, 'a charge dated in the month just over');
      const sameYear = ahead.now().getUTCFullYear() === now.getUTCFullYear();
      assert.deepEqual(await early.spent(msisdn as Msisdn, 'NOK', ahead.now()), { monthMinor: 2500n, yearMinor: sameYear ? 9000n : 2500n });
      const paymentId = (await late.status(service, bigOld.idempotencyKey))?.paymentId ?? assert.fail();
      assert.ok((await late.reverse(service, paymentId)).ok, 'reversing the old month gives back nothing to the new one');
      assert.deepEqual(await early.spent(msisdn as Msisdn, 'NOK', ahead.now()), { monthMinor: 2500n, yearMinor: sameYear ? 5000n : 2500n });
      operator.billing = 'realtime';
    });

    it('a payment whose server died while asking the subscriber settles as failed once the prompt runs out', async () => {
      // Longer than the 3 s the clock moves past settlement's grace, with seconds to spare on a loaded machine.
      const PROMPT_LIFETIME_MS = 10_000;
      operator.billing = 'invoice';
      const requests = new SqlConfirmationRepository(db.kysely);
      const repository = new SqlPaymentRepository(db);
      // Writes the prompt, then never returns: the server died mid-wait. The prompt expires
      // by the platform clock, which settlement's status query reads too (decision 38).
      const dyingConfirmations = {
        confirm: async (request: Omit<NewConfirmation, 'createdAt' | 'expiresAt'>) => {
          await requests.create({ ...request, createdAt: clock.now(), expiresAt: new Date(clock.now().getTime() + PROMPT_LIFETIME_MS) });
          return new Promise<never>(() => {});
        },
      };
      const dying = new PaymentService({ carrier: operator, confirmations: dyingConfirmations, payments: repository, clock });
      const charge: ChargeCommand = { ...command('+4790000055'), consent: promptConsent };
      void dying.charge(service, charge);
      const prompted = async () => (await db.kysely.selectFrom('confirmation_requests').select('id').where('msisdn', '=', charge.subscriber).execute()).length;
      for (let i = 0; i < 100 && (await prompted()) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      clock.advance(3_000);
      await payments.settlePending();
      assert.equal((await payments.status(service, charge.idempotencyKey))?.status, 'pending', 'left alone while the prompt waits');
      clock.advance(PROMPT_LIFETIME_MS);
      await payments.settlePending();
      assert.equal((await payments.status(service, charge.idempotencyKey))?.status, 'failed');
      assert.deepEqual(await payments.spent(charge.subscriber, 'NOK', clock.now()), { monthMinor: 0n, yearMinor: 0n });
      operator.billing = 'realtime';
    });

    it('a payment awaiting confirmation is never collected before the subscriber says yes, whoever asks its status', async () => {
      // The sandbox network answers a status query for a debit it never saw by debiting
      // (prepaid) or "debited" (invoice): only settlement's own rules can keep it from that.
      // A clock of its own: the shared one was moved a month ahead of the database's.
      const clock = new TestClock();
      const sandbox = new SandboxNetwork(new SqlSandboxPrepaidStore(db.kysely), clock);
      const repository = new SqlPaymentRepository(db);
      let inspect: () => Promise<void> = async () => {};
      const decliningAfterALook = {
        confirm: async () => {
          await inspect();
          return 'declined' as const;
        },
      };
      const asking = new PaymentService({ carrier: sandbox, confirmations: decliningAfterALook, payments: repository, clock });
      for (const msisdn of ['+4790000000', '+4790000005']) {
        const charge: ChargeCommand = { ...command(msisdn), consent: promptConsent };
        inspect = async () => {
          // GetPaymentStatus and the worker, while the prompt is being written.
          assert.equal((await asking.status(service, charge.idempotencyKey))?.status, 'pending', msisdn);
          clock.advance(3_000);
          await asking.settlePending();
          assert.equal((await asking.status(service, charge.idempotencyKey))?.status, 'pending', msisdn);
        };
        const result = await asking.charge(service, charge);
        assert.equal(result.ok ? 'ok' : result.error.kind, 'declined', msisdn);
        assert.equal(await status(charge.idempotencyKey), 'failed', msisdn);
        assert.deepEqual(await asking.spent(charge.subscriber, 'NOK', clock.now()), { monthMinor: 0n, yearMinor: 0n });
      }
      assert.deepEqual(await prepaidDebits('+4790000005'), [], 'the prepaid wallet was never drawn');
      await assertLedgerConsistent({ db });
    });

    it('a payment whose server died before it could ask the subscriber fails once the prompt would be overdue', async () => {
      // A clock of its own: the shared one was moved a month ahead of the database's.
      const clock = new TestClock();
      const sandbox = new SandboxNetwork(new SqlSandboxPrepaidStore(db.kysely), clock);
      const repository = new SqlPaymentRepository(db);
      const dyingBeforeThePrompt = {
        confirm: async () => {
          throw new Error('the process died');
        },
      };
      const dying = new PaymentService({ carrier: sandbox, confirmations: dyingBeforeThePrompt, payments: repository, clock });
      const charge: ChargeCommand = { ...command('+4790000005'), consent: promptConsent };
      await assert.rejects(dying.charge(service, charge), /the process died/);
      const survivor = new PaymentService({ carrier: sandbox, payments: repository, clock });
      clock.advance(3_000);
      await survivor.settlePending();
      assert.equal((await survivor.status(service, charge.idempotencyKey))?.status, 'pending', 'its request may still be about to ask');
      clock.advance(30_000);
      await survivor.settlePending();
      assert.equal((await survivor.status(service, charge.idempotencyKey))?.status, 'failed');
      assert.deepEqual(await survivor.spent(charge.subscriber, 'NOK', clock.now()), { monthMinor: 0n, yearMinor: 0n });
      assert.deepEqual(await prepaidDebits(charge.subscriber), [], 'the prepaid wallet was never drawn');
    });
  });
}
