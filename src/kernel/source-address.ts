import { ipv4Of, ipv6LeadingGroups } from './cidr.js';

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
  const prefix = ipv6LeadingGroups(text, 4);
  if (prefix !== null) return `${prefix.join(':')}::/64`;
  return 'unknown';
}
