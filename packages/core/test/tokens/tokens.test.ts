/**
 * The three token types (2026-03 §Agent Tokens, §Resource Tokens, §Auth Tokens), verified against
 * an in-memory issuer key source. Each refusal asserts the token type's wire code and the reason;
 * the ordering tests show that header and issuer checks happen before any key lookup and that the
 * signature is checked before any claim is used.
 */
import { SignJWT } from 'jose';
import {
  createAgentToken, createAuthToken, createResourceToken, generateSigningKey, verifyAgentToken, verifyAuthToken, verifyResourceToken,
  TokenError, peekTyp, type SigningKey,
} from '@aauth-ts/core';
import { memoryKeySource } from '../helpers/key-source.js';
import { refusal } from '../helpers/refusal.js';

const NOW = 1730217600;
const AGENT_SERVER = 'https://agent.example';
const RESOURCE = 'https://resource.example';
const ISSUER = 'https://auth.example/realms/demo';

const agentServerKey = generateSigningKey('Ed25519', 'agent-key-1');
const resourceKey = generateSigningKey('Ed25519', 'resource-key-1');
const issuerKey = generateSigningKey('P-256', 'issuer-key-1');
const delegate = generateSigningKey('Ed25519');
const stranger = generateSigningKey('Ed25519', 'agent-key-1');

function keys() {
  return memoryKeySource({ [AGENT_SERVER]: [agentServerKey], [RESOURCE]: [resourceKey], [ISSUER]: [issuerKey] });
}

function b64u(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A JWT with arbitrary header and claims, signed by `key` with its own algorithm. */
function forge(key: SigningKey, header: Record<string, unknown>, claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: key.jwsAlgorithm, kid: key.kid, ...header }).sign(key.privateKey);
}

const agentClaims = { iss: AGENT_SERVER, sub: 'delegate-1', cnf: { jwk: delegate.publicJwk }, iat: NOW - 10, exp: NOW + 3600 };

