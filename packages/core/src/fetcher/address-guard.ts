/**
 * Egress guard for metadata/JWKS fetches (wire notes §7.5): refuse loopback, private, link-local
 * and every other special-purpose address unless explicitly allowed. The ranges are data, in
 * packages/core/data/special-purpose-addresses.json (the IANA special-purpose registries), which
 * the Keycloak provider packages too: both auth servers refuse exactly the same addresses.
 * The decision is a pure function so it can be tested without touching any network.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

export interface AddressPolicy {
  /** Development: allow 127.0.0.0/8 and ::1 (and `*.localhost` names, mapped to 127.0.0.1). */
  readonly allowLoopback?: boolean;
  /** Allow RFC 1918 / RFC 4193 private ranges (an operator's internal deployment). */
  readonly allowPrivate?: boolean;
}

export type AddressClass = 'loopback' | 'private' | 'link-local' | 'reserved' | 'public';

interface RangeEntry {
  readonly prefix: string;
  readonly name: string;
  readonly rfc: string;
  readonly class: Exclude<AddressClass, 'public'> | 'embedded';
  /** For `embedded`: the byte offset of the IPv4 address that decides (NAT64, 6to4, mapped, …). */
  readonly embeddedIpv4At?: number;
}

interface Range {
  readonly bytes: Uint8Array;
  readonly bits: number;
  readonly entry: RangeEntry;
}

function ipv4Bytes(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return Uint8Array.from(parts.map(Number));
}

/** RFC 4291 §2.2 text forms, including `::` and a dotted IPv4 tail; undefined if not IPv6. */
function ipv6Bytes(text: string): Uint8Array | undefined {
  let words = text.toLowerCase();
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(words)?.[1];
  if (tail !== undefined) {
    const v4 = ipv4Bytes(tail);
    if (v4 === undefined) return undefined;
    words = `${words.slice(0, -tail.length)}${((v4[0] as number) << 8 | (v4[1] as number)).toString(16)}:${((v4[2] as number) << 8 | (v4[3] as number)).toString(16)}`;
  }
  const halves = words.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? (halves[0] as string).split(':') : [];
  const rest = halves.length === 2 && halves[1] ? (halves[1] as string).split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0;
  if (fill < 0 || (halves.length === 1 && head.length !== 8)) return undefined;
  const all = [...head, ...new Array<string>(fill).fill('0'), ...rest];
  if (all.length !== 8 || all.some((w) => !/^[0-9a-f]{1,4}$/.test(w))) return undefined;
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    const n = parseInt(w, 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 0xff;
  });
  return out;
}

function matches(address: Uint8Array, range: Range): boolean {
  if (address.length !== range.bytes.length) return false;
  const full = range.bits >> 3;
  for (let i = 0; i < full; i++) if (address[i] !== range.bytes[i]) return false;
  const rest = range.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((address[full] as number) & mask) === ((range.bytes[full] as number) & mask);
}

const TABLE_URL = new URL('../../data/special-purpose-addresses.json', import.meta.url);

/** Longest prefix first, so the first match is the most specific. */
const RANGES: readonly Range[] = (JSON.parse(readFileSync(TABLE_URL, 'utf8')) as { ranges: RangeEntry[] }).ranges
  .map((entry) => {
    const [base = '', bits = ''] = entry.prefix.split('/');
    const bytes = base.includes(':') ? ipv6Bytes(base) : ipv4Bytes(base);
    if (bytes === undefined || !/^\d+$/.test(bits) || Number(bits) > bytes.length * 8) throw new Error(`special-purpose-addresses.json: bad prefix ${entry.prefix}`);
    return { bytes, bits: Number(bits), entry };
  })
  .sort((a, b) => b.bits - a.bits);

function classifyBytes(address: Uint8Array): AddressClass {
  const range = RANGES.find((r) => matches(address, r));
  if (range === undefined) return 'public';
  const { entry } = range;
  if (entry.class !== 'embedded') return entry.class;
  const at = entry.embeddedIpv4At ?? 12;
  return classifyBytes(address.subarray(at, at + 4));
}

export function classifyAddress(address: string): AddressClass {
  // URL brackets and an RFC 4007 zone id do not change which address it is.
  const bare = address.replace(/^\[|\]$/g, '').split('%')[0] as string;
  const family = isIP(bare);
  const bytes = family === 4 ? ipv4Bytes(bare) : family === 6 ? ipv6Bytes(bare) : undefined;
  return bytes === undefined ? 'reserved' : classifyBytes(bytes);
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
