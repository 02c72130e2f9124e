import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ledgerExpiryJob } from '../../src/jobs/ledger-expiry.js';
import { ledgerRollupJob } from '../../src/jobs/ledger-rollup.js';

describe('ledger jobs', () => {
  const rollup = (outcome: { transfers: number; accounts: number; complete: boolean }) => ledgerRollupJob({ rollUp: async () => outcome }).run();

  it('the rollup runs again at once only while a backlog remains, also after a step with no posted transfer', async () => {
    assert.equal(await rollup({ transfers: 40, accounts: 2, complete: true }), 0);
    assert.equal(await rollup({ transfers: 40, accounts: 2, complete: false }), 40);
    assert.equal(await rollup({ transfers: 0, accounts: 0, complete: false }), 1);
  });

  it('the expiry reports how many it voided', async () => {
    assert.equal(await ledgerExpiryJob({ expireDue: async () => 3 }).run(), 3);
    assert.equal(await ledgerExpiryJob({ expireDue: async () => 0 }).run(), 0);
  });
});
