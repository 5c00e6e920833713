/**
 * Deferred responses at a resource (2026-03 §Deferred Responses, §Resource Interaction, §Pending
 * URL Security) over real loopback servers: a route answers `202` with a pending `Location`
 * (`res.aauthDefer()`), the middleware serves that URL to the same agent key only, `202` until the
 * app completes it, then the final response once, then `404`. `require=interaction` carries a
 * code the app's interaction page looks up.
 *
 * What this suite cannot prove: that pending URLs survive a restart or are shared between
 * instances (the store is in memory).
 */
import express from 'express';
import { PROFILE, generateSigningKey, parseChallenge, type SigningKey } from '@aauth-ts/core';
import { AAuthResource, aauth, aauthErrorHandler, type AAuthContext, type AAuthMiddleware, type Deferral } from '@aauth-ts/resource';
import { listen, plainFetch, signedFetch, startAgentServer, type AgentServer, type Answer, type Running, type SendOptions } from './fixtures.js';

let agentServer: AgentServer;
let resource: Running;
let guard: AAuthMiddleware;
let delegate: SigningKey;
let agentToken: string;
const deferrals: Deferral[] = [];
const errors: unknown[] = [];

beforeAll(async () => {
  agentServer = await startAgentServer();
  delegate = generateSigningKey();
  agentToken = await agentServer.agentToken(delegate);
  resource = await listen((url) => {
    const app = express();
    guard = aauth({ resource: url, signingKey: generateSigningKey(), authServer: `${url}/realms/x`, development: true, interactionEndpoint: `${url}/interact` });
    app.use(guard);
    app.get('/report', guard.requireIdentity(), (_req, res) => {
      deferrals.push(res.aauthDefer());
    });
    app.get('/needs-user', guard.requireIdentity(), (_req, res) => {
      deferrals.push(res.aauthDefer({ interaction: true }));
    });
    app.get('/short', guard.requireIdentity(), (_req, res) => {
      deferrals.push(res.aauthDefer({ lifetimeSeconds: 1 }));
    });
    app.get('/open', (_req, res) => {
      res.aauthDefer();
    });
    app.get('/interact', (req, res) => {
      const deferral = guard.resource.deferrals.byCode(String(req.query.code));
      if (deferral === undefined) return void res.status(404).send('unknown code');
      deferral.complete({ body: { approvedBy: 'user' } });
      res.send('done');
    });
    app.use(aauthErrorHandler({ log: (err) => errors.push(err) }));
    return app;
  });
});

afterAll(async () => {
  await Promise.all([resource, agentServer].map((r) => r.close()));
});

afterEach(() => {
  expect(errors).toEqual([]);
});

const asAgent = (key: SigningKey = delegate, jwt: string = agentToken) => ({ key, signatureKey: { scheme: 'jwt' as const, jwt } });
const pathOf = (location: string): string => new URL(location).pathname;
const poll = (answer: Answer, who: SendOptions = asAgent()): Promise<Answer> => signedFetch(resource.url, 'GET', pathOf(String(answer.headers.get(PROFILE.headers.location))), who);

