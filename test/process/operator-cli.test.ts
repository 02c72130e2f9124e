import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { basicAuth, databaseUrlFor, engines, uniqueReference } from '../support/app.js';
import { runToExit, type ServerProcess, startServerProcess } from '../support/server-process.js';

const RUN_MS = 60_000;

/** `opendcb merchants|endpoints|credentials|products|plans` as operators run them: child processes on a real data directory. */
describe('operator CLI on the embedded database', () => {
  let dataDir = '';
  let server: ServerProcess | undefined;
  const cli = (args: string[], stdin?: string) => runToExit(args, { DATA_DIR: dataDir, DATABASE_URL: '' }, RUN_MS, stdin);
  const outcome = async (args: string[], stdin?: string) => {
    const run = await cli(args, stdin);
    return { code: run.code, stdout: run.stdout, stderr: run.stderr };
  };
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'opendcb-cli-'));
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('onboards a Strex merchant whose existing password keeps working, and revokes it', async () => {
    assert.deepEqual(await outcome(['merchants', 'create', '--name', 'Shop AS']), { code: 0, stdout: 'merchant 1 created\n', stderr: '' });
    assert.deepEqual(
      await outcome(['endpoints', 'add', '--merchant', '1', '--kind', 'strex-directpay', '--name', 'Shop', '--currency', 'NOK', '--vendor-id', 'service-id=3000']),
      { code: 0, stdout: 'endpoint 3000 added: strex-directpay of merchant 1, settings {"platform":"directpay"}\n', stderr: '' },
    );
    assert.deepEqual(await outcome(['credentials', 'issue', '--endpoint', '3000', '--kind', 'basic', '--identifier', 'shop', '--secret-stdin'], 'shop-password\n'), {
      code: 0,
      stdout: 'credential 1 issued: basic for endpoint 3000, identifier shop\npassword: shop-password\nThe secret is shown this once: OpenDCB keeps only a hash of it.\n',
      stderr: '',
    });
    server = await startServerProcess({ DATA_DIR: dataDir, DATABASE_URL: '' });
    const pay = () =>
      fetch(`${server?.baseUrl}/RestV1.svc/service/3000/pay`, {
        method: 'POST',
        headers: { authorization: basicAuth('shop', 'shop-password'), 'content-type': 'application/json' },
        body: JSON.stringify({ PaymentDetails: { Msisdn: '+4790000000', Price: 1000, ServiceCode: '10002', ClientReference: uniqueReference('cli') } }),
      });
    assert.equal((await pay()).status, 200);
    // The server holds the embedded database: the CLI is refused and touches nothing.
    const refused = await outcome(['credentials', 'revoke', '--credential', '1']);
    assert.deepEqual(refused, {
      code: 1,
      stdout: '',
      stderr:
        `DATA_DIR ${dataDir} is in use by another OpenDCB process (PID ${server.child.pid}): the embedded database belongs to one process. ` +
        'Stop that process, or use PostgreSQL (DATABASE_URL) to run several.\n',
    });
    assert.equal((await pay()).status, 200, 'the server runs on');
    await server.stop();
    server = undefined;
    assert.deepEqual(await outcome(['credentials', 'revoke', '--credential', '1']), {
      code: 0,
      stdout: 'credential 1 revoked: basic shop of endpoint 3000\n',
      stderr: '',
    });
    server = await startServerProcess({ DATA_DIR: dataDir, DATABASE_URL: '' });
    assert.equal((await pay()).status, 401);
    await server.stop();
    server = undefined;
  });

  it('usage errors exit 2 with one line, before the database is opened; refusals exit 1 with their reasons', async () => {
    assert.deepEqual(await outcome(['endpoints', 'add', '--merchant', '1e0', '--kind', 'native', '--name', 'N', '--currency', 'NOK']), {
      code: 2,
      stdout: '',
      stderr: '--merchant must be an integer of at least 1, written in digits: 1e0\n',
    });
    assert.deepEqual(await outcome(['merchants', 'create', '--nmae', 'x']), {
      code: 2,
      stdout: '',
      stderr: "Unknown option '--nmae'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--nmae\"\n",
    });
    // What the operator typed is echoed as escapes: a newline cannot forge a second line, nor
    // an escape sequence repaint the terminal; parseArgs' own multi-line hints are one line.
    assert.deepEqual(await outcome(['endpoints', 'add', '--merchant', '1\n2\u001b[2J\u202e', '--kind', 'native', '--name', 'N', '--currency', 'NOK']), {
      code: 2,
      stdout: '',
      stderr: '--merchant must be an integer of at least 1, written in digits: 1\\n2\\x1b[2J\\u202e\n',
    });
    assert.deepEqual(await outcome(['credentials', 'list', '--endpoint', '-1']), {
      code: 2,
      stdout: '',
      stderr:
        "Option '--endpoint' argument is ambiguous. Did you forget to specify the option argument for '--endpoint'? To specify an option argument starting with a dash use '--endpoint=-XYZ'.\n",
    });
    assert.deepEqual(await outcome(['merchants', 'delete']), { code: 2, stdout: '', stderr: 'unknown command: opendcb merchants delete (opendcb merchants create|list)\n' });
    assert.deepEqual(
      await outcome(['endpoints', 'add', '--merchant', '1', '--kind', 'infomedia-payments', '--name', 'I', '--currency', 'ZAR', '--vendor-id', 'partner-id=100', '--settings', '{"notifyUrl":"ftp://x","colour":1}']),
      {
        code: 1,
        stdout: '',
        stderr:
          'the endpoint was not added: unknown setting colour; setting notifyUrl must be an http:// or https:// URL; vendor id paid is required (the PAID, a lower-case UUID)\n',
      },
    );
    assert.deepEqual(await outcome(['credentials', 'issue', '--endpoint', '3000', '--kind', 'api-key']), {
      code: 1,
      stdout: '',
      stderr: "this endpoint's API does not take api-key credentials, only basic\n",
    });
    assert.deepEqual(await outcome(['products', 'add', '--merchant', '1', '--name', 'P', '--id', '1000000000']), {
      code: 1,
      stdout: '',
      stderr: 'product id must be 1-999999999 when given (larger ones are generated)\n',
    });
  });

  it('API keys, products and plans: the key is printed once and never listed', async () => {
    const added = await outcome(['endpoints', 'add', '--merchant', '1', '--kind', 'native', '--name', 'Native', '--currency', 'NOK']);
    const endpointId = /^endpoint (\d+) added: native of merchant 1, settings \{\}\n$/.exec(added.stdout)?.[1] ?? assert.fail(JSON.stringify(added));
    const issued = await outcome(['credentials', 'issue', '--endpoint', endpointId, '--kind', 'api-key']);
    // The server's start seeded the demo credentials meanwhile: this one's id is whatever came next.
    const [, credentialId = '', keyId, key] =
      /^credential (\d) issued: api-key for endpoint \d+, identifier ([a-z2-7]{16})\napiKey: (sk_[a-z2-7]{16}_[A-Za-z0-9_-]{43})\n/.exec(issued.stdout) ?? assert.fail(issued.stdout);
    const listed = await outcome(['credentials', 'list', '--endpoint', endpointId]);
    assert.deepEqual(listed, { code: 0, stdout: `id  kind     identifier        allowed sources  state\n${credentialId}   api-key  ${keyId}  any              live\n`, stderr: '' });
    assert.ok(!listed.stdout.includes(key ?? ''));
    // The demo merchant already sells the seeded Infomedia products 1001-1003 (DESIGN.md): these ids are free.
    assert.deepEqual(await outcome(['products', 'add', '--merchant', '1', '--name', 'Games', '--id', '5001']), { code: 0, stdout: 'product 5001 added for merchant 1\n', stderr: '' });
    assert.deepEqual(await outcome(['plans', 'add', '--product', '5001', '--amount-minor', '500', '--currency', 'ZAR', '--every', '1', 'week', '--trial-days', '3', '--id', '5002']), {
      code: 0,
      stdout: 'plan 5002 added to product 5001: 5.00 ZAR every week, 3-day free trial\n',
      stderr: '',
    });
    assert.deepEqual(await outcome(['plans', 'add', '--product', '5001', '--amount-minor', '500', '--currency', 'ZAR', '--once', '--every', '1', 'week']), {
      code: 2,
      stdout: '',
      stderr: 'give either --once or --every <n> <day|week|month>\n',
    });
    const listedProducts = await outcome(['products', 'list', '--merchant', '1']);
    assert.equal(listedProducts.code, 0);
    assert.match(listedProducts.stdout, /\n5001 +Games +5002 +5.00 ZAR every week, 3-day free trial\n$/);
  });
});

