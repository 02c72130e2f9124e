import { isIPv4, isIPv6 } from 'node:net';

/** An address range: an IPv4 or IPv6 network and its prefix length. */
export interface Cidr {
  readonly family: 4 | 6;
  /** The network address with the host bits cleared. */
  readonly network: bigint;
  readonly prefixBits: number;
}

const BITS = { 4: 32, 6: 128 } as const;
/** An allow-list longer than this is a configuration mistake, not a policy. */
export const MAX_CIDRS = 64;
const MAX_CIDR_TEXT = 64;

/**
 * Parses "192.0.2.0/24", "2001:db8::/32" or a bare address (a /32 or /128). Host bits set
 * under the prefix ("192.0.2.1/24") are refused rather than silently cleared: the operator
 * most likely meant something else. Returns null for anything that is not one range.
 */
export function parseCidr(text: string): Cidr | null {
  if (text.length === 0 || text.length > MAX_CIDR_TEXT) return null;
  const [addressText = '', prefixText, extra] = text.split('/');
  if (extra !== undefined) return null;
  const address = parseAddress(addressText);
  if (address === null) return null;
  const width = BITS[address.family];
  let prefixBits: number = width;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText)) return null;
    prefixBits = Number(prefixText);
    if (prefixBits > width) return null;
  }
  const hostMask = (1n << BigInt(width - prefixBits)) - 1n;
  if ((address.value & hostMask) !== 0n) return null;
  return { family: address.family, network: address.value, prefixBits };
}

/** The canonical text of a range: IPv4 dotted, IPv6 as eight lower-case groups (so one range has one text). */
export function formatCidr(cidr: Cidr): string {
  if (cidr.family === 4) return `${dottedIpv4(cidr.network)}/${cidr.prefixBits}`;
  return `${ipv6Groups(cidr.network, 8).join(':')}/${cidr.prefixBits}`;
}

/**
 * Whether the address lies in any of the ranges. An IPv4-mapped IPv6 address
 * (::ffff:192.0.2.1, as a dual-stack socket reports IPv4 clients, in whatever spelling)
 * counts as its IPv4 address.
 */
export function cidrsContain(cidrs: readonly Cidr[], addressText: string): boolean {
  const address = parseAddress(addressText);
  if (address === null) return false;
  return cidrs.some((cidr) => contains(cidr, address));
}

function contains(cidr: Cidr, address: ParsedAddress): boolean {
  if (cidr.family !== address.family) return false;
  const shift = BigInt(BITS[cidr.family] - cidr.prefixBits);
  return address.value >> shift === cidr.network >> shift;
}

/** The dotted IPv4 address of an IPv4 address or of an IPv4-mapped IPv6 one in any spelling; null otherwise. */
export function ipv4Of(addressText: string): string | null {
  const address = parseAddress(addressText);
  return address?.family === 4 ? dottedIpv4(address.value) : null;
}

/**
 * The first `count` 16-bit groups of an IPv6 address (lower-case hex, no leading zeros), a
 * zone index (%eth0) ignored; null for anything that is not IPv6 or is an IPv4 client.
 */
export function ipv6LeadingGroups(addressText: string, count: number): string[] | null {
  const address = parseAddress(addressText.split('%')[0] ?? addressText);
  return address?.family === 6 ? ipv6Groups(address.value, count) : null;
}

function dottedIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

function ipv6Groups(value: bigint, count: number): string[] {
  return Array.from({ length: count }, (_, i) => ((value >> BigInt((7 - i) * 16)) & 0xffffn).toString(16));
}

interface ParsedAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

function parseAddress(text: string): ParsedAddress | null {
  if (isIPv4(text)) return { family: 4, value: text.split('.').reduce((sum, octet) => (sum << 8n) | BigInt(Number(octet)), 0n) };
  // A zone index (%eth0) names an interface, not a range member: refused.
  if (!isIPv6(text) || text.includes('%')) return null;
  const value = ipv6Value(text);
  // An IPv4-mapped address in any spelling (::ffff:192.0.2.1, ::ffff:c000:201,
  // 0:0:0:0:0:ffff:192.0.2.1) is the same IPv4 client: read as IPv6 it would pass "::/0" and fail its own IPv4 range.
  if (value >> 32n === 0xffffn) return { family: 4, value: value & 0xffffffffn };
  return { family: 6, value };
}

/** The 128-bit value of a valid IPv6 address, including an embedded IPv4 tail (::1.2.3.4). */
function ipv6Value(text: string): bigint {
  const lower = text.toLowerCase();
  const [head = '', tail] = lower.split('::');
  const groupsOf = (part: string): bigint[] => {
    if (part === '') return [];
    return part.split(':').flatMap((group) => {
      if (!group.includes('.')) return [BigInt(`0x${group}`)];
      const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
      return [BigInt(a * 256 + b), BigInt(c * 256 + d)];
    });
  };
  const left = groupsOf(head);
  const right = tail === undefined ? [] : groupsOf(tail);
  const zeros = Array.from({ length: 8 - left.length - right.length }, () => 0n);
  return [...left, ...zeros, ...right].reduce((sum, group) => (sum << 16n) | group, 0n);
}
