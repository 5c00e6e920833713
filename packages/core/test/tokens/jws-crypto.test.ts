/**
 * Tokens are signed and their signatures checked with node:crypto, and jose handles every case
 * that path does not. These tests hold the two together: tokens interoperate with jose both ways
 * for every accepted algorithm, tampering is a bad signature, and the cases left to jose (a key
 * that does not fit its algorithm, odd encodings, invalid claims) keep jose's verdicts.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import {
  createAuthToken, exportPrivateJwk, generateSigningKey, importSigningKey, verifyAuthToken,
  type IssuerKeySource, type SigningKey,
} from '@aauth-ts/core';
import { refusal } from '../helpers/refusal.js';

const NOW = 1730217600;
const ISSUER = 'https://auth.example/realms/demo';
const RESOURCE = 'https://resource.example';
const AGENT = 'https://agent.example';
const delegate = generateSigningKey('Ed25519');

const rsa = generateSigningKey('RSA', 'rsa-1');
const KEYS: Record<string, SigningKey> = {
  EdDSA: generateSigningKey('Ed25519', 'ed-1'),
  ES256: generateSigningKey('P-256', 'ec-1'),
  RS256: rsa,
  PS256: importSigningKey({ ...exportPrivateJwk(rsa), alg: 'PS256', kid: 'pss-1' }),
};

/** Hands out one fixed key, whatever is asked. */
function fixedKey(key: KeyObject | SigningKey['publicJwk']): IssuerKeySource {
  return { getKey: async () => key };
}

const input = { iss: ISSUER, aud: RESOURCE, agent: AGENT, cnfJwk: delegate.publicJwk, scope: 'read', lifetimeSeconds: 600, now: NOW };
const verifyOptions = { trustedIssuers: [ISSUER], audience: RESOURCE, now: NOW };

function tamper(segment: string): string {
  return `${segment[0] === 'A' ? 'B' : 'A'}${segment.slice(1)}`;
}

describe.each(Object.entries(KEYS))('%s tokens', (alg, key) => {
  it('ours verify with jose, with the header jose would write', async () => {
    const token = await createAuthToken(key, input);
    const { payload, protectedHeader } = await jwtVerify(token, key.publicKey, { algorithms: [alg], currentDate: new Date(NOW * 1000) });
    expect(protectedHeader).toEqual({ alg, typ: 'auth+jwt', kid: key.kid });
    expect(payload).toMatchObject({ iss: ISSUER, aud: RESOURCE, agent: AGENT, scope: 'read', iat: NOW, exp: NOW + 600 });
  });

  it("jose's verify with ours, from a KeyObject and from a JWK", async () => {
    const claims = { iss: ISSUER, aud: RESOURCE, agent: AGENT, cnf: { jwk: delegate.publicJwk }, scope: 'read', iat: NOW, exp: NOW + 600 };
    const token = await new SignJWT(claims).setProtectedHeader({ alg, typ: 'auth+jwt', kid: key.kid }).sign(key.privateKey);
    await expect(verifyAuthToken(token, { ...verifyOptions, keys: fixedKey(key.publicKey) })).resolves.toMatchObject({ agent: AGENT });
    await expect(verifyAuthToken(token, { ...verifyOptions, keys: fixedKey(key.publicJwk) })).resolves.toMatchObject({ agent: AGENT });
  });

  it('a changed signature, payload or header is a bad signature', async () => {
    const [header, payload, signature] = (await createAuthToken(key, input)).split('.') as [string, string, string];
    const changedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), scope: 'admin' })).toString('base64url');
    const changedHeader = Buffer.from(JSON.stringify({ alg, typ: 'auth+jwt', kid: 'other' })).toString('base64url');
    for (const token of [`${header}.${payload}.${tamper(signature)}`, `${header}.${changedPayload}.${signature}`, `${changedHeader}.${payload}.${signature}`]) {
      const err = await refusal(verifyAuthToken(token, { ...verifyOptions, keys: fixedKey(key.publicKey) }));
      expect(err).toMatchObject({ code: 'invalid_auth_token', detail: { reason: 'bad_signature' } });
    }
  });
});

