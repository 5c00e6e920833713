/**
 * The four `aa-*+jwt` token types of the current profile (draft-hardt-oauth-aauth-protocol §Agent /
 * Person / Resource / Auth Token Structure and Verification), each refusal named for its rule.
 */
import { SignJWT } from 'jose';
import {
  AAUTH_CURRENT, createAaAgentToken, createAaAuthToken, createAaPersonToken, createAaResourceToken, generateSigningKey, jwkThumbprint,
  matchPersonTokenRecord, peekClaims, verifyAaAgentToken, verifyAaAuthToken, verifyAaPersonToken, verifyAaResourceToken,
  createAgentToken, type AAuthError, type PublicJwk, type SigningKey,
} from '@aauth-ts/core';
import { memoryKeySource } from '../helpers/key-source.js';
import { refusal } from '../helpers/refusal.js';

const AP = 'https://agent.example';
const PS = 'https://ps.example';
const RS = 'https://resource.example';
const AS = 'https://as.example';
const AGENT_ID = 'aauth:assistant@agent.example';
const S256 = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

const apKey = generateSigningKey('Ed25519', 'ap-1');
const psKey = generateSigningKey('Ed25519', 'ps-1');
const rsKey = generateSigningKey('Ed25519', 'rs-1');
const asKey = generateSigningKey('P-256', 'as-1');
const agentKey = generateSigningKey('Ed25519');
const otherKey = generateSigningKey('Ed25519');
const keys = memoryKeySource({ [AP]: [apKey], [PS]: [psKey], [RS]: [rsKey], [AS]: [asKey] });

function header(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()) as Record<string, unknown>;
}

/** Sign arbitrary claims/header with `key` (for tokens our creators would never make). */
function forge(key: SigningKey, head: Record<string, unknown>, claims: Record<string, unknown>): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iat: now, exp: now + 300, jti: 'j-1', ...claims }).setProtectedHeader({ alg: 'Ed25519', kid: key.kid, ...head } as { alg: string }).sign(key.privateKey);
}

const agentTokenInput = { iss: AP, sub: AGENT_ID, cnfJwk: agentKey.publicJwk, ps: PS };