describe('agent tokens (agent+jwt)', () => {
  it('a valid token verifies; the key is looked up at the agent metadata document', async () => {
    const token = await createAgentToken(agentServerKey, { iss: AGENT_SERVER, sub: 'delegate-1', cnfJwk: delegate.publicJwk, now: NOW });
    const source = keys();
    const claims = await verifyAgentToken(token, { keys: source, now: NOW });
    expect(claims).toMatchObject({ iss: AGENT_SERVER, sub: 'delegate-1', cnf: { jwk: { x: delegate.publicJwk.x } } });
    expect(source.calls).toEqual([[AGENT_SERVER, 'aauth-agent.json', 'agent-key-1', 'EdDSA']]);
  });

  it('wrong typ (an auth+jwt presented as agent token)', async () => {
    const err = await refusal(verifyAgentToken(await forge(agentServerKey, { typ: 'auth+jwt' }, agentClaims), { keys: keys(), now: NOW }));
    expect(err).toMatchObject({ code: 'invalid_agent_token', status: 401, detail: { field: 'typ', reason: 'mismatch', expected: 'agent+jwt', actual: 'auth+jwt' } });
  });

  it('missing typ', async () => {
    const token = await new SignJWT(agentClaims).setProtectedHeader({ alg: 'EdDSA' }).sign(agentServerKey.privateKey);
    const err = await refusal(verifyAgentToken(token, { keys: keys(), now: NOW }));
    expect(err).toMatchObject({ code: 'invalid_agent_token', detail: { field: 'typ', reason: 'mismatch' } });
  });

  it('alg none is refused before any key lookup', async () => {
    const source = keys();
    const token = `${b64u({ alg: 'none', typ: 'agent+jwt' })}.${b64u(agentClaims)}.`;
    const err = await refusal(verifyAgentToken(token, { keys: source, now: NOW }));
    expect(err).toMatchObject({ code: 'invalid_agent_token', detail: { field: 'alg', reason: 'not_allowed', actual: 'none' } });
    expect(source.calls).toHaveLength(0);
  });

  it('HS256 keyed with the issuer\'s public key (algorithm confusion) is refused before any key lookup', async () => {
    const source = keys();
    const secret = Buffer.from(JSON.stringify(agentServerKey.publicJwk));
    const token = await new SignJWT(agentClaims).setProtectedHeader({ alg: 'HS256', typ: 'agent+jwt', kid: 'agent-key-1' }).sign(secret);
    const err = await refusal(verifyAgentToken(token, { keys: source, now: NOW }));
    expect(err).toMatchObject({ code: 'invalid_agent_token', detail: { field: 'alg', reason: 'not_allowed', actual: 'HS256' } });
    expect(source.calls).toHaveLength(0);
  });

  it('expired (beyond the 60 s skew)', async () => {
    const token = await createAgentToken(agentServerKey, { iss: AGENT_SERVER, sub: 'd', cnfJwk: delegate.publicJwk, now: NOW - 3600 - 61 });
    const err = await refusal(verifyAgentToken(token, { keys: keys(), now: NOW }));
    expect(err).toMatchObject({ code: 'invalid_agent_token', detail: { field: 'exp', reason: 'expired' } });
  });

  it('expired within the skew is accepted', async () => {
    const token = await createAgentToken(agentServerKey, { iss: AGENT_SERVER, sub: 'd', cnfJwk: delegate.publicJwk, now: NOW - 3600 - 30 });
    await expect(verifyAgentToken(token, { keys: keys(), now: NOW })).resolves.toMatchObject({ sub: 'd' });
  });

  it('iat in the future (beyond the skew)', async () => {
    const token = await createAgentToken(agentServerKey, { iss: AGENT_SERVER, sub: 'd', cnfJwk: delegate.publicJwk, now: NOW + 120 });
    const err = await refusal(verifyAgentToken(token, { keys: keys(), now: NOW }));
    expect(err).toMatchObject({ code: 'invalid_agent_token', detail: { field: 'iat', reason: 'future' } });
  });

  it('nbf in the future', async () => {
    const err = await refusal(verifyAgentToken(await forge(agentServerKey, { typ: 'agent+jwt' }, { ...agentClaims, nbf: NOW + 600 }), { keys: keys(), now: NOW }));
    expect(err).toMatchObject({ code: 'invalid_agent_token', detail: { field: 'nbf' } });
  });

  it('signed by another key with the same kid', async () => {
    const err = await refusal(verifyAgentToken(await forge(stranger, { typ: 'agent+jwt' }, agentClaims), { keys: keys(), now: NOW }));
    expect(err).toMatchObject({ code: 'invalid_agent_token', detail: { reason: 'bad_signature' } });
  });

  it('iss that is not a server identifier (path, http) is refused before any key lookup', async () => {
    for (const iss of ['https://agent.example/path', 'http://agent.example', 'https://Agent.example']) {
      const source = keys();
      const err = await refusal(verifyAgentToken(await forge(agentServerKey, { typ: 'agent+jwt' }, { ...agentClaims, iss }), { keys: source, now: NOW }));
      expect(err).toMatchObject({ code: 'invalid_agent_token', detail: { field: 'iss', reason: 'invalid_identifier' } });
      expect(source.calls).toHaveLength(0);
    }
  });

  it('an issuer key that cannot be found', async () => {
    const err = await refusal(verifyAgentToken(await forge(agentServerKey, { typ: 'agent+jwt', kid: 'rotated-away' }, agentClaims), { keys: keys(), now: NOW }));
    expect(err).toMatchObject({ code: 'invalid_agent_token', detail: { field: 'kid', reason: 'key_unavailable' } });
  });

  it('missing cnf.jwk, and a cnf.jwk with private material', async () => {
    const { cnf: _cnf, ...noCnf } = agentClaims;
    expect(await refusal(verifyAgentToken(await forge(agentServerKey, { typ: 'agent+jwt' }, noCnf), { keys: keys(), now: NOW })))
      .toMatchObject({ code: 'invalid_agent_token', detail: { field: 'cnf', reason: 'missing' } });
    const withD = { ...agentClaims, cnf: { jwk: { ...delegate.publicJwk, d: 'secret' } } };
    expect(await refusal(verifyAgentToken(await forge(agentServerKey, { typ: 'agent+jwt' }, withD), { keys: keys(), now: NOW })))
      .toMatchObject({ code: 'invalid_agent_token', detail: { field: 'cnf', reason: 'private_key' } });
  });

  it('aud present but not listing this server', async () => {
    const token = await forge(agentServerKey, { typ: 'agent+jwt' }, { ...agentClaims, aud: ['https://other.example'] });
    const err = await refusal(verifyAgentToken(token, { keys: keys(), now: NOW, audience: ISSUER }));
    expect(err).toMatchObject({ code: 'invalid_agent_token', detail: { field: 'aud', reason: 'mismatch' } });
  });

  it('crit header parameters are refused', async () => {
    // jose will not sign an unknown crit extension, so the header is written by hand.
    const token = `${b64u({ alg: 'EdDSA', typ: 'agent+jwt', crit: ['x-ext'], 'x-ext': 1 })}.${b64u(agentClaims)}.${Buffer.alloc(64).toString('base64url')}`;
    const err = await refusal(verifyAgentToken(token, { keys: keys(), now: NOW }));
    expect(err).toMatchObject({ code: 'invalid_agent_token', detail: { field: 'crit' } });
  });

  it('not a compact JWT', async () => {
    for (const token of ['', 'abc', 'a.b', 'a.b.c.d.e', `${b64u({ typ: 'agent+jwt', alg: 'EdDSA' })}.bm90IGpzb24.`]) {
      const err = await refusal(verifyAgentToken(token, { keys: keys(), now: NOW }));
      expect(err).toBeInstanceOf(TokenError);
      expect(err.code).toBe('invalid_agent_token');
    }
  });
});

