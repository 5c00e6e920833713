/**
 * Egress guard for metadata/JWKS fetches (wire notes §7.5): refuse loopback, private, link-local,
 * CGNAT, multicast, unspecified and other special-purpose addresses unless explicitly allowed.
 * The decision is a pure function so it can be tested without touching any network.
 */
import { isIP } from 'node:net';

export interface AddressPolicy {
  /** Development: allow 127.0.0.0/8 and ::1 (and `*.localhost` names, mapped to 127.0.0.1). */
  readonly allowLoopback?: boolean;
  /** Allow RFC 1918 / RFC 4193 private ranges (an operator's internal deployment). */
  readonly allowPrivate?: boolean;
}

export type AddressClass = 'loopback' | 'private' | 'link-local' | 'reserved' | 'public';

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => (acc << 8) + Number(part), 0) >>> 0;
}

function inV4(ip: number, base: string, bits: number): boolean {
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (ip & mask) === (ipv4ToInt(base) & mask);
}

function classifyV4(address: string): AddressClass {
  const ip = ipv4ToInt(address);
  if (inV4(ip, '127.0.0.0', 8)) return 'loopback';
  if (inV4(ip, '10.0.0.0', 8) || inV4(ip, '172.16.0.0', 12) || inV4(ip, '192.168.0.0', 16)) return 'private';
  if (inV4(ip, '169.254.0.0', 16)) return 'link-local';
  if (inV4(ip, '0.0.0.0', 8) || inV4(ip, '100.64.0.0', 10) || inV4(ip, '192.0.0.0', 24) || inV4(ip, '192.0.2.0', 24)
    || inV4(ip, '198.18.0.0', 15) || inV4(ip, '198.51.100.0', 24) || inV4(ip, '203.0.113.0', 24) || inV4(ip, '224.0.0.0', 4) || inV4(ip, '240.0.0.0', 4)) {
    return 'reserved';
  }
  return 'public';
}

function expandV6(address: string): number[] {
  let text = address.toLowerCase().split('%')[0] as string;
  // Embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const n = ipv4ToInt(v4[1]);
    text = text.slice(0, -v4[1].length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((x) => parseInt(x, 16));
}

function classifyV6(address: string): AddressClass {
  const w = expandV6(address);
  if (w.length !== 8 || w.some((x) => Number.isNaN(x))) return 'reserved';
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0] = w;
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && f === 0 && g === 0 && h === 1) return 'loopback';
  if (w.every((x) => x === 0)) return 'reserved';
  // IPv4-mapped (::ffff:0:0/96) and IPv4-compatible forms: judge the embedded IPv4 address.
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && (f === 0xffff || f === 0)) {
    return classifyV4(`${g >>> 8}.${g & 0xff}.${h >>> 8}.${h & 0xff}`);
  }
  if ((a & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local
  if ((a & 0xffc0) === 0xfe80) return 'link-local'; // fe80::/10
  if ((a & 0xff00) === 0xff00) return 'reserved'; // multicast
  if (a === 0x2001 && b === 0x0db8) return 'reserved'; // documentation
  if (a === 0x0064 && b === 0xff9b) return 'reserved'; // NAT64
  return 'public';
}

export function classifyAddress(address: string): AddressClass {
  const family = isIP(address.replace(/^\[|\]$/g, ''));
  if (family === 4) return classifyV4(address);
  if (family === 6) return classifyV6(address.replace(/^\[|\]$/g, ''));
  return 'reserved';
}

/** May a fetch connect to `address` under `policy`? */
export function isAddressAllowed(address: string, policy: AddressPolicy = {}): boolean {
  switch (classifyAddress(address)) {
    case 'public': return true;
    case 'loopback': return policy.allowLoopback === true;
    case 'private': return policy.allowPrivate === true;
    default: return false;
  }
}