describe('a route defers (§Deferred Responses)', () => {
  test('202 with Location, Retry-After, Cache-Control no-store and a pending body; polls stay 202 until the app completes, then the final response once, then 404', async () => {
    const first = await signedFetch(resource.url, 'GET', '/report', asAgent());
    expect(first.status).toBe(202);
    const location = first.headers.get(PROFILE.headers.location);
    expect(location).not.toBeNull();
    expect(new URL(String(location)).origin).toBe(resource.url);
    expect(first.headers.get(PROFILE.headers.retryAfter)).toMatch(/^\d+$/);
    expect(first.headers.get(PROFILE.headers.cacheControl)).toBe('no-store');
    expect(first.headers.get(PROFILE.headers.challenge)).toBeNull();
    expect(first.json).toEqual({ status: 'pending', location });

    const pending = await poll(first);
    expect(pending.status).toBe(202);
    expect(pending.headers.get(PROFILE.headers.location)).toBe(location);
    expect(pending.json).toEqual({ status: 'pending', location });

    const deferral = deferrals.at(-1) as Deferral;
    expect(deferral.location).toBe(location);
    deferral.complete({ status: 201, headers: { 'x-report': 'r-1' }, body: { report: 'ready' } });
    const final = await poll(first);
    expect(final).toMatchObject({ status: 201, json: { report: 'ready' } });
    expect(final.headers.get('x-report')).toBe('r-1');

    // §Terminal Responses: once answered, the pending URL is no longer valid.
    const after = await poll(first);
    expect(after).toMatchObject({ status: 404, json: { error: 'invalid_request' } });
  });

  test('a poll signed by another key is refused with 403 (§Pending URL Security: same agent)', async () => {
    const first = await signedFetch(resource.url, 'GET', '/report', asAgent());
    const intruder = generateSigningKey();
    const stranger = await poll(first, asAgent(intruder, await agentServer.agentToken(intruder)));
    expect(stranger).toMatchObject({ status: 403, json: { error: 'access_denied' } });
    const pseudonym = await poll(first, { key: intruder, signatureKey: { scheme: 'hwk' as const } });
    expect(pseudonym).toMatchObject({ status: 403, json: { error: 'access_denied' } });
    // The owner still can.
    expect((await poll(first)).status).toBe(202);
  });

  test('an unsigned poll is challenged with 401 require=pseudonym; an unknown pending id is 404', async () => {
    const first = await signedFetch(resource.url, 'GET', '/report', asAgent());
    const unsigned = await plainFetch(resource.url, 'GET', pathOf(String(first.headers.get(PROFILE.headers.location))));
    expect(unsigned.status).toBe(401);
    expect(parseChallenge(unsigned.headers.get(PROFILE.headers.challenge) ?? '')).toEqual({ require: 'pseudonym' });
    const unknown = await signedFetch(resource.url, 'GET', `${guard.resource.options.pendingPath}/nope`, asAgent());
    expect(unknown).toMatchObject({ status: 404, json: { error: 'invalid_request' } });
  });

  test('a deferral the app denies ends with 403 denied', async () => {
    const first = await signedFetch(resource.url, 'GET', '/report', asAgent());
    (deferrals.at(-1) as Deferral).deny('the owner declined');
    expect(await poll(first)).toMatchObject({ status: 403, json: { error: 'denied', error_description: 'the owner declined' } });
  });

  test('a deferral past its lifetime ends with 408 expired', async () => {
    const now = Math.floor(Date.now() / 1000);
    const first = await signedFetch(resource.url, 'GET', '/short', asAgent());
    expect(first.status).toBe(202);
    guard.resource.deferrals.sweep(now + 5);
    expect(await poll(first)).toMatchObject({ status: 408, json: { error: 'expired' } });
  });

  test('at most maxDeferrals are pending at once: the next deferral is a 503 with Retry-After, not a crash', () => {
    const bounded = new AAuthResource({ resource: 'https://resource.example', signingKey: generateSigningKey(), authServer: 'https://auth.example', maxDeferrals: 1 });
    const context: AAuthContext = { scheme: 'hwk', thumbprint: delegate.thumbprint, jwk: delegate.publicJwk, scopes: [], components: [], created: 0 };
    bounded.defer(context);
    let refused: unknown;
    try {
      bounded.defer(context);
    } catch (err) {
      refused = err;
    }
    expect(refused).toMatchObject({ code: 'server_error', status: 503, headers: { [PROFILE.headers.retryAfter]: '1' } });
  });

  test('aauthDefer on an unsigned request is a programming error (the poll could not be tied to a key)', async () => {
    const res = await plainFetch(resource.url, 'GET', '/open');
    expect(res.status).toBe(500);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/aauthDefer/);
    errors.length = 0;
  });
});

describe('require=interaction from a resource (§Resource Interaction)', () => {
  test('202 carries AAuth require=interaction with a code and the body echoes it; the interaction page completes it by code', async () => {
    const first = await signedFetch(resource.url, 'GET', '/needs-user', asAgent());
    expect(first.status).toBe(202);
    const challenge = parseChallenge(first.headers.get(PROFILE.headers.challenge) ?? '');
    if (challenge.require !== 'interaction') throw new Error(`unexpected challenge ${challenge.require}`);
    // §Why Restrict Interaction Code Character Set: no hyphens, unambiguous to type.
    expect(challenge.code).toMatch(/^[A-Z0-9]{8}$/);
    expect(first.json).toEqual({ status: 'pending', location: first.headers.get(PROFILE.headers.location), require: 'interaction', code: challenge.code });
    const pending = await poll(first);
    expect(pending.status).toBe(202);
    expect(parseChallenge(pending.headers.get(PROFILE.headers.challenge) ?? '')).toEqual(challenge);

    const page = await plainFetch(resource.url, 'GET', `/interact?code=${challenge.code}`);
    expect(page.status).toBe(200);
    expect(await poll(first)).toMatchObject({ status: 200, json: { approvedBy: 'user' } });
    // The code is single-use too.
    expect(guard.resource.deferrals.byCode(challenge.code)).toBeUndefined();
  });

  test('the metadata names the interaction endpoint', async () => {
    const meta = await plainFetch(resource.url, 'GET', `/.well-known/${PROFILE.wellKnown.resource}`);
    expect(meta.json).toMatchObject({ interaction_endpoint: `${resource.url}/interact` });
  });
});
