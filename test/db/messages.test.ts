import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { NewMessage } from '../../src/core/messaging/ports.js';
import type { Msisdn } from '../../src/kernel/msisdn.js';
import { type Database, openDatabase } from '../../src/storage/db.js';
import { migrate } from '../../src/storage/migrate.js';
import { SqlMessageStore } from '../../src/storage/repositories/messages.js';
import { databaseUrlFor, engines } from '../support/app.js';

const AT = new Date('2026-12-04T12:00:00Z');
const LATER = new Date('2026-12-06T12:00:00Z');

function messages(merchantId: number | null, submissionKey: string, count: number, overrides: Partial<NewMessage> = {}): NewMessage[] {
  return Array.from({ length: count }, (_, recipientIndex) => ({
    merchantId,
    endpointId: null,
    campaignId: null,
    submissionKey,
    recipientIndex,
    to: `+47900${String(recipientIndex).padStart(5, '0')}` as Msisdn,
    from: '31000',
    text: `hello ${recipientIndex}`,
    secret: false,
    encoding: 'gsm7',
    segments: 1,
    dueAt: AT,
    expiresAt: LATER,
    createdAt: AT,
    ...overrides,
  }));
}

/** Messages in the database: one per submission and recipient, claims shared by SKIP LOCKED, receipts once. */
for (const engine of engines()) {
  describe(`message store [${engine}]`, () => {
    let db: Database;
    let store: SqlMessageStore;
    let merchantId: number;
    before(async () => {
      db = await openDatabase({ databaseUrl: await databaseUrlFor(engine, 'messages'), dataDir: 'memory://', poolSize: 20 });
      await migrate(db);
      store = new SqlMessageStore(db.kysely);
      const { rows } = await sql<{ id: string }>`INSERT INTO merchants (name, created_at) VALUES ('m', now()) RETURNING id`.execute(db.kysely);
      merchantId = Number(rows[0]?.id);
    });
    after(() => db.close());

    it('20 concurrent submissions with one key store one of them, whole; a longer one with the key stores nothing', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => store.enqueue(messages(merchantId, 'dup', 50))));
      assert.equal(results.filter((r) => r !== 'duplicate').length, 1);
      assert.deepEqual(await store.enqueue(messages(merchantId, 'dup', 51)), 'duplicate');
      const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM messages WHERE submission_key = 'dup'`.execute(db.kysely);
      assert.equal(Number(rows[0]?.n), 50);
      const platform = await store.enqueue(messages(null, 'dup', 1));
      assert.notEqual(platform, 'duplicate', 'the platform\'s keys are its own');
    });

    it('concurrent claims take disjoint messages, each once, due ones only; a release makes one due again later', async () => {
      await store.enqueue(messages(merchantId, 'claims', 300));
      await store.enqueue(messages(merchantId, 'future', 5, { dueAt: LATER, expiresAt: new Date(LATER.getTime() + 1000) }));
      await sql`UPDATE messages SET state = 'expired', finished_at = now() WHERE submission_key = 'dup'`.execute(db.kysely);
      await sql`UPDATE messages SET state = 'expired', finished_at = now() WHERE merchant_id IS NULL`.execute(db.kysely);
      const claims = await Promise.all(Array.from({ length: 6 }, () => store.claimDue(100, 60_000, AT)));
      const ids = claims.flat().map((m) => m.id);
      assert.equal(ids.length, 300);
      assert.equal(new Set(ids).size, 300);
      assert.deepEqual(await store.claimDue(100, 60_000, AT), [], 'leased ones are skipped');
      const first = claims.flat()[0];
      assert.ok(first);
      await store.release([first.id], new Date(AT.getTime() + 1_000));
      assert.deepEqual(await store.claimDue(100, 60_000, new Date(AT.getTime() + 999)), []);
      assert.deepEqual((await store.claimDue(100, 60_000, new Date(AT.getTime() + 30_000))).map((m) => [m.id, m.attempts]), [[first.id, 2]]);
    });

    it('submitted with the SMSC id, secrets erased; receipts once per SMSC id, early ones applied later', async () => {
      const queued = await store.enqueue(messages(merchantId, 'receipts', 3, { secret: true, text: 'code 123456' }));
      assert.notEqual(queued, 'duplicate');
      const [a, b, c] = queued === 'duplicate' ? [] : queued.ids;
      assert.ok(a && b && c);
      const early = await store.recordReceipts('smpp', [{ connectorMessageId: 'id-c', status: 'delivered', receivedAt: AT }]);
      assert.deepEqual(early, ['unmatched']);
      const moved = await store.markSubmitted(
        [a, b, c].map((id, i) => ({ id, connector: 'smpp', connectorMessageId: `id-${'abc'[i]}` })),
        AT,
      );
      assert.deepEqual(moved.sort(), [a, b, c].sort());
      assert.deepEqual(await store.markSubmitted([{ id: a, connector: 'smpp', connectorMessageId: 'again' }], AT), [], 'only from queued');
      const outcomes = await store.recordReceipts('smpp', [
        { connectorMessageId: 'id-a', status: 'delivered', receivedAt: AT },
        { connectorMessageId: 'id-b', status: 'failed', reason: 'UNDELIV', receivedAt: AT },
        { connectorMessageId: 'id-a', status: 'failed', receivedAt: AT },
        { connectorMessageId: 'id-c', status: 'failed', receivedAt: AT },
      ]);
      assert.deepEqual(outcomes, ['applied', 'applied', 'duplicate', 'duplicate']);
      assert.equal(await store.applyPendingReceipts(100), 1);
      assert.equal(await store.applyPendingReceipts(100), 0);
      const found = await Promise.all([a, b, c].map((id) => store.find(id)));
      assert.deepEqual(found.map((m) => [m?.state, m?.text, m?.failureReason, m?.connectorMessageId]), [
        ['delivered', null, null, 'id-a'],
        ['failed', null, 'UNDELIV', 'id-b'],
        ['delivered', null, null, 'id-c'],
      ]);
    });

    it('receipts that never found their message are pruned after their wait, the oldest first; applied and recent ones stay', async () => {
      const dayMs = 24 * 3_600_000;
      const at = (days: number) => new Date(AT.getTime() + days * dayMs);
      const queued = await store.enqueue(messages(merchantId, 'prune', 1));
      assert.notEqual(queued, 'duplicate');
      const [mine] = queued === 'duplicate' ? [] : queued.ids;
      assert.ok(mine);
      await store.markSubmitted([{ id: mine, connector: 'prune', connectorMessageId: 'mine' }], AT);
      assert.deepEqual(
        await store.recordReceipts('prune', [
          { connectorMessageId: 'mine', status: 'delivered', receivedAt: at(-30) },
          { connectorMessageId: 'stray-1', status: 'delivered', receivedAt: at(-20) },
          { connectorMessageId: 'stray-2', status: 'failed', receivedAt: at(-10) },
          { connectorMessageId: 'stray-3', status: 'delivered', receivedAt: at(-1) },
        ]),
        ['applied', 'unmatched', 'unmatched', 'unmatched'],
      );
      assert.equal(await store.pruneUnmatchedReceipts(at(-5), 1), 1, 'at most the limit, the oldest first');
      assert.equal(await store.pruneUnmatchedReceipts(at(-5), 100), 1);
      assert.equal(await store.pruneUnmatchedReceipts(at(-5), 100), 0);
      // What is left is seen as before: the applied one a duplicate, the recent stray still kept; the pruned ones are new again.
      assert.deepEqual(
        await store.recordReceipts('prune', ['mine', 'stray-3', 'stray-1'].map((id) => ({ connectorMessageId: id, status: 'delivered' as const, receivedAt: AT }))),
        ['duplicate', 'duplicate', 'unmatched'],
      );
    });

    it('rejected and expired messages end; a live lease keeps a queued one from expiring under its submission', async () => {
      const queued = await store.enqueue(messages(merchantId, 'ends', 3, { expiresAt: new Date(AT.getTime() + 1_000) }));
      const [a, b, c] = queued === 'duplicate' ? [] : queued.ids;
      assert.ok(a && b && c);
      assert.equal(await store.markRejected(a, 'invalid_destination', AT), true);
      assert.equal(await store.markRejected(a, 'again', AT), false);
      assert.ok(await store.claim(b, 60_000, AT));
      assert.equal(await store.claim(b, 60_000, AT), null, 'a claimed one is not claimed again');
      await sql`UPDATE messages SET state = 'expired', finished_at = now() WHERE state IN ('queued', 'submitted') AND id NOT IN (${b}, ${c})`.execute(db.kysely);
      assert.equal(await store.expireDue(new Date(AT.getTime() + 2_000), 100), 1);
      const ended = await Promise.all([a, b, c].map((id) => store.find(id)));
      assert.deepEqual(ended.map((m) => m?.state), ['failed', 'queued', 'expired']);
      assert.equal(await store.queuedCount(), 1);
    });

    it('20 concurrent first uses of a campaign id make one campaign', async () => {
      const ids = await Promise.all(Array.from({ length: 20 }, () => store.campaign(merchantId, 'PIN-1', AT)));
      assert.equal(new Set(ids).size, 1);
      assert.notEqual(await store.campaign(merchantId, 'PIN-2', AT), ids[0]);
    });
  });
}