describe('aa-agent+jwt (§Agent Token Structure / Verification)', () => {
  it('is issued with typ aa-agent+jwt, the fully specified alg Ed25519, kid, dwk aauth-agent.json and cnf.jwk carrying alg', async () => {
    const token = await createAaAgentToken(apKey, agentTokenInput);
    expect(header(token)).toEqual({ alg: 'Ed25519', typ: 'aa-agent+jwt', kid: 'ap-1' });
    const claims = peekClaims(token, 'invalid_agent_token');
    expect(claims).toMatchObject({ iss: AP, dwk: 'aauth-agent.json', sub: AGENT_ID, ps: PS, cnf: { jwk: { kty: 'OKP', crv: 'Ed25519', alg: 'Ed25519' } } });
    expect(typeof claims.jti).toBe('string');
  });

  it('verifies, fetching the key at {iss} with document dwk and the header kid', async () => {
    const token = await createAaAgentToken(apKey, agentTokenInput);
    const claims = await verifyAaAgentToken(token, { keys, requestKey: agentKey.publicJwk });
    expect(claims.sub).toBe(AGENT_ID);
    expect(keys.calls.at(-1)).toEqual([AP, 'aauth-agent.json', 'ap-1', 'Ed25519']);
  });

  it('aa-agent+jwt whose cnf.jwk is not the request key is refused', async () => {
    const err = await refusal(verifyAaAgentToken(await createAaAgentToken(apKey, agentTokenInput), { keys, requestKey: otherKey.publicJwk }));
    expect([err.code, err.status, err.detail.reason]).toEqual(['invalid_agent_token', 400, 'key_mismatch']);
  });

  it('an expired aa-agent+jwt is expired_agent_token (§Token Endpoint Error Codes)', async () => {
    const token = await createAaAgentToken(apKey, { ...agentTokenInput, now: 1_000_000, lifetimeSeconds: 60 });
    const err = await refusal(verifyAaAgentToken(token, { keys }));
    expect([err.code, err.status]).toEqual(['expired_agent_token', 400]);
  });

  it('a 2026-03 agent+jwt is refused by typ before any key lookup', async () => {
    const before = keys.calls.length;
    const err = await refusal(verifyAaAgentToken(await createAgentToken(apKey, { iss: AP, sub: 'd', cnfJwk: agentKey.publicJwk }), { keys }));
    expect([err.code, err.detail.field]).toEqual(['invalid_agent_token', 'typ']);
    expect(keys.calls.length).toBe(before);
  });

  it('the polymorphic alg EdDSA is refused (RFC 9864, §Signature Algorithms)', async () => {
    const token = await forge(apKey, { alg: 'EdDSA', typ: 'aa-agent+jwt' }, { iss: AP, dwk: 'aauth-agent.json', sub: AGENT_ID, cnf: { jwk: { ...agentKey.publicJwk, alg: 'Ed25519' } } });
    const err = await refusal(verifyAaAgentToken(token, { keys }));
    expect([err.code, err.detail.field, err.detail.reason]).toEqual(['invalid_agent_token', 'alg', 'not_allowed']);
  });

  it('a dwk other than aauth-agent.json is refused before any key lookup', async () => {
    const before = keys.calls.length;
    const token = await forge(apKey, { typ: 'aa-agent+jwt' }, { iss: AP, dwk: 'aauth-person.json', sub: AGENT_ID, cnf: { jwk: { ...agentKey.publicJwk, alg: 'Ed25519' } } });
    const err = await refusal(verifyAaAgentToken(token, { keys }));
    expect([err.detail.field, err.detail.reason]).toEqual(['dwk', 'mismatch']);
    expect(keys.calls.length).toBe(before);
  });

  it('a cnf.jwk without a fully specified alg is refused', async () => {
    const { alg: _alg, ...noAlg } = agentKey.publicJwk;
    for (const jwk of [noAlg, { ...noAlg, alg: 'EdDSA' }]) {
      const token = await forge(apKey, { typ: 'aa-agent+jwt' }, { iss: AP, dwk: 'aauth-agent.json', sub: AGENT_ID, cnf: { jwk } });
      expect((await refusal(verifyAaAgentToken(token, { keys }))).detail.reason).toBe('alg_not_fully_specified');
    }
  });

  it('a sub that is not an aauth:local@domain agent identifier is refused', async () => {
    const token = await forge(apKey, { typ: 'aa-agent+jwt' }, { iss: AP, dwk: 'aauth-agent.json', sub: 'My Agent@agent.example', cnf: { jwk: { ...agentKey.publicJwk, alg: 'Ed25519' } } });
    expect((await refusal(verifyAaAgentToken(token, { keys }))).detail.reason).toBe('invalid_agent_identifier');
  });

  it('a ps that is not a server identifier is refused; a parent_agent that is not an agent identifier is refused', async () => {
    const base = { iss: AP, dwk: 'aauth-agent.json', sub: 'aauth:p+s1@agent.example', cnf: { jwk: { ...agentKey.publicJwk, alg: 'Ed25519' } } };
    expect((await refusal(verifyAaAgentToken(await forge(apKey, { typ: 'aa-agent+jwt' }, { ...base, ps: 'https://ps.example/' }), { keys }))).detail.field).toBe('ps');
    expect((await refusal(verifyAaAgentToken(await forge(apKey, { typ: 'aa-agent+jwt' }, { ...base, parent_agent: 'p@agent.example' }), { keys }))).detail.field).toBe('parent_agent');
    const ok = await verifyAaAgentToken(await forge(apKey, { typ: 'aa-agent+jwt' }, { ...base, parent_agent: 'aauth:p@agent.example' }), { keys });
    expect(ok.parent_agent).toBe('aauth:p@agent.example');
  });

  it('a token without jti is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ iat: now, exp: now + 60, iss: AP, dwk: 'aauth-agent.json', sub: AGENT_ID, cnf: { jwk: { ...agentKey.publicJwk, alg: 'Ed25519' } } })
      .setProtectedHeader({ alg: 'Ed25519', typ: 'aa-agent+jwt', kid: 'ap-1' }).sign(apKey.privateKey);
    expect((await refusal(verifyAaAgentToken(token, { keys }))).detail.field).toBe('jti');
  });
});

