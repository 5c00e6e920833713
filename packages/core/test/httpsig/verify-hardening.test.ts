/**
 * verifyRequest refusals found in the security review: duplicate covered components (RFC 9421
 * §2.5), weak RSA keys, malleable ECDSA signatures (high S), a replay key that names what was
 * signed rather than the signature bytes, and request targets a URL parser would rewrite.
 */
import { generateKeyPairSync } from 'node:crypto';
import {
  generateSigningKey, importSigningKey, isAAuthError, signRequest, verifyRequest,
  type KeyResolver, type PrivateJwk, type SignableRequest, type SigningKey,
} from '@aauth-ts/core';

const NOW = 1730217600;
/** RFC 5903 §3.1 / SEC 2: the order of the P-256 group. */
const P256_N = BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551');

const hwk: KeyResolver<null> = (sk) => {
  if (sk.scheme !== 'hwk') throw new Error('test resolver knows hwk only');
  return { jwk: sk.jwk, info: null };
};

const POST: SignableRequest = { method: 'POST', url: 'https://resource.example/public/info', headers: { 'content-type': 'application/json' }, body: '{"a":1}' };

function signed(request: SignableRequest, key: SigningKey): SignableRequest & { headers: Record<string, string> } {
  const headers = signRequest(request, { key, signatureKey: { scheme: 'hwk' }, created: NOW });
  return { ...request, headers: { ...(request.headers as Record<string, string>), ...headers } };
}

async function refusal(request: SignableRequest): Promise<{ code: string; status: number; detail: { reason?: string } }> {
  try {
    await verifyRequest(request, { resolveKey: hwk, now: NOW });
  } catch (err) {
    if (!isAAuthError(err)) throw err;
    return err;
  }
  throw new Error('verification unexpectedly succeeded');
}

function signatureBytes(request: { headers: Record<string, string> }): Buffer {
  return Buffer.from((request.headers.signature as string).slice('sig=:'.length, -1), 'base64');
}

function withSignature(request: SignableRequest & { headers: Record<string, string> }, bytes: Buffer): SignableRequest {
  return { ...request, headers: { ...request.headers, signature: `sig=:${bytes.toString('base64')}:` } };
}

const toBig = (b: Buffer): bigint => BigInt(`0x${b.toString('hex')}`);
const fromBig = (n: bigint): Buffer => Buffer.from(n.toString(16).padStart(64, '0'), 'hex');

describe('RFC 9421 §2.5: a covered component listed twice', () => {
  it('is refused as invalid_signature (duplicate_component)', async () => {
    const request = signed(POST, generateSigningKey());
    const input = request.headers['signature-input'] as string;
    const twice = { ...request, headers: { ...request.headers, 'signature-input': input.replace('"@path"', '"@path" "@path"') } };
    expect(await refusal(twice)).toMatchObject({ code: 'invalid_signature', status: 401, detail: { reason: 'duplicate_component' } });
  });
});

describe('weak RSA keys', () => {
  it('an RSA key under 2048 bits is refused for HTTP signatures as it is for JWS', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const weak = importSigningKey(privateKey.export({ format: 'jwk' }) as PrivateJwk);
    expect(await refusal(signed(POST, weak))).toMatchObject({ code: 'invalid_signature', status: 401, detail: { reason: 'weak_key' } });
  });

  it('a 2048-bit RSA key verifies', async () => {
    await expect(verifyRequest(signed(POST, generateSigningKey('RSA')), { resolveKey: hwk, now: NOW })).resolves.toMatchObject({ created: NOW });
  });
});

describe('ECDSA malleability', () => {
  const ec = generateSigningKey('P-256');

  it('the signer only emits low-S signatures', () => {
    for (let i = 0; i < 32; i++) {
      const s = toBig(signatureBytes(signed(POST, ec)).subarray(32));
      expect(s <= P256_N / 2n).toBe(true);
    }
  });

  it('the malleated twin (r, n−s) of a valid signature is refused outright (high_s)', async () => {
    const request = signed(POST, ec);
    const bytes = signatureBytes(request);
    const twin = Buffer.concat([bytes.subarray(0, 32), fromBig(P256_N - toBig(bytes.subarray(32)))]);
    await expect(verifyRequest(request, { resolveKey: hwk, now: NOW })).resolves.toBeDefined();
    expect(await refusal(withSignature(request, twin))).toMatchObject({ code: 'invalid_signature', status: 401, detail: { reason: 'high_s' } });
  });

  it('two different valid signatures over one signature base have one replay key', async () => {
    const first = signed(POST, ec);
    const second = signed(POST, ec); // ECDSA is randomised: other bytes, same base
    expect(signatureBytes(second).equals(signatureBytes(first))).toBe(false);
    const a = await verifyRequest(first, { resolveKey: hwk, now: NOW });
    const b = await verifyRequest(second, { resolveKey: hwk, now: NOW });
    expect(b.replayKey).toBe(a.replayKey);
    const other = await verifyRequest(signed({ ...POST, body: '{"a":2}' }, ec), { resolveKey: hwk, now: NOW });
    expect(other.replayKey).not.toBe(a.replayKey);
  });
});

describe('request target as received (RFC 9421 §2.2.6)', () => {
  const key = generateSigningKey();
  const request = signed(POST, key);
  const at = (target: string): SignableRequest => ({ ...request, url: new URL(target, 'https://resource.example'), target });

  it('the target as signed verifies', async () => {
    await expect(verifyRequest(at('/public/info'), { resolveKey: hwk, now: NOW })).resolves.toBeDefined();
  });

  it.each([
    ['dot-segments', '/admin/x/../../public/info'],
    ['percent-encoded dot-segments', '/admin/%2e%2e/public/info'],
    ['mixed-case encoded dot-segments', '/admin/.%2E/public/info'],
    ['a single-dot segment', '/./public/info'],
    ['a backslash', '/admin\\..\\public/info'],
    ['an empty segment', '//public/info'],
    ['an absolute-form target', 'https://resource.example/public/info'],
  ])('%s (%s) are refused: the router would not see the path that was signed', async (_name, target) => {
    expect(await refusal(at(target))).toMatchObject({ code: 'invalid_signature', status: 401, detail: { reason: 'non_normal_target' } });
  });
});
