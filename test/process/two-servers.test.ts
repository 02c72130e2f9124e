import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { DEMO_AUTH, databaseUrlFor, uniqueReference } from '../support/app.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const REQUESTS_PER_SERVER = 25;

/** Two server processes on one PostgreSQL: no in-process state may decide a charge. */
describe('two server processes on one PostgreSQL', { skip: !process.env.TEST_POSTGRES_URL && 'needs TEST_POSTGRES_URL' }, () => {
  let servers: ServerProcess[] = [];
  let databaseUrl = '';
  before(async () => {
    databaseUrl = (await databaseUrlFor('postgres', 'two_servers')) ?? '';
    // Both start at once: migrations and seeding must be safe to race. Their workers are off:
    // background work is the separate `opendcb worker` process below.
    const started = await Promise.allSettled([0, 1].map(() => startServerProcess({ DATABASE_URL: databaseUrl, WORKERS: 'false' })));
    servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failure = started.find((s) => s.status === 'rejected');
    if (failure) throw failure.reason;
  });
  after(async () => {
    for (const server of servers) await server.stop();
  });

  const pay = (server: ServerProcess, details: Record<string, unknown>) =>
    fetch(`${server.baseUrl}/RestV1.svc/service/1000/pay`, {
      method: 'POST',
      headers: { authorization: DEMO_AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ PaymentDetails: details }),
    }).then(async (response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> }));

  it('the same ClientReference sent to both at once is charged once', async () => {
    const details = { Msisdn: '+4790000040', Price: 1500, ServiceCode: '10002', ClientReference: uniqueReference('two') };
    const responses = await Promise.all(
      Array.from({ length: REQUESTS_PER_SERVER * 2 }, (_, i) => pay(servers[i % 2] as ServerProcess, details)),
    );
    const ids = new Set(responses.map((r) => r.body.TransactionId));
    assert.equal(ids.size, 1);
    for (const r of responses) assert.deepEqual(r, { status: 200, body: { ClientReference: details.ClientReference, TransactionId: [...ids][0] } });

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const payments = await client.query('SELECT count(*)::int AS n FROM payments WHERE client_reference = $1', [details.ClientReference]);
      const entries = await client.query('SELECT count(*)::int AS n FROM journal_entries WHERE payment_id = $1', [[...ids][0]]);
      const spent = await client.query(
        "SELECT month_spent_minor::int AS m, year_spent_minor::int AS y FROM subscriber_spend WHERE msisdn = '+4790000040'",
      );
      assert.deepEqual([payments.rows[0].n, entries.rows[0].n, spent.rows], [1, 1, [{ m: 1500, y: 1500 }]]);
    } finally {
      await client.end();
    }
  });

  it('a payment made on one server is read and reversed on the other', async () => {
    const details = { Msisdn: '+4790000041', Price: 200, ServiceCode: '10002', ClientReference: uniqueReference('two') };
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const paid = await pay(a, details);
    const headers = { authorization: DEMO_AUTH };
    const reversed = await fetch(`${b.baseUrl}/restv1.svc/service/1000/pay/${paid.body.TransactionId}`, { method: 'DELETE', headers });
    assert.deepEqual(await reversed.json(), { TransactionId: paid.body.TransactionId });
    const status = await fetch(`${a.baseUrl}/RestV1.svc/service/1000/pay/${details.ClientReference}`, { headers });
    assert.deepEqual(await status.json(), { ClientReference: details.ClientReference, PaymentStatus: 2, TransactionId: paid.body.TransactionId });
  });

  it('a separate `opendcb worker` settles a late payment without anyone asking', async () => {
    const [a] = servers as [ServerProcess];
    const worker = await startServerProcess({ DATABASE_URL: databaseUrl }, 'worker');
    try {
      const details = { Msisdn: '+4790000010', Price: 300, ServiceCode: '10002', ClientReference: uniqueReference('late') };
      const late = await pay(a, details);
      assert.deepEqual(late, { status: 424, body: { Code: 9, Description: 'The operator did not answer in time; the payment is in progress' } });
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const statusOf = async () =>
          (await client.query('SELECT status FROM payments WHERE client_reference = $1', [details.ClientReference])).rows[0]?.status;
        const deadline = Date.now() + 15_000;
        while ((await statusOf()) === 'pending' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
        assert.equal(await statusOf(), 'paid');
      } finally {
        await client.end();
      }
    } finally {
      assert.equal(await worker.stop(), 0);
    }
  });

  it('SIGTERM shuts a server down cleanly', async () => {
    const server = servers.pop() as ServerProcess;
    assert.equal(await server.stop(), 0);
    await assert.rejects(fetch(`${server.baseUrl}/healthz`));
  });
});