describe('aa-person+jwt (§Person Token Structure / Verification)', () => {
  const input = { iss: PS, aud: RS, sub: 'pairwise-1', cnfJwk: agentKey.publicJwk, missionS256: S256 };

  it('is issued with typ aa-person+jwt, dwk aauth-person.json, aud, sub, cnf, mission_s256 and at most one hour', async () => {
    const token = await createAaPersonToken(psKey, { ...input, lifetimeSeconds: 7200 });
    expect(header(token)).toMatchObject({ typ: 'aa-person+jwt', alg: 'Ed25519' });
    const c = peekClaims(token, 'invalid_person_token');
    expect(c).toMatchObject({ iss: PS, dwk: 'aauth-person.json', aud: RS, sub: 'pairwise-1', mission_s256: S256 });
    expect((c.exp as number) - (c.iat as number)).toBe(3600);
  });

  it('never outlives notAfter (the agent token or the mission)', async () => {
    const now = 2_000_000_000;
    const c = peekClaims(await createAaPersonToken(psKey, { ...input, now, notAfter: now + 100 }), 'invalid_person_token');
    expect(c.exp).toBe(now + 100);
  });

  it('verifies at the resource it names', async () => {
    const claims = await verifyAaPersonToken(await createAaPersonToken(psKey, input), { keys, audience: RS, requestKey: agentKey.publicJwk });
    expect(claims.sub).toBe('pairwise-1');
  });

  it('aa-person+jwt whose cnf.jwk is not the request key is refused', async () => {
    const err = await refusal(verifyAaPersonToken(await createAaPersonToken(psKey, input), { keys, audience: RS, requestKey: otherKey.publicJwk }));
    expect([err.code, err.status, err.detail.reason]).toEqual(['invalid_person_token', 400, 'key_mismatch']);
  });

  it('aa-person+jwt for another resource (aud) is refused', async () => {
    const err = await refusal(verifyAaPersonToken(await createAaPersonToken(psKey, input), { keys, audience: 'https://other.example' }));
    expect([err.detail.field, err.detail.reason]).toEqual(['aud', 'mismatch']);
  });

  it('aa-person+jwt carrying scope or account is refused (a person token is not authorization)', async () => {
    for (const extra of [{ scope: 'data.read' }, { account: 'a@b' }]) {
      const token = await forge(psKey, { typ: 'aa-person+jwt' }, { iss: PS, dwk: 'aauth-person.json', aud: RS, sub: 's', cnf: { jwk: { ...agentKey.publicJwk, alg: 'Ed25519' } }, ...extra });
      expect((await refusal(verifyAaPersonToken(token, { keys, audience: RS }))).detail.reason).toBe('forbidden_claim');
    }
  });

  it('aa-person+jwt living longer than one hour is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await forge(psKey, { typ: 'aa-person+jwt' }, { iat: now, exp: now + 3601, iss: PS, dwk: 'aauth-person.json', aud: RS, sub: 's', cnf: { jwk: { ...agentKey.publicJwk, alg: 'Ed25519' } } });
    expect((await refusal(verifyAaPersonToken(token, { keys, audience: RS }))).detail.reason).toBe('lifetime_exceeded');
  });

  it('a structurally incomplete cnf.jwk is refused before key decoding', async () => {
    const token = await forge(psKey, { typ: 'aa-person+jwt' }, { iss: PS, dwk: 'aauth-person.json', aud: RS, sub: 's', cnf: { jwk: { kty: 'OKP', alg: 'Ed25519', x: agentKey.publicJwk.x } } });
    expect((await refusal(verifyAaPersonToken(token, { keys, audience: RS }))).detail.reason).toBe('incomplete');
  });

  it('an aa-person+jwt is refused where an auth token is required (only typ tells them apart)', async () => {
    const err = await refusal(verifyAaAuthToken(await createAaPersonToken(psKey, input), { keys, audience: RS }));
    expect([err.code, err.detail.field]).toEqual(['invalid_auth_token', 'typ']);
  });
});

