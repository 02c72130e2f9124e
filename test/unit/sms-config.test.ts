import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';

const base = { DATA_DIR: 'memory://' };

describe('SMS connector configuration', () => {
  it('the sandbox by default; smpp with its URL and settings', () => {
    assert.deepEqual(loadConfig(base).sms, { connector: 'sandbox' });
    const config = loadConfig({
      ...base,
      SMS_CONNECTOR: 'smpp',
      SMPP_URL: 'smpp://esme%401:pa%3Ass@smsc.example:2776',
      SMPP_SYSTEM_TYPE: 'VMA',
      SMPP_SOURCE_ADDR: 'OpenDCB',
      SMPP_WINDOW: '20',
      SMPP_TPS: '500',
      SMPP_RECEIPT_IDS: 'decimal',
    });
    assert.deepEqual(config.sms, {
      connector: 'smpp',
      smpp: { host: 'smsc.example', port: 2776, systemId: 'esme@1', password: 'pa:ss', systemType: 'VMA', sourceAddr: 'OpenDCB', window: 20, tps: 500, longMessages: 'udh', receiptIds: 'decimal' },
    });
    const defaults = loadConfig({ ...base, SMS_CONNECTOR: 'smpp', SMPP_URL: 'smpp://id:pw@127.0.0.1' });
    assert.deepEqual(defaults.sms, {
      connector: 'smpp',
      smpp: { host: '127.0.0.1', port: 2775, systemId: 'id', password: 'pw', systemType: '', sourceAddr: undefined, window: 10, tps: 0, longMessages: 'udh', receiptIds: 'as-sent' },
    });
  });

  it('refuses a bad value by its variable, never echoing the password', () => {
    const refused = (env: Record<string, string>) => {
      try {
        loadConfig({ ...base, SMS_CONNECTOR: 'smpp', SMPP_URL: 'smpp://id:pw@h:2775', ...env });
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    assert.equal(refused({ SMS_CONNECTOR: 'kannel' }), 'SMS_CONNECTOR must be sandbox or smpp, got "kannel"');
    assert.equal(refused({ SMPP_URL: '' }), 'SMS_CONNECTOR=smpp needs SMPP_URL (smpp://system_id:password@host:port)');
    assert.equal(refused({ SMPP_URL: 'http://id:hunter2@h' }), 'SMPP_URL must be smpp://system_id:password@host:port, got a http: URL');
    assert.equal(refused({ SMPP_URL: 'smpp://id:waytoolongpassword@h' }), 'SMPP_URL must be smpp://system_id:password@host:port; the password must be at most 9 characters');
    assert.equal(refused({ SMPP_URL: 'smpp://h:2775' }), 'SMPP_URL must be smpp://system_id:password@host:port; the system_id must be 1-16 characters');
    assert.equal(refused({ SMPP_WINDOW: '0' }), 'SMPP_WINDOW must be an integer 1-1000, got 0');
    assert.equal(refused({ SMPP_TPS: '-1' }), 'SMPP_TPS must be an integer 0-100000, got -1');
    assert.equal(refused({ SMPP_LONG_MESSAGES: 'split' }), 'SMPP_LONG_MESSAGES must be udh or payload, got "split"');
    assert.equal(refused({ SMPP_RECEIPT_IDS: 'octal' }), 'SMPP_RECEIPT_IDS must be as-sent, decimal or hex, got "octal"');
    assert.equal(refused({ SMPP_SOURCE_ADDR: 'x'.repeat(21) }), 'SMPP_SOURCE_ADDR must be 1-20 letters, digits, spaces or + . _ -');
    assert.equal(refused({ SMPP_SYSTEM_TYPE: 'x'.repeat(14) }), 'SMPP_SYSTEM_TYPE must be at most 13 printable ASCII characters');
  });
});