if (engines().includes('postgres')) {
  describe('operator CLI on PostgreSQL', () => {
    let server: ServerProcess | undefined;
    after(() => server?.stop());

    it('runs beside a running server, which sees the new credential', async () => {
      const databaseUrl = (await databaseUrlFor('postgres', 'operator_cli')) ?? assert.fail();
      server = await startServerProcess({ DATABASE_URL: databaseUrl });
      const cli = (args: string[], stdin?: string) => runToExit(args, { DATABASE_URL: databaseUrl }, RUN_MS, stdin);
      const created = await cli(['merchants', 'create', '--name', 'Beside']);
      const merchantId = /^merchant (\d+) created\n$/.exec(created.stdout)?.[1] ?? assert.fail(created.stderr);
      assert.equal((await cli(['endpoints', 'add', '--merchant', merchantId, '--kind', 'strex-directpay', '--name', 'B', '--currency', 'NOK', '--vendor-id', 'service-id=3100'])).code, 0);
      assert.equal((await cli(['credentials', 'issue', '--endpoint', '3100', '--kind', 'basic', '--identifier', 'beside', '--secret-stdin'], 'beside-password\n')).code, 0);
      const paid = await fetch(`${server.baseUrl}/RestV1.svc/service/3100/pay`, {
        method: 'POST',
        headers: { authorization: basicAuth('beside', 'beside-password'), 'content-type': 'application/json' },
        body: JSON.stringify({ PaymentDetails: { Msisdn: '+4790000000', Price: 1000, ServiceCode: '10002', ClientReference: uniqueReference('pg-cli') } }),
      });
      assert.equal(paid.status, 200);
    });
  });
}