describe('aa-resource+jwt (§Resource Token Structure / Verification / Challenge Verification)', () => {
  const input = { iss: RS, aud: PS, ps: PS, sub: 'pairwise-1', presentedJti: 'pt-1', agentJkt: agentKey.thumbprint, scope: 'data.read', missionS256: S256 };

  it('is issued with ps, sub, presented_jti, agent_jkt, scope, dwk aauth-resource.json, no agent claim, at most five minutes', async () => {
    const c = peekClaims(await createAaResourceToken(rsKey, { ...input, lifetimeSeconds: 900 }), 'invalid_resource_token');
    expect(c).toMatchObject({ iss: RS, dwk: 'aauth-resource.json', aud: PS, ps: PS, sub: 'pairwise-1', presented_jti: 'pt-1', agent_jkt: agentKey.thumbprint, scope: 'data.read', mission_s256: S256 });
    expect(c.agent).toBeUndefined();
    expect((c.exp as number) - (c.iat as number)).toBe(300);
  });

  it('verifies at the PS it names, bound to the signing key', async () => {
    const claims = await verifyAaResourceToken(await createAaResourceToken(rsKey, input), { keys, audience: PS, agentJkt: agentKey.thumbprint });
    expect(claims.presented_jti).toBe('pt-1');
  });

  it('aa-resource+jwt whose agent_jkt is not the signing key thumbprint is refused', async () => {
    const err = await refusal(verifyAaResourceToken(await createAaResourceToken(rsKey, input), { keys, audience: PS, agentJkt: otherKey.thumbprint }));
    expect([err.code, err.status, err.detail.field]).toEqual(['invalid_resource_token', 400, 'agent_jkt']);
  });

  it('aa-resource+jwt for another audience is refused', async () => {
    expect((await refusal(verifyAaResourceToken(await createAaResourceToken(rsKey, input), { keys, audience: AS }))).detail.field).toBe('aud');
  });

  it('an expired aa-resource+jwt is expired_resource_token', async () => {
    const err = await refusal(verifyAaResourceToken(await createAaResourceToken(rsKey, { ...input, now: 1_000_000 }), { keys }));
    expect([err.code, err.status]).toEqual(['expired_resource_token', 400]);
  });

  it('the agent checks iss is the resource it called, and ps/sub are its own (§Resource Challenge Verification)', async () => {
    const token = await createAaResourceToken(rsKey, input);
    expect((await refusal(verifyAaResourceToken(token, { keys, issuer: 'https://elsewhere.example' }))).detail.field).toBe('iss');
    expect((await refusal(verifyAaResourceToken(token, { keys, ps: 'https://other-ps.example' }))).detail.field).toBe('ps');
    expect((await refusal(verifyAaResourceToken(token, { keys, sub: 'someone-else' }))).detail.field).toBe('sub');
  });

  it('aa-resource+jwt without presented_jti is refused', async () => {
    const token = await forge(rsKey, { typ: 'aa-resource+jwt' }, { iss: RS, dwk: 'aauth-resource.json', aud: PS, ps: PS, sub: 's', agent_jkt: agentKey.thumbprint, scope: 'x' });
    expect((await refusal(verifyAaResourceToken(token, { keys }))).detail.field).toBe('presented_jti');
  });

  it('a presented_jti the PS does not retain is unknown_person_token', async () => {
    const claims = await verifyAaResourceToken(await createAaResourceToken(rsKey, input), { keys });
    const err = (() => { try { matchPersonTokenRecord(claims, undefined); } catch (e) { return e as AAuthError; } throw new Error('no refusal'); })();
    expect([err.code, err.status]).toEqual(['unknown_person_token', 400]);
  });

  it('a resource token that dropped the person token\'s mission_s256 is refused (mission stripping)', async () => {
    const { missionS256: _m, ...stripped } = input;
    const claims = await verifyAaResourceToken(await createAaResourceToken(rsKey, stripped), { keys });
    const record = { jti: 'pt-1', ps: PS, sub: 'pairwise-1', mission_s256: S256, exp: 0 };
    expect(() => matchPersonTokenRecord(claims, record)).toThrow(expect.objectContaining({ code: 'invalid_resource_token', detail: expect.objectContaining({ field: 'mission_s256', reason: 'record_mismatch' }) }) as Error);
    expect(() => matchPersonTokenRecord({ ...claims, mission_s256: S256 }, record)).not.toThrow();
  });
});

