// The soak's request mix, as autocannon request sequences (each connection loops over its
// sequence). Valid requests are signed afresh for every send (setupRequest runs per request);
// hostile ones are made from valid ones: a replay of an earlier request, a flipped signature byte,
// an agent id nobody knows (fresh for every request), an oversized body.
import { randomBytes } from 'node:crypto';
import { signRequest } from '@aauth-ts/core';

/** Over every body limit on the way: 64 KiB at the auth server, 100 KiB in express.json. */
const OVERSIZED = JSON.stringify({ pad: 'x'.repeat(200 * 1024) });

/** Counts answers by request kind and by `status error`. */
export class Tally {
  constructor() {
    this.byKind = new Map();
  }

  record(kind, status, body) {
    let error = '-';
    if (status >= 400) {
      try {
        error = JSON.parse(body).error ?? '(no error member)';
      } catch {
        error = '(not JSON)';
      }
    }
    const key = `${status} ${error}`;
    const counts = this.byKind.get(kind) ?? new Map();
    counts.set(key, (counts.get(key) ?? 0) + 1);
    this.byKind.set(kind, counts);
  }

  /** Totals over all kinds, by `status error`. */
  totals() {
    const out = new Map();
    for (const counts of this.byKind.values()) for (const [key, n] of counts) out.set(key, (out.get(key) ?? 0) + n);
    return out;
  }
}

function flipSignature(headers) {
  const match = /:([A-Za-z0-9+/=]+):/.exec(headers.signature);
  const raw = Buffer.from(match[1], 'base64');
  raw[7] ^= 0x5a;
  return { ...headers, signature: headers.signature.replace(match[1], raw.toString('base64')) };
}

/**
 * An agent token from an agent nobody registered, new for every call: a fresh loopback address
 * (127.x.y.z, port 1, where nothing listens), so a resource's metadata fetch fails at once. Its
 * signature is never reached.
 */
function strangerToken(delegate) {
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const [a, b, c] = randomBytes(3);
  const iss = `http://127.${a}.${b}.${c}:1`;
  return `${b64({ alg: 'EdDSA', typ: 'agent+jwt', kid: 'k' })}.${b64({ iss, sub: 'x', cnf: { jwk: delegate.publicJwk }, iat: now, exp: now + 600 })}.${randomBytes(64).toString('base64url')}`;
}

function step(kind, tally, build) {
  return {
    setupRequest: (request, context) => ({ ...request, ...build(context) }),
    onResponse: (status, body) => tally.record(kind, status, body),
  };
}

function signed(origin, method, path, key, signatureKey, body) {
  const headers = body === undefined ? {} : { 'content-type': 'application/json' };
  return { method, path, headers: { ...headers, ...signRequest({ method, url: `${origin}${path}`, headers, body }, { key, signatureKey }) }, ...(body === undefined ? {} : { body }) };
}

/**
 * Against the auth server's token endpoint: resource-token and self-access requests (valid), the
 * same resource-token request again (replay: its jti is spent), a broken signature, an unknown
 * agent, an oversized body. `nextResourceToken()` returns a fresh resource token, or undefined.
 */
export function authServerSequence(m, tally, nextResourceToken) {
  const path = new URL(`${m.issuer}/protocol/aauth/token`).pathname;
  const asAgent = { scheme: 'jwt', jwt: m.agent.agentToken };
  const tokenRequest = (payload, signatureKey = asAgent) => signed(m.authOrigin, 'POST', path, m.agent.delegate, signatureKey, JSON.stringify(payload));
  return [
    step('auth: resource-token request (valid)', tally, (context) => {
      const token = nextResourceToken();
      const request = tokenRequest(token === undefined ? { scope: 'self:profile' } : { resource_token: token });
      context.last = request;
      return request;
    }),
    step('auth: self-access request (valid)', tally, () => tokenRequest({ scope: 'self:profile' })),
    step('auth: replayed token request', tally, (context) => context.last ?? tokenRequest({ scope: 'self:profile' })),
    step('auth: flipped signature byte', tally, () => {
      const request = tokenRequest({ scope: 'self:profile' });
      return { ...request, headers: flipSignature(request.headers) };
    }),
    step('auth: unknown agent id', tally, () => tokenRequest({ scope: 'self:profile' }, { scheme: 'jwt', jwt: strangerToken(m.agent.delegate) })),
    step('auth: oversized body', tally, () => signed(m.authOrigin, 'POST', path, m.agent.delegate, asAgent, OVERSIZED)),
  ];
}

/**
 * Against the resource: GET and POST with the auth token (valid), the POST again (replay), a
 * broken signature, an unknown agent (the resource would have to fetch its metadata), an
 * oversized body, a pseudonymous `hwk` request (valid), and an unsigned one (401 + challenge).
 */
export function resourceSequence(m, tally) {
  const key = m.agent.delegate;
  const withToken = { scheme: 'jwt', jwt: m.authToken };
  return [
    step('resource: GET with auth token (valid)', tally, () => signed(m.resourceId, 'GET', '/data', key, withToken)),
    step('resource: POST with auth token (valid)', tally, (context) => {
      const request = signed(m.resourceId, 'POST', '/data', key, withToken, JSON.stringify({ order: randomBytes(4).toString('hex') }));
      context.last = request;
      return request;
    }),
    step('resource: replayed POST', tally, (context) => context.last ?? signed(m.resourceId, 'GET', '/data', key, withToken)),
    step('resource: flipped signature byte', tally, () => {
      const request = signed(m.resourceId, 'GET', '/data', key, withToken);
      return { ...request, headers: flipSignature(request.headers) };
    }),
    step('resource: unknown agent id', tally, () => signed(m.resourceId, 'GET', '/data', key, { scheme: 'jwt', jwt: strangerToken(key) })),
    step('resource: oversized body', tally, () => signed(m.resourceId, 'POST', '/data', key, withToken, OVERSIZED)),
    // A distinct body each time: Ed25519 is deterministic, so equal requests in the same second
    // would carry equal signatures and rightly be refused as replays.
    step('resource: hwk pseudonym (valid)', tally, () => signed(m.resourceId, 'POST', '/pseudo', key, { scheme: 'hwk' }, JSON.stringify({ n: randomBytes(4).toString('hex') }))),
    step('resource: unsigned (challenge)', tally, () => ({ method: 'GET', path: '/data', headers: {} })),
  ];
}
