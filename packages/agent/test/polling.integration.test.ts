/**
 * Polling a pending token request against a real (test) auth server on loopback (2026-03
 * §Deferred Responses: "Initial Request", "Transient Non-Terminal Responses", "Agent State
 * Machine"; §Polling Error Codes): `Prefer: wait` from the first request on, a `503` with
 * `Retry-After` is waited out rather than fatal, and each terminal error is its own type.
 */
import { ResponseError } from '@aauth-ts/core';
import {
  AAuthClient, AgentSession, InvalidInteractionCodeError, PendingAbandonedError, PendingDeniedError, PendingEndedError, PendingExpiredError,
} from '@aauth-ts/agent';
import { startTestAuthServer, type TestAuthServer, type TestAuthServerOptions } from './support/auth-server.js';
import { startTestResource } from './support/resource.js';
import { startAgentHost, type AgentHost } from './support/agent-host.js';

let agent: AgentHost;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  agent = await startAgentHost();
  closers.push(() => agent.close());
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

/** A consent-requiring auth server and a resource that trusts it. */
async function world(options: TestAuthServerOptions = {}): Promise<{ as: TestAuthServer; resource: string }> {
  const as = await startTestAuthServer({ consentRequired: true, ...options });
  const resource = await startTestResource({ authServer: as.issuer, scope: 'inventory:read' });
  closers.push(() => as.close(), () => resource.close());
  return { as, resource: resource.identifier };
}

function client(as: TestAuthServer, extra: Partial<ConstructorParameters<typeof AAuthClient>[0]> = {}): AAuthClient {
  const session = AgentSession.delegateOf(agent.agentServer, { sub: 'poller' });
  return new AAuthClient({ session, development: true, authServers: [as.issuer], minPollIntervalMs: 10, ...extra });
}

describe('Prefer: wait', () => {
  it('is sent on the first token request as well as on every poll', async () => {
    const { as, resource } = await world();
    const c = client(as, { preferWaitSeconds: 7, onInteraction: ({ code }) => as.approve(code, 'alice') });
    expect((await c.fetch(`${resource}/x`)).status).toBe(200);
    expect(as.tokenRequests[0]?.headers.prefer).toBe('wait=7');
    expect(as.pollHeaders.length).toBeGreaterThan(0);
    for (const headers of as.pollHeaders) expect(headers.prefer).toBe('wait=7');
  });
});

describe('503 while polling', () => {
  it('503 with Retry-After is not terminal: the agent waits it out and polls the same URL until the token', async () => {
    const { as, resource } = await world({ unavailablePolls: { count: 2, retryAfter: '1' } });
    const c = client(as, { preferWaitSeconds: 0, onInteraction: ({ code }) => as.approve(code, 'bob') });
    const response = await c.fetch(`${resource}/y`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { sub: string }).sub).toBe('bob');
    expect(as.polls).toEqual([503, 503, 200]);
    expect(new Set(as.pollHeaders.map((h) => h.host)).size).toBe(1);
  });

  it('a Retry-After beyond the pending deadline ends in the deadline error, not in a longer wait', async () => {
    const { as, resource } = await world({ unavailablePolls: { count: 1, retryAfter: '3600' } });
    const c = client(as, { pendingTimeoutMs: 1_500, preferWaitSeconds: 0 });
    await expect(c.fetch(`${resource}/z`)).rejects.toMatchObject({ name: 'PendingTimeoutError', code: 'expired' });
    expect(as.polls).toEqual([503]);
  });
});

describe('terminal poll errors are typed (§Polling Error Codes)', () => {
  it.each([
    ['denied', 403, PendingDeniedError],
    ['abandoned', 403, PendingAbandonedError],
    ['invalid_code', 410, InvalidInteractionCodeError],
  ] as const)('%s (%i) → its own PendingEndedError subclass, still a ResponseError', async (error, status, type) => {
    const { as, resource } = await world();
    const c = client(as, { preferWaitSeconds: 0, onInteraction: ({ code }) => (error === 'denied' ? as.deny(code) : as.end(code, error)) });
    const err = await c.fetch(`${resource}/e`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    expect(err).toBeInstanceOf(PendingEndedError);
    expect(err).toBeInstanceOf(ResponseError);
    expect(err).toMatchObject({ code: error, serverError: error, status });
    expect((err as PendingEndedError).location).toMatch(/\/protocol\/aauth\/pending\//);
  });

  it('expired (408) → PendingExpiredError', async () => {
    const { as, resource } = await world({ pendingLifespanSeconds: -1 });
    const err = await client(as).fetch(`${resource}/late`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PendingExpiredError);
    expect(err).toMatchObject({ code: 'expired', status: 408 });
  });
});

describe('enterprise hints', () => {
  it('tenant and domainHint go out as tenant and domain_hint with the token request', async () => {
    const { as, resource } = await world();
    const c = client(as, { tenant: 'acme', domainHint: 'acme.example', onInteraction: ({ code }) => as.approve(code, 'carol') });
    expect((await c.fetch(`${resource}/h`)).status).toBe(200);
    expect(as.tokenRequests[0]?.body).toMatchObject({ tenant: 'acme', domain_hint: 'acme.example' });
  });
});
