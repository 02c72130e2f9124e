import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('has the README defaults, and an empty variable means its default', () => {
    for (const env of [{}, { PORT: '', DATABASE_POOL_SIZE: '', SANDBOX: '', WORKERS: '' }]) {
      const config = loadConfig(env);
      assert.deepEqual(
        { port: config.port, pool: config.databasePoolSize, sandbox: config.sandbox, workers: config.workers, dataDir: config.dataDir },
        { port: 8080, pool: 20, sandbox: true, workers: true, dataDir: './data' },
      );
    }
    assert.equal(loadConfig({ PORT: '0' }).port, 0, 'port 0: any free port');
  });

  it('refuses values out of bounds with the variable named', () => {
    assert.throws(() => loadConfig({ PORT: '65536' }), /^Error: PORT must be an integer 0-65535, got 65536$/);
    assert.throws(() => loadConfig({ PORT: 'http' }), /^Error: PORT must be an integer 0-65535, got http$/);
    assert.throws(() => loadConfig({ DATABASE_POOL_SIZE: '0' }), /^Error: DATABASE_POOL_SIZE must be an integer 1-500, got 0$/);
    assert.throws(() => loadConfig({ WORKERS: 'maybe' }), /^Error: WORKERS must be true or false, got maybe$/);
  });
});
