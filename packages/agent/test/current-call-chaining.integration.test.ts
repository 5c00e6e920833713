/**
 * Call chaining and interaction chaining in the current profile (draft-hardt-oauth-aauth-protocol
 * §Call Chaining, §Directed Identifiers Across a Chain, §Interaction Chaining), all real on
 * loopback: agent A (bound to a person) → intermediary R1 (a resource with the resource
 * middleware, and an agent with its own agent provider and key) → downstream resources, with the
 * embedded auth server as the Person Server. R1's own PS is configured to an address nothing
 * listens on: every chained request must go to the PS the upstream token's `ps` names.
 */
import express from 'express';
import { generateSigningKey, jwkThumbprint, peekClaims, type AAuthError, type PublicJwk } from '@aauth-ts/core';
import { createAuthServer, type AuthServer } from '@aauth-ts/auth-server';
import { aauth, aauthErrorHandler, captureRawBody, type AAuthRequest } from '@aauth-ts/resource';
import {
  AAuthClient, AgentServer, AgentSession, InteractionChain, createTransport, pollPending, type AAuthEvent, type Interaction,
} from '@aauth-ts/agent';
import { driveInteraction, type Credentials } from '../../../conformance/support/consent-driver.js';
import { host, type Host } from './support/http.js';

const ALICE = { id: '0f6e1d2c-3b4a-4c5d-8e7f-9a0b1c2d3e4f', username: 'alice', password: 'alice-password' };
const BOB = { id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', username: 'bob', password: 'bob-password' };
/** R1's own PS, were it ever asked: nothing listens there. */
const R1_OWN_PS = 'http://127.0.0.1:9/realms/nowhere';

let authServer: AuthServer;
let issuer: string;
let aHost: Host;
let r1Host: Host;
let marketHost: Host;
let ledgerHost: Host;
/** A second intermediary whose agent provider the realm marks `consentRequired`: its person token and its auth token each need the person. */
let askingHost: Host;
let askingChain: InteractionChain;
let aProvider: AgentServer;
let r1Session: AgentSession;
let chain: InteractionChain;
const r1Events: AAuthEvent[] = [];

interface Seen { sub: string; ps: string; jkt: string; token: string }
interface Report { upstream: Seen; downstream: Seen }

/** What a resource saw of the request it served. */
function seen(req: AAuthRequest): Seen {
  const { sub, ps, thumbprint, authToken } = req.aauth;
  return { sub: sub as string, ps: ps as string, jkt: thumbprint, token: authToken as string };
}

/** A downstream resource of the current profile at `h`, serving `path` for `scope`. */
function downstream(h: Host, scope: string, path: string): void {
  const app = express();
  app.use(express.json({ verify: captureRawBody }));
  const guard = aauth({ profile: 'aauth-current', resource: h.id, signingKey: generateSigningKey(), development: true, trustedPersonServers: [issuer], accessMode: 'auth-token', scopeDescriptions: { [scope]: scope } });
  app.use(guard);
  app.get(path, guard.requireAuth({ scope }), (req, res) => { res.json(seen(req as AAuthRequest)); });
  app.use(aauthErrorHandler());
  h.use(app);
}

beforeAll(async () => {
  [aHost, r1Host, marketHost, ledgerHost, askingHost] = await Promise.all([host(), host(), host(), host(), host()]);
  authServer = createAuthServer({
    log: () => undefined,
    logger: { info: () => undefined, warn: () => undefined },
    realm: {
      realm: 'chain-current',
      attributes: { 'aauth.personServer': 'true', 'aauth.pairwiseSalt': 'chain-test-salt-not-secret', 'aauth.allowLoopback': 'true', 'aauth.consentScopes': '["ledger:read"]' },
      users: [ALICE, BOB].map((u) => ({ id: u.id, username: u.username, enabled: true, credentials: [{ type: 'password', value: u.password }] })),
      clientScopes: [
        { name: 'report:read', description: 'Read reports', attributes: { 'aauth.resource': r1Host.id } },
        { name: 'market:read', description: 'Read market data', attributes: { 'aauth.resource': marketHost.id } },
        { name: 'ledger:read', description: 'Read the ledger', attributes: { 'aauth.resource': ledgerHost.id } },
        { name: 'summary:read', description: 'Read summaries', attributes: { 'aauth.resource': askingHost.id } },
      ],
      clients: [
        { clientId: aHost.id, name: 'Assistant agents', attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['report:read', 'summary:read'] },
        { clientId: askingHost.id, name: 'Summaries', attributes: { 'aauth.agent': 'true', 'aauth.resource': 'true' }, consentRequired: true, optionalClientScopes: ['market:read'] },
        // R1 is a resource and, with its own agent provider on its own origin, an agent.
        { clientId: r1Host.id, name: 'Reports', attributes: { 'aauth.agent': 'true', 'aauth.resource': 'true' }, optionalClientScopes: ['market:read', 'ledger:read'] },
        { clientId: marketHost.id, name: 'Market', attributes: { 'aauth.resource': 'true' } },
        { clientId: ledgerHost.id, name: 'Ledger', attributes: { 'aauth.resource': 'true' } },
      ],
    },
  });
  issuer = (await authServer.listen(0, '127.0.0.1')).issuer;
  aProvider = new AgentServer({ identifier: aHost.id, development: true, profile: 'aauth-current' });
  aHost.use(aProvider.router());
  downstream(marketHost, 'market:read', '/market');
  downstream(ledgerHost, 'ledger:read', '/ledger');

  const r1Provider = new AgentServer({ identifier: r1Host.id, development: true, profile: 'aauth-current', jwksPath: '/.well-known/agent-jwks.json' });
  r1Session = AgentSession.delegateOf(r1Provider, { sub: r1Provider.agentIdentifier('reports') });
  const r1Client = new AAuthClient({ session: r1Session, development: true, profile: 'aauth-current', personServer: R1_OWN_PS, minPollIntervalMs: 10, onEvent: (e) => r1Events.push(e) });
  chain = new InteractionChain({ client: r1Client, baseUrl: `${r1Host.id}/aauth/chain` });
  const app = express();
  app.use(express.json({ verify: captureRawBody }));
  app.use(r1Provider.router());
  const guard = aauth({ profile: 'aauth-current', resource: r1Host.id, signingKey: generateSigningKey(), development: true, trustedPersonServers: [issuer], accessMode: 'auth-token', scopeDescriptions: { 'report:read': 'Read reports' } });
  app.use(guard);
  app.use(chain.router());
  // The handler as an intermediary writes it: a client bound to the presented auth token.
  app.get('/report', guard.requireAuth({ scope: 'report:read' }), async (req, res, next) => {
    try {
      const down = await r1Client.forUpstream((req as AAuthRequest).aauth.authToken).fetch(`${marketHost.id}/market`);
      res.status(down.status).json({ upstream: seen(req as AAuthRequest), downstream: await down.json() as Seen });
    } catch (err) {
      next(err);
    }
  });
  // An intermediary that trusts only another PS: the upstream token may not send it anywhere.
  const strict = new AAuthClient({ session: r1Session, development: true, profile: 'aauth-current', personServer: R1_OWN_PS, trustedPersonServers: ['https://ps.example'], onEvent: (e) => r1Events.push(e) });
  app.get('/report-strict', guard.requireAuth({ scope: 'report:read' }), async (req, res) => {
    try {
      await strict.forUpstream((req as AAuthRequest).aauth.authToken).fetch(`${marketHost.id}/market`);
      res.json({ reason: null });
    } catch (err) {
      res.status(502).json({ reason: (err as AAuthError).detail.reason, code: (err as AAuthError).code });
    }
  });
  app.get('/ledger-report', guard.requireAuth({ scope: 'report:read' }), chain.route<AAuthRequest>(async (req, client) => {
    const down = await client.fetch(`${ledgerHost.id}/ledger`);
    return { status: down.status, body: { upstream: seen(req), downstream: await down.json() as Seen } };
  }));
  app.use(aauthErrorHandler());
  r1Host.use(app);

  const askingProvider = new AgentServer({ identifier: askingHost.id, development: true, profile: 'aauth-current', jwksPath: '/.well-known/agent-jwks.json' });
  const askingClient = new AAuthClient({ session: AgentSession.delegateOf(askingProvider, { sub: askingProvider.agentIdentifier('summaries') }), development: true, profile: 'aauth-current', personServer: R1_OWN_PS, minPollIntervalMs: 10 });
  askingChain = new InteractionChain({ client: askingClient, baseUrl: `${askingHost.id}/aauth/chain` });
  // The same intermediary handing on at most one interaction per request.
  const capped = new InteractionChain({ client: askingClient, baseUrl: `${askingHost.id}/aauth/capped`, maxInteractions: 1 });
  const asking = express();
  asking.use(express.json({ verify: captureRawBody }));
  asking.use(askingProvider.router());
  const askingGuard = aauth({ profile: 'aauth-current', resource: askingHost.id, signingKey: generateSigningKey(), development: true, trustedPersonServers: [issuer], accessMode: 'auth-token', scopeDescriptions: { 'summary:read': 'Read summaries' } });
  asking.use(askingGuard);
  asking.use(askingChain.router());
  asking.use(capped.router());
  const summary = async (req: AAuthRequest, client: AAuthClient): Promise<{ status: number; body: Report }> => {
    const down = await client.fetch(`${marketHost.id}/market`);
    return { status: down.status, body: { upstream: seen(req), downstream: await down.json() as Seen } };
  };
  asking.get('/summary', askingGuard.requireAuth({ scope: 'summary:read' }), askingChain.route<AAuthRequest>(summary));
  asking.get('/summary-capped', askingGuard.requireAuth({ scope: 'summary:read' }), capped.route<AAuthRequest>(summary));
  asking.use(aauthErrorHandler());
  askingHost.use(asking);
});

afterAll(async () => {
  await Promise.all([authServer?.close(), aHost?.close(), r1Host?.close(), marketHost?.close(), ledgerHost?.close(), askingHost?.close()]);
});

/** The person at an interaction page (the PS's, or R1's which leads to the PS's): log in, approve. */
function approveAs(user: Credentials, callback?: string): (interaction: Interaction) => Promise<void> {
  return async (interaction) => {
    const url = new URL(interaction.url);
    await driveInteraction('embedded', `${url.origin}${url.pathname}`, interaction.code, user, 'approve', callback === undefined ? {} : { callback });
  };
}

/** Agent A for `user`, bound to them on first approval. */
function agentFor(user: Credentials, local: string, extra: Partial<ConstructorParameters<typeof AAuthClient>[0]> = {}): { client: AAuthClient; session: AgentSession; events: AAuthEvent[] } {
  const events: AAuthEvent[] = [];
  const session = AgentSession.delegateOf(aProvider, { sub: aProvider.agentIdentifier(local) });
  const client = new AAuthClient({ session, development: true, profile: 'aauth-current', personServer: issuer, onInteraction: approveAs(user), onEvent: (e) => events.push(e), minPollIntervalMs: 10, ...extra });
  return { client, session, events };
}

function cnfThumbprint(token: string): string {
  return jwkThumbprint((peekClaims(token, 'invalid_auth_token').cnf as { jwk: PublicJwk }).jwk);
}

function psBodies(since: number): { url: string; body: Record<string, unknown> }[] {
  return r1Events.slice(since).flatMap((e) => (e.type === 'ps.request' ? [{ url: e.url, body: e.body as Record<string, unknown> }] : []));
}

it('an autonomous chained hop: 200, the downstream token has its own directed sub and is bound to R1\'s key, the upstream one to A\'s', async () => {
  const { client, session } = agentFor(ALICE, 'alice-assistant');
  const since = r1Events.length;
  const response = await client.fetch(`${r1Host.id}/report`);
  expect(response.status).toBe(200);
  const report = await response.json() as Report;
  expect(report.upstream.jkt).toBe(session.thumbprint);
  expect(report.downstream.jkt).toBe(r1Session.thumbprint);
  expect(report.downstream.ps).toBe(issuer);
  expect(report.upstream.ps).toBe(issuer);
  // §Directed Identifiers Across a Chain: never the upstream sub carried forward.
  expect(report.downstream.sub).not.toBe(report.upstream.sub);
  expect(cnfThumbprint(report.upstream.token)).toBe(session.thumbprint);
  expect(cnfThumbprint(report.downstream.token)).toBe(r1Session.thumbprint);
  // Both chained requests went to the upstream token's PS with the upstream token in the body.
  const bodies = psBodies(since);
  expect(bodies.map((b) => new URL(b.url).origin)).toEqual([new URL(issuer).origin, new URL(issuer).origin]);
  expect(bodies.map((b) => Object.keys(b.body).sort())).toEqual([['resource', 'upstream_token'], ['resource_token', 'upstream_token']]);
  expect(bodies.every((b) => b.body.upstream_token === report.upstream.token)).toBe(true);
});

it('two users\' chains at one intermediary never share a downstream token', async () => {
  const alice = agentFor(ALICE, 'alice-twice');
  const bob = agentFor(BOB, 'bob-twice');
  const since = r1Events.length;
  const reports: Report[] = [];
  for (const who of [alice, bob, alice, bob]) {
    const response = await who.client.fetch(`${r1Host.id}/report`);
    expect(response.status).toBe(200);
    reports.push(await response.json() as Report);
  }
  const [a1, b1, a2, b2] = reports as [Report, Report, Report, Report];
  expect(a2.downstream.sub).toBe(a1.downstream.sub);
  expect(b2.downstream.sub).toBe(b1.downstream.sub);
  expect(b1.downstream.sub).not.toBe(a1.downstream.sub);
  expect(b1.downstream.token).not.toBe(a1.downstream.token);
  // Held per upstream token: one person token and one auth token per user, none for the repeats.
  expect(psBodies(since)).toHaveLength(4);
});

it('interaction chaining: consent for R1 at the ledger is asked through R1\'s own 202, code and interaction URL; A\'s poll gets the final 200', async () => {
  const callback = `${aHost.id}/callback`;
  const otherKey = AgentSession.delegateOf(aProvider, { sub: aProvider.agentIdentifier('intruder') });
  const transport = createTransport({ development: true });
  const r1Interactions: Interaction[] = [];
  let intruderStatus: number | undefined;
  let finalPage: string | undefined;
  let pending: string | undefined;
  // First A is bound to Alice (its own PS interaction); then the chained one arrives from R1.
  const { client, events } = agentFor(ALICE, 'alice-ledger', {
    interactionCallback: callback,
    onInteraction: async (interaction) => {
      if (!interaction.url.startsWith(r1Host.id)) return approveAs(ALICE)(interaction);
      r1Interactions.push(interaction);
      pending = events.flatMap((e) => (e.type === 'pending' ? [e.location] : [])).at(-1);
      // §Pending Response: R1's pending URL is bound to A's key.
      intruderStatus = (await pollPending(pending as string, otherKey, { transport, preferWaitSeconds: 0 })).status;
      const url = new URL(interaction.url);
      const drive = await driveInteraction('embedded', `${url.origin}${url.pathname}`, interaction.code, ALICE, 'approve', { callback });
      finalPage = drive.page.callback;
    },
  });
  const response = await client.fetch(`${r1Host.id}/ledger-report`);
  expect(response.status).toBe(200);
  const report = await response.json() as Report;
  expect(report.downstream.jkt).toBe(r1Session.thumbprint);
  expect(report.downstream.sub).not.toBe(report.upstream.sub);
  expect(r1Interactions).toHaveLength(1);
  expect(r1Interactions[0]?.url.startsWith(`${chain.interactionEndpoint}?`)).toBe(true);
  expect(pending?.startsWith(`${r1Host.id}/aauth/chain/pending/`)).toBe(true);
  expect(intruderStatus).toBe(403);
  // The user ends at A's callback, once R1 has finished.
  expect(finalPage).toBe(callback);
  // §Deferred Response State Machine: after its terminal answer the pending URL is gone.
  const again = await pollPending(pending as string, client.session, { transport, preferWaitSeconds: 0 });
  expect(again.status).toBe(410);
  expect(((await again.json()) as { error: string }).error).toBe('invalid_request');
});

it('R1\'s interaction code is single-use: opened a second time it is refused', async () => {
  const codes: Interaction[] = [];
  const { client } = agentFor(ALICE, 'alice-code-twice', {
    onInteraction: async (interaction) => {
      if (!interaction.url.startsWith(r1Host.id)) return approveAs(ALICE)(interaction);
      codes.push(interaction);
      await approveAs(ALICE)(interaction);
      const second = await fetch(interaction.url, { redirect: 'manual' });
      expect(second.status).toBe(410);
    },
  });
  expect((await client.fetch(`${r1Host.id}/ledger-report`)).status).toBe(200);
  expect(codes).toHaveLength(1);
});

it('interaction chaining, the person denies: A\'s poll gets 403 denied and the user is sent to A\'s callback with error=access_denied', async () => {
  const callback = `${aHost.id}/callback`;
  let landed: string | undefined;
  const { client } = agentFor(ALICE, 'alice-denied', {
    interactionCallback: callback,
    onInteraction: async (interaction) => {
      if (!interaction.url.startsWith(r1Host.id)) return approveAs(ALICE)(interaction);
      const url = new URL(interaction.url);
      landed = (await driveInteraction('embedded', `${url.origin}${url.pathname}`, interaction.code, ALICE, 'deny', { callback })).page.callback;
    },
  });
  const response = await client.fetch(`${r1Host.id}/ledger-report`);
  expect(response.status).toBe(403);
  expect(((await response.json()) as { error: string }).error).toBe('denied');
  expect(landed).toBe(`${callback}?error=access_denied`);
});

it('an upstream token naming a PS the intermediary does not trust sends it nowhere', async () => {
  const { client } = agentFor(ALICE, 'alice-strict');
  const since = r1Events.length;
  const response = await client.fetch(`${r1Host.id}/report-strict`);
  expect(response.status).toBe(502);
  expect(await response.json()).toEqual({ reason: 'untrusted_person_server', code: 'invalid_auth_token' });
  expect(psBodies(since)).toEqual([]);
});

it('interaction chaining, two interactions in one request (the intermediary\'s person token, then its auth token): each is handed to A with a new code of R1\'s, and A\'s poll gets the final 200', async () => {
  const callback = `${aHost.id}/callback`;
  const chained: Interaction[] = [];
  const landed: (string | undefined)[] = [];
  const { client } = agentFor(ALICE, 'alice-asked-twice', {
    interactionCallback: callback,
    onInteraction: async (interaction) => {
      if (!interaction.url.startsWith(askingHost.id)) return approveAs(ALICE)(interaction);
      chained.push(interaction);
      const url = new URL(interaction.url);
      landed.push((await driveInteraction('embedded', `${url.origin}${url.pathname}`, interaction.code, ALICE, 'approve', { callback })).page.callback);
    },
  });
  const response = await client.fetch(`${askingHost.id}/summary`);
  expect(response.status).toBe(200);
  const report = await response.json() as Report;
  expect(report.downstream.sub).not.toBe(report.upstream.sub);
  expect(chained).toHaveLength(2);
  expect(chained.every((i) => i.url.startsWith(`${askingChain.interactionEndpoint}?`))).toBe(true);
  expect(chained[1]?.code).not.toBe(chained[0]?.code);
  // After each approval the user is back at A's callback: the first time to pick up the second code.
  expect(landed).toEqual([callback, callback]);
});

it('interaction chaining past the intermediary\'s cap of interactions per request: A\'s poll gets 502 server_error, never a hang', async () => {
  const chained: Interaction[] = [];
  const { client } = agentFor(ALICE, 'alice-capped', {
    onInteraction: async (interaction) => {
      if (!interaction.url.startsWith(askingHost.id)) return approveAs(ALICE)(interaction);
      chained.push(interaction);
      await approveAs(ALICE)(interaction);
    },
  });
  const response = await client.fetch(`${askingHost.id}/summary-capped`);
  expect(response.status).toBe(502);
  expect(await response.json()).toEqual({ error: 'server_error', detail: expect.stringContaining('more than 1 times') as string });
  expect(chained).toHaveLength(1);
});

it('interaction chaining: R1 sends the user on to A\'s callback by a page of its own, not a redirect (a browser checks the PS consent form\'s CSP form-action, which names R1\'s origin only, against every redirect after it)', async () => {
  const callback = `${aHost.id}/callback`;
  let last: { url: string; status: number; callback?: string } | undefined;
  const { client } = agentFor(ALICE, 'alice-onward', {
    interactionCallback: callback,
    onInteraction: async (interaction) => {
      if (!interaction.url.startsWith(r1Host.id)) return approveAs(ALICE)(interaction);
      const url = new URL(interaction.url);
      last = (await driveInteraction('embedded', `${url.origin}${url.pathname}`, interaction.code, ALICE, 'approve', { callback })).page;
    },
  });
  expect((await client.fetch(`${r1Host.id}/ledger-report`)).status).toBe(200);
  expect(last?.url.startsWith(`${r1Host.id}/aauth/chain/callback/`)).toBe(true);
  expect(last?.status).toBe(200);
  expect(last?.callback).toBe(callback);
});
