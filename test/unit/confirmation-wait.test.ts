import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SERVICE = fileURLToPath(new URL('../../src/core/confirmations/service.js', import.meta.url));

/**
 * A wait for the subscriber holds the process: the suite once lost 21 tests to "Promise
 * resolution is still pending but the event loop has already resolved" because the wait's
 * timers were unref'd and, on PGlite, only an incidental database timer kept the loop up.
 */
describe('a confirmation wait', () => {
  it('keeps the event loop alive on its own until it ends, and shutdown ends it', () => {
    const script = `
      import { ConfirmationService } from ${JSON.stringify(SERVICE)};
      const rows = new Map();
      const requests = {
        async create() { rows.set(1, 'waiting'); return 1; },
        async answer() { return false; },
        async expire(id) { const was = rows.get(id) === 'waiting'; rows.set(id, 'expired'); return was; },
        async outcomes() { return new Map(); },
        async waitingFor() { return []; },
      };
      const service = new ConfirmationService({ requests, prompter: { async prompt() {} }, clock: { now: () => new Date() }, timeoutMs: 300 });
      let ended = false;
      process.on('beforeExit', () => { if (!ended) console.log('drained while waiting'); });
      const outcome = await service.confirm({ serviceId: 1, payment: { paymentId: 1, attempt: 1 }, msisdn: '+4790000013', channel: 'sms', shortNumber: '2222', prompt: 'ok?' });
      ended = true;
      console.log(outcome);
      const second = service.confirm({ serviceId: 1, payment: { paymentId: 2, attempt: 1 }, msisdn: '+4790000013', channel: 'sms', shortNumber: '2222', prompt: 'ok?' });
      setTimeout(async () => console.log(JSON.stringify(await service.shutdown(0))), 20);
      console.log(await second);`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(child.stderr, '');
    assert.deepEqual(child.stdout.trim().split('\n'), ['expired', 'abandoned', '{"abandoned":1}']);
  });
});
