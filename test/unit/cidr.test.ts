import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Cidr, cidrsContain, formatCidr, parseCidr } from '../../src/kernel/cidr.js';

const cidrs = (...texts: string[]): Cidr[] => texts.map((text) => parseCidr(text) ?? assert.fail(text));

describe('CIDR allow-lists', () => {
  it('IPv4: inside and outside a range, the edges, a bare address as /32, /0 as everything', () => {
    const list = cidrs('192.0.2.0/24', '198.51.100.7');
    for (const inside of ['192.0.2.0', '192.0.2.255', '198.51.100.7']) assert.equal(cidrsContain(list, inside), true, inside);
    for (const outside of ['192.0.3.0', '192.0.1.255', '198.51.100.8', '10.0.0.1']) assert.equal(cidrsContain(list, outside), false, outside);
    assert.equal(cidrsContain(cidrs('0.0.0.0/0'), '203.0.113.9'), true);
  });

  it('IPv6: compressed and full forms, embedded IPv4 tails, /128 and /0', () => {
    const list = cidrs('2001:db8::/32', '2001:db9::1');
    for (const inside of ['2001:db8::', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', '2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db9::1']) {
      assert.equal(cidrsContain(list, inside), true, inside);
    }
    for (const outside of ['2001:db7:ffff::1', '2001:db9::2', '::1']) assert.equal(cidrsContain(list, outside), false, outside);
    assert.equal(cidrsContain(cidrs('::/0'), '2001:db8::1'), true);
    assert.equal(cidrsContain(cidrs('64:ff9b::/96'), '64:ff9b::192.0.2.1'), true);
  });

  it('an IPv4-mapped IPv6 client counts as its IPv4 address; families never match each other otherwise', () => {
    assert.equal(cidrsContain(cidrs('192.0.2.0/24'), '::ffff:192.0.2.9'), true);
    assert.equal(cidrsContain(cidrs('::/0'), '192.0.2.9'), false);
    assert.equal(cidrsContain(cidrs('0.0.0.0/0'), '2001:db8::1'), false);
    // The same mapped address in its other spellings (as a trusted proxy's X-Forwarded-For may
    // carry it) is the same IPv4 client: not an IPv6 one that "::/0" lets in.
    for (const spelling of ['::ffff:c000:209', '::FFFF:C000:0209', '0:0:0:0:0:ffff:192.0.2.9', '0000:0000:0000:0000:0000:ffff:c000:0209']) {
      assert.equal(cidrsContain(cidrs('192.0.2.0/24'), spelling), true, spelling);
      assert.equal(cidrsContain(cidrs('::/0'), spelling), false, spelling);
    }
    assert.equal(formatCidr(parseCidr('::ffff:c000:209') ?? assert.fail()), '192.0.2.9/32');
  });

  it('refuses what is not one range: host bits set, prefixes too long, junk, zones', () => {
    for (const text of ['192.0.2.1/24', '192.0.2.0/33', '2001:db8::/129', '2001:db8::1/32', '192.0.2.0/', '192.0.2.0/24/1', '192.0.2', 'fe80::1%eth0', '', 'x'.repeat(65), '1.2.3.4/08x']) {
      assert.equal(parseCidr(text), null, text);
    }
    assert.equal(cidrsContain(cidrs('0.0.0.0/0'), 'not an address'), false);
  });

  it('writes one canonical text per range', () => {
    assert.equal(formatCidr(parseCidr('192.0.2.0/24') ?? assert.fail()), '192.0.2.0/24');
    assert.equal(formatCidr(parseCidr('2001:DB8::/32') ?? assert.fail()), '2001:db8:0:0:0:0:0:0/32');
    assert.equal(formatCidr(parseCidr('::ffff:10.0.0.1') ?? assert.fail()), '10.0.0.1/32');
  });
});
