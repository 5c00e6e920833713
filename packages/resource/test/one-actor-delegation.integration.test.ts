/**
 * A delegated token whose `act` names exactly one actor, with no nested `act` (RFC 8693 §4.1: the
 * agent acts for the user directly, e.g. after exchanging the user's own OIDC access token): the
 * shortest chain there is, at routes whose limits are as tight as they go.
 */
import express from 'express';
import { createDelegatedToken, generateSigningKey } from '@aauth-ts/core';
import { aauth, aauthErrorHandler, type AAuthRequest } from '@aauth-ts/resource';
import { listen, signedFetch, startAuthServer, type AuthServer, type Running } from './fixtures.js';

const ACTOR = 'https://agent-a.example';
const OTHER = 'https://agent-b.example';
const USER = 'user-1';

let as: AuthServer;
let resource: Running;
const delegate = generateSigningKey();

beforeAll(async () => {
  as = await startAuthServer('test');
  resource = await listen((url) => {
    const app = express();
    const guard = aauth({ resource: url, signingKey: generateSigningKey(), authServer: as.issuer, development: true });
    app.use(guard);
    const seen: express.RequestHandler = (req, res) => { res.json({ delegation: (req as AAuthRequest).aauth.delegation ?? null, agent: (req as AAuthRequest).aauth.agent ?? null }); };
    app.get('/depth-1', guard.requireAuth({ scope: 'data:read', delegated: { only: true, maxDepth: 1 } }), seen);
    app.get('/actor-listed', guard.requireAuth({ scope: 'data:read', delegated: { only: true, actors: [[ACTOR]] } }), seen);
    app.get('/actor-not-listed', guard.requireAuth({ scope: 'data:read', delegated: { only: true, actors: [[OTHER]] } }), seen);
    app.get('/user-subject', guard.requireAuth({ scope: 'data:read', delegated: { only: true, subjectType: 'user' } }), seen);
    app.use(aauthErrorHandler());
    return app;
  });
});

afterAll(async () => {
  await Promise.all([resource, as].map((r) => r.close()));
});

async function call(path: string): Promise<Awaited<ReturnType<typeof signedFetch>>> {
  const token = await createDelegatedToken(as.key, {
    iss: as.issuer, aud: resource.url, sub: USER, act: { sub: ACTOR }, cnfJwk: delegate.publicJwk, scope: 'data:read', lifetimeSeconds: 300,
  });
  return signedFetch(resource.url, 'GET', path, { key: delegate, signatureKey: { scheme: 'jwt', jwt: token } });
}

describe('a one-actor delegation chain (act without a nested act)', () => {
  it('is accepted by a route taking at most one actor; req.aauth.delegation.act = [that actor]', async () => {
    const res = await call('/depth-1');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ agent: ACTOR, delegation: { issuer: as.issuer, subject: USER, act: [ACTOR], scope: ['data:read'] } });
  });

  it('is accepted where the actors list names it at the first position', async () => {
    expect((await call('/actor-listed')).status).toBe(200);
  });

  it('is refused (403 access_denied, naming the actor) where the actors list lacks it', async () => {
    const res = await call('/actor-not-listed');
    expect([res.status, res.json.error]).toEqual([403, 'access_denied']);
    expect(res.json.error_description).toContain(ACTOR);
  });

  it('counts as begun by a user: its sub is not its only actor', async () => {
    expect((await call('/user-subject')).status).toBe(200);
  });
});
