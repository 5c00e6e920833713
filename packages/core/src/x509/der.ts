/**
 * The few DER (ITU-T X.690) reads certificate validation needs that `node:crypto`'s
 * `X509Certificate` does not expose: the validity dates, and the extensions basicConstraints
 * (pathLenConstraint), keyUsage (its bits; Node's `keyUsage` is the *extended* key usage),
 * nameConstraints and subjectAltName. Definite lengths only, as DER requires; anything else throws.
 */

export interface DerNode {
  /** The identifier octet (class, constructed bit and tag number < 31). */
  readonly tag: number;
  /** The contents octets. */
  readonly value: Uint8Array;
}

export class DerError extends Error {
  override readonly name = 'DerError';
}

/** One TLV at `offset`; returns it and the offset after it. */
function readNode(bytes: Uint8Array, offset: number): { node: DerNode; next: number } {
  if (offset + 2 > bytes.length) throw new DerError('truncated DER');
  const tag = bytes[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte DER tags are not used in certificates');
  let length = bytes[offset + 1] as number;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > bytes.length) throw new DerError('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[start + i] as number);
    start += count;
  }
  if (start + length > bytes.length) throw new DerError('DER length beyond the data');
  return { node: { tag, value: bytes.subarray(start, start + length) }, next: start + length };
}

/** The single TLV that makes up `bytes`. */
export function parseDer(bytes: Uint8Array): DerNode {
  const { node, next } = readNode(bytes, 0);
  if (next !== bytes.length) throw new DerError('trailing bytes after DER value');
  return node;
}

/** The TLVs inside a constructed node, in order. */
export function children(node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  for (let offset = 0; offset < node.value.length;) {
    const { node: child, next } = readNode(node.value, offset);
    out.push(child);
    offset = next;
  }
  return out;
}

export const TAG = Object.freeze({
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
});

/** Dotted form of an OBJECT IDENTIFIER's contents. */
export function oidString(value: Uint8Array): string {
  if (value.length === 0) throw new DerError('empty OID');
  const first = value[0] as number;
  const parts = [Math.min(2, Math.floor(first / 40)), first - Math.min(2, Math.floor(first / 40)) * 40];
  let acc = 0;
  for (let i = 1; i < value.length; i++) {
    const byte = value[i] as number;
    acc = acc * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(acc);
      acc = 0;
    }
  }
  return parts.join('.');
}

/** Seconds since the epoch of a UTCTime or GeneralizedTime (RFC 5280 §4.1.2.5: always Z, seconds present). */
export function timeSeconds(node: DerNode): number {
  const text = Buffer.from(node.value).toString('latin1');
  const match = node.tag === TAG.utcTime ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
    : node.tag === TAG.generalizedTime ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text) : null;
  if (!match) throw new DerError(`not an RFC 5280 time: ${JSON.stringify(text)}`);
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  // RFC 5280 §4.1.2.5.1: two-digit years 50–99 are 19xx, 00–49 are 20xx.
  const year = node.tag === TAG.utcTime ? (y >= 50 ? 1900 + y : 2000 + y) : y;
  return Date.UTC(year, mo - 1, d, h, mi, s) / 1000;
}