describe('what the node:crypto path leaves to jose', () => {
  it('Ed25519 tokens are byte-for-byte the ones jose signs', async () => {
    const key = KEYS.EdDSA as SigningKey;
    const ours = await createAuthToken(key, input);
    const payload = JSON.parse(Buffer.from(ours.split('.')[1] as string, 'base64url').toString()) as Record<string, unknown>;
    const theirs = await new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', typ: 'auth+jwt', kid: key.kid }).sign(key.privateKey);
    expect(ours).toBe(theirs);
  });

  it('a key of the wrong curve for the algorithm is unverifiable, as jose says', async () => {
    const token = await createAuthToken(KEYS.ES256 as SigningKey, input);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    await expect(jwtVerify(token, p384, { algorithms: ['ES256'] })).rejects.toThrow();
    const err = await refusal(verifyAuthToken(token, { ...verifyOptions, keys: fixedKey(p384) }));
    expect(err).toMatchObject({ code: 'invalid_auth_token', detail: { reason: 'unverifiable' } });
  });

  it('a private key offered for verification is unverifiable, as jose says', async () => {
    const key = KEYS.EdDSA as SigningKey;
    const token = await createAuthToken(key, input);
    const err = await refusal(verifyAuthToken(token, { ...verifyOptions, keys: fixedKey(key.privateKey) }));
    expect(err).toMatchObject({ code: 'invalid_auth_token', detail: { reason: 'unverifiable' } });
  });

  it('RSA keys under 2048 bits: jose refuses to sign and to verify', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const key = importSigningKey({ ...(small.privateKey.export({ format: 'jwk' }) as { kty: string; d: string }), kid: 'small' });
    await expect(createAuthToken(key, input)).rejects.toThrow(/2048/);
    const token = await createAuthToken(KEYS.RS256 as SigningKey, input);
    const err = await refusal(verifyAuthToken(token, { ...verifyOptions, keys: fixedKey(small.publicKey) }));
    expect(err).toMatchObject({ code: 'invalid_auth_token', detail: { reason: 'unverifiable' } });
  });

  it('a non-finite lifetime is refused before signing, with jose\'s error', async () => {
    await expect(createAuthToken(KEYS.EdDSA as SigningKey, { ...input, lifetimeSeconds: Number.NaN })).rejects.toThrow(/"exp" claim must be a finite number/);
  });

  it("claims are checked by jose's claim-set rules once the signature verifies", async () => {
    const key = KEYS.EdDSA as SigningKey;
    const sign = (claims: Record<string, unknown>): Promise<string> => new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'auth+jwt', kid: key.kid }).sign(key.privateKey);
    const base = { iss: ISSUER, aud: RESOURCE, agent: AGENT, cnf: { jwk: delegate.publicJwk }, scope: 'read', iat: NOW, exp: NOW + 600 };
    const keys = fixedKey(key.publicKey);
    const { exp: _exp, ...noExp } = base;
    expect(await refusal(verifyAuthToken(await sign(noExp), { ...verifyOptions, keys }))).toMatchObject({ detail: { field: 'exp', reason: 'missing' } });
    expect(await refusal(verifyAuthToken(await sign({ ...base, iat: 'yesterday' }), { ...verifyOptions, keys }))).toMatchObject({ detail: { field: 'iat', reason: 'invalid' } });
    expect(await refusal(verifyAuthToken(await sign({ ...base, nbf: NOW + 3600 }), { ...verifyOptions, keys }))).toMatchObject({ detail: { field: 'nbf', reason: 'check_failed' } });
    expect(await refusal(verifyAuthToken(await sign({ ...base, exp: NOW - 61 }), { ...verifyOptions, keys }))).toMatchObject({ detail: { field: 'exp', reason: 'expired' } });
    await expect(verifyAuthToken(await sign({ ...base, exp: NOW - 59 }), { ...verifyOptions, keys })).resolves.toMatchObject({ agent: AGENT });
  });

  it("the claims decoded once are refused exactly as jose's own verification refuses them", async () => {
    const key = KEYS.EdDSA as SigningKey;
    const sign = (claims: Record<string, unknown>): Promise<string> => new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'auth+jwt', kid: key.kid }).sign(key.privateKey);
    const base: Record<string, unknown> = { iss: ISSUER, aud: RESOURCE, agent: AGENT, cnf: { jwk: delegate.publicJwk }, scope: 'read', iat: NOW, exp: NOW + 600 };
    const without = (name: string): Record<string, unknown> => Object.fromEntries(Object.entries(base).filter(([k]) => k !== name));
    const variants: Record<string, unknown>[] = [
      without('iat'), without('exp'), { ...without('iat'), exp: 'later' }, { ...base, iat: 'yesterday' }, { ...base, iat: null },
      { ...base, nbf: 'soon' }, { ...base, nbf: NOW + 61 }, { ...base, nbf: NOW + 60, exp: NOW - 60 }, { ...base, exp: '1' }, { ...base, exp: NOW - 60 },
      { ...base, exp: NOW - 61 }, { ...base, iat: 'x', nbf: 'y', exp: 'z' },
    ];
    for (const claims of variants) {
      const token = await sign(claims);
      const theirs = await jwtVerify(token, key.publicKey, { currentDate: new Date(NOW * 1000), clockTolerance: 60, requiredClaims: ['iss', 'iat', 'exp'] }).then(() => undefined, (err: unknown) => err as Error & { claim?: string; reason?: string });
      const ours = (await refusal(verifyAuthToken(token, { ...verifyOptions, keys: fixedKey(key.publicKey) }))).cause as (Error & { claim?: string; reason?: string }) | undefined;
      expect(theirs).toBeInstanceOf(Error);
      expect([ours?.constructor, ours?.message, ours?.claim, ours?.reason]).toEqual([theirs?.constructor, theirs?.message, theirs?.claim, theirs?.reason]);
    }
  });

  it('a header segment with base64 padding goes to jose, which decides as before', async () => {
    const token = await createAuthToken(KEYS.EdDSA as SigningKey, input);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const padded = `${header}${'='.repeat((4 - (header.length % 4)) % 4 || 4)}.${payload}.${signature}`;
    const theirs = await jwtVerify(padded, (KEYS.EdDSA as SigningKey).publicKey).then(() => 'accepted', () => 'refused');
    const ours = await verifyAuthToken(padded, { ...verifyOptions, keys: fixedKey((KEYS.EdDSA as SigningKey).publicKey) }).then(() => 'accepted', () => 'refused');
    expect(ours).toBe(theirs);
  });
});