describe('resource tokens (resource+jwt)', () => {
  const base = { iss: RESOURCE, aud: ISSUER, agent: AGENT_SERVER, agentJkt: delegate.thumbprint, scope: 'orders:read', now: NOW };
  const expected = { keys: keys(), now: NOW, audience: ISSUER, agent: AGENT_SERVER, agentJkt: delegate.thumbprint };

  it('a valid token verifies at the auth server and at the agent', async () => {
    const token = await createResourceToken(resourceKey, base);
    await expect(verifyResourceToken(token, { ...expected, keys: keys() })).resolves.toMatchObject({ scope: 'orders:read', agent_jkt: delegate.thumbprint });
    await expect(verifyResourceToken(token, { keys: keys(), now: NOW, issuer: RESOURCE, agentJkt: delegate.thumbprint })).resolves.toMatchObject({ iss: RESOURCE });
  });

  it.each([
    ['aud', { aud: 'https://other-as.example' }],
    ['agent', { agent: 'https://other-agent.example' }],
    ['agent_jkt', { agentJkt: stranger.thumbprint }],
  ])('%s mismatch', async (field, patch) => {
    const token = await createResourceToken(resourceKey, { ...base, ...patch });
    const err = await refusal(verifyResourceToken(token, { ...expected, keys: keys() }));
    expect(err).toMatchObject({ code: 'invalid_resource_token', status: 400, detail: { field, reason: 'mismatch' } });
  });

  it('iss is not the resource the agent called: refused before any key lookup', async () => {
    const source = keys();
    const err = await refusal(verifyResourceToken(await createResourceToken(resourceKey, base), { keys: source, now: NOW, issuer: 'https://elsewhere.example' }));
    expect(err).toMatchObject({ code: 'invalid_resource_token', detail: { field: 'iss', reason: 'mismatch' } });
    expect(source.calls).toHaveLength(0);
  });

  it('wrong typ (an agent token where a resource token is expected)', async () => {
    const token = await createAgentToken(agentServerKey, { iss: AGENT_SERVER, sub: 'd', cnfJwk: delegate.publicJwk, now: NOW });
    const err = await refusal(verifyResourceToken(token, { ...expected, keys: keys() }));
    expect(err).toMatchObject({ code: 'invalid_resource_token', detail: { field: 'typ', reason: 'mismatch' } });
  });

  it('expired (default lifetime 300 s)', async () => {
    const token = await createResourceToken(resourceKey, { ...base, now: NOW - 300 - 61 });
    const err = await refusal(verifyResourceToken(token, { ...expected, keys: keys() }));
    expect(err).toMatchObject({ code: 'invalid_resource_token', detail: { reason: 'expired' } });
  });

  it('missing agent_jkt', async () => {
    const token = await forge(resourceKey, { typ: 'resource+jwt' }, { iss: RESOURCE, aud: ISSUER, agent: AGENT_SERVER, iat: NOW, exp: NOW + 300 });
    const err = await refusal(verifyResourceToken(token, { ...expected, keys: keys() }));
    expect(err).toMatchObject({ code: 'invalid_resource_token', detail: { field: 'agent_jkt', reason: 'missing' } });
  });
});

