/**
 * A hostile resource cannot steer the agent (2026-03 §Token Endpoint: the agent goes to the auth
 * server the challenge names, and only an acceptable one): `authServers` is an allow-list, the
 * user's `upstream_token` goes only to the auth server that issued it (§Call Chaining), and an
 * `interaction_endpoint` that is not http(s) on the issuer's origin never reaches `onInteraction`.
 * Every party is a real server on loopback.
 *
 * Cannot prove: what an application does with an interaction URL it built itself.
 */
import { MalformedError, TokenError } from '@aauth-ts/core';
import { AAuthClient, AgentSession, type AAuthEvent, type Interaction } from '@aauth-ts/agent';
import { startTestAuthServer, type TestAuthServer } from './support/auth-server.js';
import { startTestResource, type TestResource } from './support/resource.js';
import { startAgentHost, type AgentHost } from './support/agent-host.js';

let trusted: TestAuthServer;
/** A second auth server with a bare-origin issuer: an acceptable identifier, but not one the agent listed. */
let other: TestAuthServer;
let agent: AgentHost;
/** A resource that names the trusted auth server, and one that names the other. */
let honest: TestResource;
let hostile: TestResource;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  trusted = await startTestAuthServer();
  other = await startTestAuthServer({ realmPath: '' });
  honest = await startTestResource({ authServer: trusted.issuer, scope: 'assistant' });
  hostile = await startTestResource({ authServer: other.issuer, scope: 'calendar.read' });
  agent = await startAgentHost();
  closers.push(() => trusted.close(), () => other.close(), () => honest.close(), () => hostile.close(), () => agent.close());
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

function client(authServers: readonly string[] | undefined, sub: string, extra: Partial<ConstructorParameters<typeof AAuthClient>[0]> = {}): AAuthClient {
  return new AAuthClient({
    session: AgentSession.delegateOf(agent.agentServer, { sub }),
    development: true,
    ...(authServers === undefined ? {} : { authServers }),
    minPollIntervalMs: 10,
    ...extra,
  });
}

describe('authServers is an allow-list', () => {
  it('a resource naming an auth server outside authServers is refused before any token request', async () => {
    expect(other.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const err = await client([trusted.issuer], 'allow-list').fetch(`${hostile.identifier}/steer`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenError);
    expect(err).toMatchObject({ code: 'invalid_resource_token', detail: { field: 'auth-server', reason: 'not_allowed' } });
    expect(other.tokenRequests).toEqual([]);
  });

  it('without authServers, any acceptable identifier is still followed (the documented default)', async () => {
    const response = await client(undefined, 'open').fetch(`${hostile.identifier}/open`);
    expect(response.status).toBe(200);
  });

  it('an empty authServers list is a TypeError, not "allow nobody" by accident', () => {
    expect(() => client([], 'empty')).toThrow(TypeError);
  });
});

describe('upstream_token goes only to its own issuer', () => {
  it('a downstream resource naming a second auth server never receives the user\'s upstream token', async () => {
    // The user's token, issued by the trusted server, as an intermediary would hold it.
    const events: AAuthEvent[] = [];
    await (await client([trusted.issuer], 'user', { onEvent: (e) => events.push(e) }).fetch(`${honest.identifier}/task`)).arrayBuffer();
    const upstream = events.find((e): e is Extract<AAuthEvent, { type: 'token.issued' }> => e.type === 'token.issued')?.authToken;
    expect(upstream).toBeDefined();

    // Both servers are allowed, but the user's token belongs to one of them only.
    const intermediary = client([trusted.issuer, other.issuer], 'intermediary').forUpstream(upstream);
    const before = other.tokenRequests.length;
    const err = await intermediary.fetch(`${hostile.identifier}/calendar`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenError);
    expect(err).toMatchObject({ code: 'invalid_resource_token', detail: { field: 'auth-server', reason: 'upstream_issuer_mismatch', expected: trusted.issuer, actual: other.issuer } });
    expect(other.tokenRequests.slice(before)).toEqual([]);
    expect(other.tokenRequests.filter((r) => 'upstream_token' in r.body)).toEqual([]);
  });
});

describe('interaction_endpoint is http(s) on the issuer\'s origin', () => {
  async function consentWith(interactionEndpoint: string): Promise<{ err: unknown; interactions: Interaction[] }> {
    const as = await startTestAuthServer({ consentRequired: true, interactionEndpoint });
    const resource = await startTestResource({ authServer: as.issuer });
    closers.push(() => as.close(), () => resource.close());
    const interactions: Interaction[] = [];
    const err = await client([as.issuer], 'consent', { pendingTimeoutMs: 2_000, onInteraction: (i) => { interactions.push(i); } })
      .fetch(`${resource.identifier}/consent`).catch((e: unknown) => e);
    return { err, interactions };
  }

  it('a javascript: interaction_endpoint in the metadata never reaches onInteraction', async () => {
    const { err, interactions } = await consentWith('javascript:alert(document.domain)//');
    expect(interactions).toEqual([]);
    expect(err).toBeInstanceOf(MalformedError);
    expect(err).toMatchObject({ code: 'server_error', detail: { field: 'interaction_endpoint', reason: 'origin_mismatch' } });
  });

  it('an interaction_endpoint on another origin never reaches onInteraction', async () => {
    const { err, interactions } = await consentWith('https://consent.example/approve');
    expect(interactions).toEqual([]);
    expect(err).toMatchObject({ code: 'server_error', detail: { field: 'interaction_endpoint', reason: 'origin_mismatch' } });
  });
});
