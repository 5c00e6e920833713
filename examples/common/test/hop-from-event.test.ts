import type { AAuthEvent } from '@aauth-ts/agent';
import type { AuthTokenClaims, ResourceTokenClaims } from '@aauth-ts/core';
import { describe as describeEvent, hopSink } from '../src/hop-from-event.js';
import { HopRecorder } from '../src/hop.js';

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const jwt = (header: object, claims: object): string => `${b64(header)}.${b64(claims)}.sig`;
const SCA = 'http://supply-chain-agent.localhost:9002';
const MAA = 'http://market-analysis-agent.localhost:9003';
const ISS = 'http://localhost:8080/realms/aauth-test';
const parties = { [SCA]: 'supply-chain agent', [MAA]: 'market-analysis agent', [ISS]: 'auth server', 'user-1': 'mcp-user' };

const authClaims = { iss: ISS, aud: MAA, agent: SCA, sub: 'user-1', scope: 'market-analysis:analyze', cnf: { jwk: { kty: 'OKP', crv: 'Ed25519', x: 'x' } }, iat: 1, exp: 2 } as AuthTokenClaims;
const authToken = jwt({ typ: 'auth+jwt' }, authClaims);
const resourceClaims = { iss: MAA, aud: ISS, agent: SCA, agent_jkt: 'j', scope: 'market-analysis:analyze', iat: 1, exp: 2 } as ResourceTokenClaims;
const resourceToken = jwt({ typ: 'resource+jwt' }, resourceClaims);

describe('hops from agent events', () => {
  it('a first signed request shows the agent token carried in Signature-Key', () => {
    const agentToken = jwt({ typ: 'agent+jwt' }, { iss: SCA, sub: 'd' });
    const hop = describeEvent({ type: 'request.signed', method: 'POST', url: `${MAA}/analysis`, scheme: 'jwt', attempt: 1, headers: { 'signature-key': `sig=jwt;jwt="${agentToken}"` } }, 'supply-chain agent', parties);
    expect(hop).toMatchObject({ kind: 'request', title: 'supply-chain agent → market-analysis agent: POST /analysis' });
    expect(hop?.tokens?.[0]?.header.typ).toBe('agent+jwt');
  });

  it('a challenge shows the resource token and the scope', () => {
    const hop = describeEvent({ type: 'challenge', url: `${MAA}/analysis`, challenge: { require: 'auth-token', resourceToken, authServer: ISS } as never, resourceToken, claims: resourceClaims }, 'supply-chain agent', parties);
    expect(hop).toMatchObject({ kind: 'challenge', status: 401 });
    expect(hop?.title).toContain('scope market-analysis:analyze');
    expect(hop?.explain).toContain('auth server');
  });

  it('a chained token request shows both the resource token and the upstream token', () => {
    const hop = describeEvent({ type: 'token.request', url: `${ISS}/protocol/aauth/token`, mode: 'chained', body: { resource_token: resourceToken, upstream_token: authToken } }, 'supply-chain agent', parties);
    expect(hop?.tokens?.map((t) => t.header.typ)).toEqual(['resource+jwt', 'auth+jwt']);
    expect(hop?.explain).toContain('upstream_token');
  });

  it('an issued token names agent, audience and user in words', () => {
    const hop = describeEvent({ type: 'token.issued', authServer: ISS, resource: MAA, authToken, claims: authClaims, mode: 'chained' }, 'supply-chain agent', parties);
    expect(hop?.title).toBe('auth server → supply-chain agent: auth token (agent supply-chain agent, aud market-analysis agent, for mcp-user (sub user-1))');
  });

  it('folds repeated pending answers and 202 polls, and skips the 401 response the challenge already shows', () => {
    const recorder = new HopRecorder('backend', 0);
    const sink = hopSink(recorder, 'backend', parties);
    const pending: AAuthEvent = { type: 'pending', location: `${ISS}/protocol/aauth/pending/1`, retryAfter: 0, require: 'interaction', code: 'ABCD1234' };
    const events: AAuthEvent[] = [
      { type: 'response', method: 'POST', url: `${SCA}/optimize`, status: 401, attempt: 1 },
      pending,
      { type: 'poll', location: `${ISS}/protocol/aauth/pending/1`, status: 202 },
      pending,
      { type: 'poll', location: `${ISS}/protocol/aauth/pending/1`, status: 202 },
      pending,
      { type: 'poll', location: `${ISS}/protocol/aauth/pending/1`, status: 200 },
      { type: 'retry', method: 'POST', url: `${SCA}/optimize` },
    ];
    events.forEach(sink);
    expect(recorder.hops.map((h) => `${h.kind}:${h.status}`)).toEqual(['pending:202', 'poll:202', 'poll:200']);
  });

  it('a refused token request becomes an error hop', () => {
    const hop = describeEvent({ type: 'token.response', url: `${ISS}/protocol/aauth/token`, status: 403, body: { error: 'access_denied' } }, 'backend', parties);
    expect(hop).toMatchObject({ kind: 'error', status: 403 });
  });
});