describe('auth tokens (auth+jwt)', () => {
  const base = { iss: ISSUER, aud: RESOURCE, agent: AGENT_SERVER, cnfJwk: delegate.publicJwk, sub: 'user-1', scope: 'orders:read', lifetimeSeconds: 3600, now: NOW };
  const expected = { now: NOW, trustedIssuers: [ISSUER], audience: RESOURCE, agent: AGENT_SERVER, cnfThumbprint: delegate.thumbprint };

  it('a valid token verifies (ES256 issuer key, via aauth-issuer.json)', async () => {
    const source = keys();
    const token = await createAuthToken(issuerKey, base);
    await expect(verifyAuthToken(token, { ...expected, keys: source })).resolves.toMatchObject({ sub: 'user-1', agent: AGENT_SERVER });
    expect(source.calls).toEqual([[ISSUER, 'aauth-issuer.json', 'issuer-key-1', 'ES256']]);
  });

  it('untrusted issuer is refused before any key lookup', async () => {
    const source = keys();
    const err = await refusal(verifyAuthToken(await createAuthToken(issuerKey, base), { ...expected, keys: source, trustedIssuers: ['https://other-as.example'] }));
    expect(err).toMatchObject({ code: 'invalid_auth_token', detail: { field: 'iss', reason: 'untrusted', actual: ISSUER } });
    expect(source.calls).toHaveLength(0);
  });

  it('cnf mismatch: the token is bound to another key → key_binding_failed', async () => {
    const err = await refusal(verifyAuthToken(await createAuthToken(issuerKey, base), { ...expected, keys: keys(), cnfThumbprint: stranger.thumbprint }));
    expect(err).toMatchObject({ code: 'key_binding_failed', status: 401, detail: { field: 'cnf', reason: 'mismatch' } });
    expect(err.toJSON()).toMatchObject({ error: 'key_binding_failed' });
  });

  // 2026-03 §Auth Token Structure: an auth token MAY carry any claim of the IANA JWT Claims
  // registry or OpenID Connect Core §5.1; a verifier accepts and surfaces them.
  const authClaims = { iss: ISSUER, aud: RESOURCE, agent: AGENT_SERVER, cnf: { jwk: delegate.publicJwk }, sub: 'u', iat: NOW, exp: NOW + 60 };
  const registered = {
    act: { sub: 'https://intermediary.example', act: { sub: 'https://first.example' } }, may_act: { sub: 'https://next.example' },
    nbf: NOW - 5, auth_time: NOW - 100, acr: 'urn:mace:incommon:iap:silver', amr: ['pwd', 'otp'], azp: AGENT_SERVER, client_id: AGENT_SERVER,
    email: 'u@example.com',
  };

  it('registered claims (act, may_act, nbf, auth_time, acr, amr, azp, client_id, OIDC) are accepted and surfaced', async () => {
    const token = await forge(issuerKey, { typ: 'auth+jwt' }, { ...authClaims, ...registered });
    const claims = await verifyAuthToken(token, { ...expected, keys: keys() });
    expect(claims).toMatchObject(registered);
    const typed: { act?: { sub: string }; auth_time?: number; acr?: string; amr?: string[] } = claims;
    expect(typed.act?.sub).toBe('https://intermediary.example');
  });

  it.each([
    ['nbf in the future', { nbf: NOW + 600 }, 'nbf'],
    ['nbf not a number', { nbf: 'soon' }, 'nbf'],
    ['act malformed (no sub)', { act: { iss: 'https://x.example' } }, 'act'],
    ['auth_time not a number', { auth_time: 'yesterday' }, 'auth_time'],
    ['amr not an array of strings', { amr: 'pwd' }, 'amr'],
    ['acr not a string', { acr: 1 }, 'acr'],
  ])('registered claims keep their checks: %s → invalid_auth_token', async (_name, patch, field) => {
    const err = await refusal(verifyAuthToken(await forge(issuerKey, { typ: 'auth+jwt' }, { ...authClaims, ...patch }), { ...expected, keys: keys() }));
    expect(err).toMatchObject({ code: 'invalid_auth_token', detail: { field } });
  });

  it('an nbf in the future is refused on refresh too (allowExpired relaxes exp only)', async () => {
    const token = await forge(issuerKey, { typ: 'auth+jwt' }, { ...authClaims, iat: NOW - 7200, exp: NOW - 3600, nbf: NOW + 600 });
    const err = await refusal(verifyAuthToken(token, { ...expected, keys: keys(), allowExpired: true }));
    expect(err).toMatchObject({ code: 'invalid_auth_token', detail: { field: 'nbf' } });
  });

  it('createAuthToken never emits act, even if asked to', async () => {
    const token = await createAuthToken(issuerKey, { ...base, claims: { act: { sub: 'x' } } });
    await expect(verifyAuthToken(token, { ...expected, keys: keys() })).resolves.not.toHaveProperty('act');
  });

  it.each([
    ['aud', { audience: 'https://other-resource.example' }],
    ['agent', { agent: 'https://other-agent.example' }],
  ])('%s mismatch', async (field, patch) => {
    const err = await refusal(verifyAuthToken(await createAuthToken(issuerKey, base), { ...expected, keys: keys(), ...patch }));
    expect(err).toMatchObject({ code: 'invalid_auth_token', detail: { field, reason: 'mismatch' } });
  });

  it('expired; accepted only with allowExpired (refresh)', async () => {
    const token = await createAuthToken(issuerKey, { ...base, now: NOW - 7200 });
    expect(await refusal(verifyAuthToken(token, { ...expected, keys: keys() }))).toMatchObject({ code: 'invalid_auth_token', detail: { reason: 'expired' } });
    await expect(verifyAuthToken(token, { ...expected, keys: keys(), allowExpired: true })).resolves.toMatchObject({ sub: 'user-1' });
  });

  it('a person token type is not an auth token', async () => {
    const err = await refusal(verifyAuthToken(await forge(issuerKey, { typ: 'aa-person+jwt' }, { iss: ISSUER }), { ...expected, keys: keys() }));
    expect(err).toMatchObject({ code: 'invalid_auth_token', detail: { field: 'typ', reason: 'mismatch', actual: 'aa-person+jwt' } });
  });

  it('neither sub nor scope', async () => {
    const token = await createAuthToken(issuerKey, { iss: ISSUER, aud: RESOURCE, agent: AGENT_SERVER, cnfJwk: delegate.publicJwk, lifetimeSeconds: 60, now: NOW });
    expect(await refusal(verifyAuthToken(token, { ...expected, keys: keys() }))).toMatchObject({ code: 'invalid_auth_token', detail: { field: 'sub', reason: 'missing' } });
  });
});

