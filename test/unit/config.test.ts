import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('has the README defaults, and an empty variable means its default', () => {
    for (const env of [{}, { PORT: '', DATABASE_POOL_SIZE: '', SANDBOX: '', WORKERS: '', HOST: '', LOG_LEVEL: '', METRICS_TOKEN: '' }]) {
      const config = loadConfig(env);
      assert.deepEqual(
        {
          port: config.port,
          host: config.host,
          pool: config.databasePoolSize,
          sandbox: config.sandbox,
          workers: config.workers,
          dataDir: config.dataDir,
          logLevel: config.logLevel,
          metricsToken: config.metricsToken,
        },
        { port: 8080, host: '127.0.0.1', pool: 20, sandbox: true, workers: true, dataDir: './data', logLevel: 'info', metricsToken: undefined },
      );
    }
    assert.equal(loadConfig({ PORT: '0' }).port, 0, 'port 0: any free port');
  });

  it('listens on this machine only while the sandbox is on, unless HOST says otherwise', () => {
    assert.equal(loadConfig({}).host, '127.0.0.1');
    assert.equal(loadConfig({ SANDBOX: 'false' }).host, '0.0.0.0');
    for (const host of ['0.0.0.0', '::', '::1', '192.168.1.20', 'localhost', 'opendcb.internal']) assert.equal(loadConfig({ HOST: host }).host, host);
  });

  it('refuses values out of bounds with the variable named', () => {
    assert.throws(() => loadConfig({ PORT: '65536' }), /^Error: PORT must be an integer 0-65535, got 65536$/);
    assert.throws(() => loadConfig({ PORT: 'http' }), /^Error: PORT must be an integer 0-65535, got http$/);
    assert.throws(() => loadConfig({ DATABASE_POOL_SIZE: '0' }), /^Error: DATABASE_POOL_SIZE must be an integer 1-500, got 0$/);
    assert.throws(() => loadConfig({ WORKERS: 'maybe' }), /^Error: WORKERS must be true or false, got maybe$/);
  });

  it('DATABASE_URL must be a postgres:// URL, and the message never repeats it (it may hold a password)', () => {
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://u:p@db/opendcb' }).databaseUrl, 'postgres://u:p@db/opendcb');
    assert.equal(loadConfig({ DATABASE_URL: 'postgresql://db/opendcb' }).databaseUrl, 'postgresql://db/opendcb');
    assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://u:hunter2@db/x' }), (error: Error) => {
      assert.equal(error.message, 'DATABASE_URL must be a postgres:// or postgresql:// URL, got a mysql: URL');
      return true;
    });
    assert.throws(() => loadConfig({ DATABASE_URL: 'db.example:5432' }), /^Error: DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL, got a db.example: URL$/);
    assert.throws(() => loadConfig({ DATABASE_URL: 'hunter2 at db' }), /^Error: DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL, got not a URL$/);
  });

  it('LOG_LEVEL must be one of pino levels (in any letter case)', () => {
    assert.equal(loadConfig({ LOG_LEVEL: 'DEBUG' }).logLevel, 'debug');
    assert.equal(loadConfig({ LOG_LEVEL: 'silent' }).logLevel, 'silent');
    assert.throws(() => loadConfig({ LOG_LEVEL: 'verbose' }), /^Error: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got verbose$/);
  });

  it('HOST must be an address or a host name', () => {
    assert.throws(() => loadConfig({ HOST: '[::1]' }), /^Error: HOST must be an IP address \(without brackets\) or a host name, got "\[::1\]"$/);
    assert.throws(() => loadConfig({ HOST: 'local host' }), /^Error: HOST must be an IP address \(without brackets\) or a host name, got "local host"$/);
    assert.throws(() => loadConfig({ HOST: 'http://0.0.0.0' }), /^Error: HOST must be an IP address \(without brackets\) or a host name, got "http:\/\/0.0.0.0"$/);
  });

  it('METRICS_TOKEN must be at least 16 characters, and the message never repeats it', () => {
    assert.equal(loadConfig({ METRICS_TOKEN: 'a'.repeat(16) }).metricsToken, 'a'.repeat(16));
    assert.throws(() => loadConfig({ METRICS_TOKEN: 'short-secret' }), /^Error: METRICS_TOKEN must be 16-512 characters long, got 12$/);
    assert.throws(() => loadConfig({ METRICS_TOKEN: 'x'.repeat(513) }), /^Error: METRICS_TOKEN must be 16-512 characters long, got 513$/);
    assert.throws(() => loadConfig({ METRICS_TOKEN: 'sixteen chars or more' }), /^Error: METRICS_TOKEN must be printable ASCII without spaces$/);
  });

  describe('DATA_DIR', () => {
    let scratch = '';
    before(() => {
      scratch = mkdtempSync(join(tmpdir(), 'opendcb-config-'));
    });
    after(() => {
      chmodSync(join(scratch, 'locked'), 0o700);
      rmSync(scratch, { recursive: true, force: true });
    });

    it('an existing writable directory, one that can be created, or memory:// is accepted', () => {
      for (const dataDir of [scratch, join(scratch, 'new', 'deeper'), 'memory://', '']) assert.equal(loadConfig({ DATA_DIR: dataDir }).dataDir, dataDir);
    });

    it('a regular file, or a path under one, is refused with DATA_DIR named', () => {
      const file = join(scratch, 'file');
      writeFileSync(file, 'not a directory');
      assert.throws(() => loadConfig({ DATA_DIR: file }), new RegExp(`^Error: DATA_DIR ${file} is not a directory$`));
      assert.throws(
        () => loadConfig({ DATA_DIR: join(file, 'data') }),
        new RegExp(`^Error: DATA_DIR ${file}/data cannot be created: ${file} is not a directory$`),
      );
    });

    it('a directory without write permission is refused, also for root (PGlite checks the mode bits itself)', () => {
      const locked = join(scratch, 'locked');
      mkdirSync(locked);
      chmodSync(locked, 0o000);
      assert.throws(() => loadConfig({ DATA_DIR: locked }), new RegExp(`^Error: DATA_DIR ${locked} is not writable$`));
    });

    it('is not looked at when DATABASE_URL selects PostgreSQL', () => {
      const file = join(scratch, 'file');
      assert.equal(loadConfig({ DATA_DIR: file, DATABASE_URL: 'postgres://db/x' }).dataDir, file);
    });
  });
});
