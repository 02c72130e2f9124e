import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sourceKey } from '../../src/kernel/source-address.js';

describe('throttle source keys', () => {
  it('an IPv4 client is its address in every spelling; IPv6 counts as its /64; anything else is unknown', () => {
    for (const spelling of ['192.0.2.1', '::ffff:192.0.2.1', '::FFFF:c000:201', '0:0:0:0:0:ffff:192.0.2.1', ' 192.0.2.1 ']) {
      assert.equal(sourceKey(spelling), '192.0.2.1', spelling);
    }
    assert.equal(sourceKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(sourceKey('2001:DB8:1:2::9'), '2001:db8:1:2::/64');
    assert.equal(sourceKey('::1'), '0:0:0:0::/64');
    assert.equal(sourceKey(undefined), 'unknown');
    assert.equal(sourceKey('not an address'), 'unknown');
  });
});
