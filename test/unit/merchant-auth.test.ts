import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MerchantRepository, StoredCredential } from '../../src/core/merchants/ports.js';
import { MerchantService } from '../../src/core/merchants/service.js';
import type { ServiceContext } from '../../src/core/merchants/types.js';
import { hashSecret } from '../../src/kernel/secrets.js';

const SERVICE: ServiceContext = { serviceId: 1000, merchantId: 1, platform: 'directpay', currency: 'NOK', requiresVerifiedMsisdn: false };

/** A repository with one credential that counts how often it is asked. */
async function repositoryWith(password: string) {
  const stored: StoredCredential = { service: SERVICE, passwordHash: await hashSecret(password) };
  const calls = { findCredential: 0 };
  const repository: MerchantRepository = {
    async findCredential(serviceId, username) {
      calls.findCredential += 1;
      return serviceId === 1000 && username === 'demo' ? stored : null;
    },
    createMerchant: async () => 1,
    createService: async () => {},
    addCredential: async () => {},
    serviceExists: async () => true,
  };
  return { repository, calls };
}

describe('service authentication', () => {
  it('verifies once, then answers from the cache; concurrent first checks share one hash', async () => {
    const { repository, calls } = await repositoryWith('secret');
    const merchants = new MerchantService(repository);
    const results = await Promise.all(Array.from({ length: 10 }, () => merchants.authenticate(1000, 'demo', 'secret')));
    for (const result of results) assert.deepEqual(result, SERVICE);
    assert.equal(calls.findCredential, 1);
    assert.deepEqual(await merchants.authenticate(1000, 'demo', 'secret'), SERVICE);
    assert.equal(calls.findCredential, 1);
  });

  it('refuses wrong, empty, oversized and foreign credentials', async () => {
    const { repository } = await repositoryWith('secret');
    const merchants = new MerchantService(repository);
    assert.equal(await merchants.authenticate(1000, 'demo', 'Secret'), null);
    assert.equal(await merchants.authenticate(1000, 'demo', ''), null);
    assert.equal(await merchants.authenticate(1000, 'demo', 'x'.repeat(201)), null);
    assert.equal(await merchants.authenticate(1001, 'demo', 'secret'), null);
    assert.equal(await merchants.authenticate(0, 'demo', 'secret'), null);
  });

  it('after 20 failures guesses are refused without hashing, while a verified credential keeps working', async () => {
    const { repository, calls } = await repositoryWith('secret');
    const merchants = new MerchantService(repository);
    assert.deepEqual(await merchants.authenticate(1000, 'demo', 'secret'), SERVICE);
    for (let i = 0; i < 20; i++) assert.equal(await merchants.authenticate(1000, 'demo', `guess-${i}`), null);
    const before = calls.findCredential;
    const started = performance.now();
    for (let i = 0; i < 100; i++) assert.equal(await merchants.authenticate(1000, 'demo', `more-${i}`), null);
    assert.equal(calls.findCredential, before, 'no lookups, no hashes');
    assert.ok(performance.now() - started < 100);
    assert.deepEqual(await merchants.authenticate(1000, 'demo', 'secret'), SERVICE);
  });
});