describe('token verification order', () => {
  it('typ is checked before alg and before any key lookup', async () => {
    const source = keys();
    const token = `${b64u({ alg: 'none', typ: 'resource+jwt' })}.${b64u(agentClaims)}.`;
    const err = await refusal(verifyAgentToken(token, { keys: source, now: NOW }));
    expect(err.detail).toMatchObject({ field: 'typ' });
    expect(source.calls).toHaveLength(0);
  });

  it('the signature is checked before the claims: a forged token with wrong aud reports the signature', async () => {
    const token = await forge(stranger, { typ: 'auth+jwt', kid: 'issuer-key-1', alg: 'EdDSA' }, { iss: ISSUER, aud: 'https://wrong.example', agent: AGENT_SERVER, cnf: { jwk: delegate.publicJwk }, sub: 'u', iat: NOW, exp: NOW + 60 });
    const err = await refusal(verifyAuthToken(token, { keys: memoryKeySource({ [ISSUER]: [generateSigningKey('Ed25519', 'issuer-key-1')] }), now: NOW, trustedIssuers: [ISSUER], audience: RESOURCE }));
    expect(err.detail).toMatchObject({ reason: 'bad_signature' });
  });

  it('the signature is checked before expiry is reported for a forged token', async () => {
    const token = await forge(stranger, { typ: 'agent+jwt' }, { ...agentClaims, exp: NOW - 7200, iat: NOW - 9000 });
    const err = await refusal(verifyAgentToken(token, { keys: keys(), now: NOW }));
    expect(err.detail).toMatchObject({ reason: 'bad_signature' });
  });
});

describe('peekTyp answers for each token\'s own protected header', () => {
  const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const token = (header: unknown): string => `${b64(header)}.${b64({ iss: 'x' })}.c2ln`;

  test('tokens that differ only in their header segment each get their own typ, however often asked', () => {
    const agent = token({ alg: 'EdDSA', typ: 'agent+jwt' });
    const auth = token({ alg: 'EdDSA', typ: 'auth+jwt' });
    const none = token({ alg: 'EdDSA' });
    for (let i = 0; i < 3; i++) {
      expect(peekTyp(agent)).toBe('agent+jwt');
      expect(peekTyp(auth)).toBe('auth+jwt');
      expect(peekTyp(none)).toBeUndefined();
    }
  });

  test('a header that does not decode, or a token without a dot, has no typ; a non-string typ is returned as sent', () => {
    expect(peekTyp('not-a-token')).toBeUndefined();
    expect(peekTyp('%%%.e30.c2ln')).toBeUndefined();
    const odd = token({ alg: 'EdDSA', typ: { nested: true } });
    expect(peekTyp(odd)).toEqual({ nested: true });
    expect(peekTyp(odd)).toEqual({ nested: true });
  });
});
