import { isIPv6 } from 'node:net';
import { ipv4Of } from './cidr.js';

/**
 * The client address as a throttle counts it: an IPv4 address (an IPv4-mapped IPv6
 * address counts as the IPv4 one), or the /64 prefix of an IPv6 address, since one
 * subscriber line or host is routinely given a whole /64 and could otherwise rotate
 * through 2^64 addresses to escape a per-address limit. Anything else (a missing
 * address in a test, a Unix socket) is one shared 'unknown' source.
 */
export function sourceKey(address: string | undefined): string {
  const text = (address ?? '').trim();
  // Every spelling of an IPv4-mapped address (::ffff:192.0.2.1, ::ffff:c000:201) is its IPv4
  // client, not one shared 0:0:0:0::/64 that a few forged X-Forwarded-For values would exhaust.
  const ipv4 = ipv4Of(text);
  if (ipv4 !== null) return ipv4;
  if (isIPv6(text)) return `${ipv6Groups(text).slice(0, 4).join(':')}::/64`;
  return 'unknown';
}

/** The eight 16-bit groups of an IPv6 address, expanded and lower-case. */
function ipv6Groups(address: string): string[] {
  const withoutZone = address.split('%')[0] ?? address;
  const [head = '', tail] = withoutZone.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail (::1.2.3.4) takes two groups; the prefix is all that is used.
  const missing = 8 - left.length - right.length;
  const groups = tail === undefined ? left : [...left, ...Array.from({ length: Math.max(0, missing) }, () => '0'), ...right];
  return groups.map((group) => (group.includes('.') ? group : String(Number.parseInt(group, 16).toString(16))));
}
