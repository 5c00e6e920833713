/**
 * The current profile's hops: the person-token hop names which Person Server, `aud`, the directed
 * `sub` and `mission_s256`; the bare 401 to a person-token request is left to the resource-token
 * hop; a chained request says it carries the upstream token; the auth-token hop records who holds it.
 */
import type { AAuthEvent } from '@aauth-ts/agent';
import type { AaAuthTokenClaims, AaResourceTokenClaims } from '@aauth-ts/core';
import { describe as describeEvent, hopSink } from '../src/hop-from-event.js';
import { HopRecorder } from '../src/hop.js';

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const jwt = (header: object, claims: object): string => `${b64(header)}.${b64(claims)}.sig`;
const SCA = 'http://supply-chain-agent.localhost:9002';
const MAA = 'http://market-analysis-agent.localhost:9003';
const PS = 'http://localhost:8080/realms/aauth-test';
const AGENT = 'aauth:planner@supply-chain-agent.localhost:9002';
const parties = { [SCA]: 'supply-chain agent', [MAA]: 'market-analysis agent', [PS]: 'Person Server', [AGENT]: 'supply-chain agent' };

const personToken = jwt({ typ: 'aa-person+jwt', alg: 'Ed25519' }, { iss: PS, aud: MAA, sub: 'directed-sub-at-maa-0123456789', mission_s256: 'mission-digest-0123456789', cnf: { jwk: {} } });
const authClaims = { iss: PS, ps: PS, aud: MAA, sub: 'directed-sub-at-maa-0123456789', scope: 'market-analysis:analyze', cnf: { jwk: {} }, iat: 1, exp: 2 } as unknown as AaAuthTokenClaims;
const authToken = jwt({ typ: 'aa-auth+jwt' }, authClaims);
const resourceClaims = { iss: MAA, aud: PS, ps: PS, sub: 'directed-sub-at-maa-0123456789', presented_jti: 'j', agent_jkt: 'k', scope: 'market-analysis:analyze', iat: 1, exp: 2 } as unknown as AaResourceTokenClaims;
const resourceToken = jwt({ typ: 'aa-resource+jwt' }, resourceClaims);
const upstreamToken = jwt({ typ: 'aa-auth+jwt' }, { iss: PS, ps: PS, aud: SCA, sub: 'directed-sub-at-sca' });

describe('hops from current-profile events', () => {
  it('the person-token hop names the Person Server, aud, the directed sub and mission_s256, with the decoded token', () => {
    const hop = describeEvent({ type: 'person-token.issued', personServer: PS, resource: MAA, personToken }, 'supply-chain agent', parties);
    expect(hop?.kind).toBe('person-token');
    expect(hop?.title).toBe(`Person Server → supply-chain agent: person token (PS ${PS}, aud market-analysis agent, directed sub directed-sub…, mission_s256 mission-dige…)`);
    expect(hop?.tokens?.[0]?.claims).toMatchObject({ iss: PS, aud: MAA, sub: 'directed-sub-at-maa-0123456789', mission_s256: 'mission-digest-0123456789' });
  });

  it('a chained request to the Person Server shows the upstream token', () => {
    const hop = describeEvent({ type: 'ps.request', url: `${PS}/protocol/aauth/ps/person`, body: { resource: MAA, upstream_token: upstreamToken } }, 'supply-chain agent', parties);
    expect(hop?.title).toBe('supply-chain agent → Person Server: ask for a person token for the market-analysis agent (with the upstream token)');
    expect(hop?.tokens?.map((t) => t.label)).toEqual(['upstream token (the auth token the caller presented)']);
  });

  it('the auth-token hop records the agent holding it (the token names none)', () => {
    const hop = describeEvent({ type: 'auth-token.issued', authServer: PS, resource: MAA, authToken, claims: authClaims }, 'supply-chain agent', parties, 0, AGENT);
    expect(hop).toMatchObject({ kind: 'token', holder: AGENT });
    expect(hop?.title).toContain('aud market-analysis agent');
  });

  it('the 401 to a person token is shown once, by the resource-token hop; the person-token requirement is its own hop', () => {
    const recorder = new HopRecorder('supply-chain-agent', 1);
    const sink = hopSink(recorder, 'supply-chain agent', parties, AGENT);
    const events: AAuthEvent[] = [
      { type: 'response', method: 'POST', url: `${MAA}/analysis`, status: 401, attempt: 1 },
      { type: 'requirement', url: `${MAA}/analysis`, requirement: 'person-token' },
      { type: 'person-token.issued', personServer: PS, resource: MAA, personToken },
      { type: 'request.signed', method: 'POST', url: `${MAA}/analysis`, scheme: 'jwt', token: personToken, attempt: 2, headers: {} },
      { type: 'response', method: 'POST', url: `${MAA}/analysis`, status: 401, attempt: 2 },
      { type: 'requirement', url: `${MAA}/analysis`, requirement: 'auth-token' },
      { type: 'resource-token.verified', resource: MAA, resourceToken, claims: resourceClaims },
    ];
    events.forEach(sink);
    expect(recorder.hops.map((h) => `${h.kind}${h.status ? `:${h.status}` : ''}`)).toEqual(['challenge:401', 'person-token', 'retry', 'challenge:401']);
    expect(recorder.hops[2]?.title).toContain('again, with the person token');
  });
});
