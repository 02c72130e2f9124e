import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { DEMO_AUTH, uniqueReference } from '../support/app.js';
import { startServerProcess } from '../support/server-process.js';

/** SIGTERM during a rolling restart: a waiting Pay is answered, and the exit says what was abandoned. */
describe('opendcb serve on SIGTERM', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'opendcb-sigterm-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('answers a Pay waiting for the subscriber with the in-progress fault, then exits 0 saying so', async () => {
    const server = await startServerProcess({ DATA_DIR: dataDir, SHUTDOWN_GRACE_MS: '200' });
    const paying = fetch(`${server.baseUrl}/RestV1.svc/service/1000/pay`, {
      method: 'POST',
      headers: { authorization: DEMO_AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ PaymentDetails: { Msisdn: '+4790000014', Price: 1000, ServiceCode: '10002', ClientReference: uniqueReference('term'), SecurityLevel: 2 } }),
    });
    for (let i = 0; i < 100; i++) {
      const prompts = (await (await fetch(`${server.baseUrl}/sandbox/handsets/4790000014/prompts`)).json()) as unknown[];
      if (prompts.length > 0) break;
      await sleep(20);
    }
    const exited = server.stop();
    const response = await paying;
    assert.equal(response.status, 424);
    assert.deepEqual(await response.json(), {
      Code: 9,
      Description: 'The server restarted while the subscriber was being asked; the payment is in progress',
    });
    assert.equal(await exited, 0);
    assert.match(server.output(), /"abandonedConfirmations":1,"msg":"OpenDCB stopped: 1 waits for a subscriber's answer abandoned/);
  });
});