describe('aa-auth+jwt (§Auth Token Structure / Verification)', () => {
  const input = { iss: PS, aud: RS, sub: 'pairwise-1', cnfJwk: agentKey.publicJwk, scope: 'data.read', missionS256: S256 };

  it('a PS-issued auth token has dwk aauth-person.json and ps = iss; an AS-issued one aauth-access.json', async () => {
    const ps = peekClaims(await createAaAuthToken(psKey, input), 'invalid_auth_token');
    expect(ps).toMatchObject({ iss: PS, dwk: 'aauth-person.json', ps: PS, aud: RS, sub: 'pairwise-1' });
    const as = await createAaAuthToken(asKey, { ...input, iss: AS, issuer: 'access', ps: PS });
    expect(header(as)).toMatchObject({ alg: 'ES256', typ: 'aa-auth+jwt' });
    expect(peekClaims(as, 'invalid_auth_token')).toMatchObject({ iss: AS, dwk: 'aauth-access.json', ps: PS });
    await expect(verifyAaAuthToken(as, { keys, audience: RS, requestKey: agentKey.publicJwk })).resolves.toMatchObject({ iss: AS });
  });

  it('verifies at the resource, bound to the request key', async () => {
    const claims = await verifyAaAuthToken(await createAaAuthToken(psKey, input), { keys, audience: RS, requestKey: agentKey.publicJwk });
    expect([claims.sub, claims.scope]).toEqual(['pairwise-1', 'data.read']);
  });

  it('aa-auth+jwt whose cnf.jwk is not the request key is refused', async () => {
    const err = await refusal(verifyAaAuthToken(await createAaAuthToken(psKey, input), { keys, audience: RS, requestKey: otherKey.publicJwk }));
    expect([err.code, err.status, err.detail.reason]).toEqual(['invalid_auth_token', 401, 'key_mismatch']);
  });

  it('aa-auth+jwt for another resource is refused', async () => {
    expect((await refusal(verifyAaAuthToken(await createAaAuthToken(psKey, input), { keys, audience: 'https://other.example' }))).detail.field).toBe('aud');
  });

  it('aa-auth+jwt without sub is refused (the resource keys its record by (iss, sub))', async () => {
    const token = await forge(psKey, { typ: 'aa-auth+jwt' }, { iss: PS, dwk: 'aauth-person.json', aud: RS, ps: PS, cnf: { jwk: { ...agentKey.publicJwk, alg: 'Ed25519' } } });
    expect((await refusal(verifyAaAuthToken(token, { keys, audience: RS }))).detail.field).toBe('sub');
  });

  it('a PS-signed aa-auth+jwt whose ps is not its iss is refused', async () => {
    const token = await forge(psKey, { typ: 'aa-auth+jwt' }, { iss: PS, dwk: 'aauth-person.json', aud: RS, ps: 'https://other-ps.example', sub: 's', cnf: { jwk: { ...agentKey.publicJwk, alg: 'Ed25519' } } });
    expect((await refusal(verifyAaAuthToken(token, { keys, audience: RS }))).detail.field).toBe('ps');
  });

  it('aa-auth+jwt with dwk aauth-agent.json is refused', async () => {
    const token = await forge(psKey, { typ: 'aa-auth+jwt' }, { iss: PS, dwk: 'aauth-agent.json', aud: RS, ps: PS, sub: 's', cnf: { jwk: { ...agentKey.publicJwk, alg: 'Ed25519' } } });
    expect((await refusal(verifyAaAuthToken(token, { keys, audience: RS }))).detail.field).toBe('dwk');
  });

  it('aa-auth+jwt living longer than one hour is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await forge(psKey, { typ: 'aa-auth+jwt' }, { iat: now, exp: now + 7200, iss: PS, dwk: 'aauth-person.json', aud: RS, ps: PS, sub: 's', cnf: { jwk: { ...agentKey.publicJwk, alg: 'Ed25519' } } });
    expect((await refusal(verifyAaAuthToken(token, { keys, audience: RS }))).detail.reason).toBe('lifetime_exceeded');
  });

  it('the agent checks iss is the resource token\'s aud and sub is its person token\'s (§Auth Token Response Verification)', async () => {
    const token = await createAaAuthToken(psKey, input);
    expect((await refusal(verifyAaAuthToken(token, { keys, audience: RS, issuer: AS }))).detail.field).toBe('iss');
    expect((await refusal(verifyAaAuthToken(token, { keys, audience: RS, sub: 'other' }))).detail.field).toBe('sub');
  });
});

describe('thumbprints bind across tokens', () => {
  it('agent_jkt is the RFC 7638 thumbprint of the cnf.jwk the agent token carries', async () => {
    const claims = await verifyAaAgentToken(await createAaAgentToken(apKey, agentTokenInput), { keys });
    expect(jwkThumbprint(claims.cnf.jwk as PublicJwk)).toBe(agentKey.thumbprint);
    expect(AAUTH_CURRENT.typ.agent).toBe('aa-agent+jwt');
  });
});
