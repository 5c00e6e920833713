/**
 * RFC 9530 `Content-Digest`: a structured dictionary of algorithm → byte sequence, computed over the
 * raw body bytes as sent (never a re-serialisation).
 */
import { createHash, hash, timingSafeEqual } from 'node:crypto';
import { parseDictionary } from 'structured-headers';
import { MalformedError, SignatureError } from '../errors.js';

export type DigestAlgorithm = 'sha-256' | 'sha-512';
const NODE_HASH: Record<DigestAlgorithm, string> = { 'sha-256': 'sha256', 'sha-512': 'sha512' };

function toBytes(body: Uint8Array | string): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** The header value for `body`, e.g. `sha-256=:X48E9q…=:` (RFC 9530 §2). */
export function createContentDigest(body: Uint8Array | string, algorithm: DigestAlgorithm = 'sha-256'): string {
  // A one-member dictionary whose value is a byte sequence (RFC 8941 §4.1.2, §4.1.8), written
  // directly since it is built for every request with a body; both algorithm names are valid keys.
  return `${algorithm}=:${hash(NODE_HASH[algorithm], toBytes(body), 'base64')}:`;
}

/**
 * Check a `Content-Digest` header against the body. Every supported algorithm present must match and
 * at least one must be present; unknown algorithms are ignored (RFC 9530 §2 lets senders add them).
 */
export function verifyContentDigest(header: string, body: Uint8Array | string): DigestAlgorithm {
  // The one member a signer writes (`createContentDigest`): equal to ours, it is a well-formed
  // dictionary whose sha-256 matches this body, and nothing needs parsing. Anything else is parsed.
  if (header.startsWith('sha-256=:') && header === createContentDigest(body, 'sha-256')) return 'sha-256';
  let dict: ReturnType<typeof parseDictionary>;
  try {
    dict = parseDictionary(header);
  } catch (cause) {
    throw new MalformedError('invalid_request', 'Content-Digest is not an RFC 8941 dictionary', header, { field: 'content-digest', reason: 'malformed', cause });
  }
  const bytes = toBytes(body);
  let matched: DigestAlgorithm | undefined;
  for (const [name, [value]] of dict) {
    if (name !== 'sha-256' && name !== 'sha-512') continue;
    if (!(value instanceof ArrayBuffer)) {
      throw new MalformedError('invalid_request', `Content-Digest member "${name}" is not a byte sequence`, header, { field: 'content-digest', reason: 'malformed' });
    }
    const expected = createHash(NODE_HASH[name]).update(bytes).digest();
    const actual = Buffer.from(value);
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      throw new SignatureError('invalid_signature', `Content-Digest ${name} does not match the request body`, { field: 'content-digest', reason: 'mismatch' });
    }
    matched = name;
  }
  if (!matched) {
    throw new MalformedError('invalid_request', 'Content-Digest carries no sha-256 or sha-512 digest', header, { field: 'content-digest', reason: 'unsupported' });
  }
  return matched;
}
