/**
 * TEST-ONLY auth server: the token endpoint of docs/auth-server-contract.md implemented for real
 * on core (signature + agent token + resource token + upstream/refresh auth tokens verified,
 * real `auth+jwt` tokens issued), with a pending/consent state machine the test drives through
 * `approve()` / `deny()`. Not a product: no realm, no users, no login page.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  AAuthError, GuardedFetcher, KeyDiscovery, MalformedError, PROFILE, SignatureError, TokenError, Waiters,
  createAuthToken, generateSigningKey, isServerIdentifier, toJwks, verifyAgentToken, verifyAuthToken,
  verifyRequest, verifyResourceToken, type KeyResolver, type PublicJwk,
} from '@aauth-ts/core';
import { listen, readBody, requestUrl, sendJson } from './http.js';

export interface TestAuthServerOptions {
  /** Every request for a token needs the user (202), unless an upstream token carries `sub`. */
  consentRequired?: boolean;
  tokenLifetimeSeconds?: number;
  refreshWindowSeconds?: number;
  /** `false`: refresh only an expired auth token, as a server with `aauth.earlyRefresh` = "false" does. Default true. */
  earlyRefresh?: boolean;
  pendingLifespanSeconds?: number;
  /** Issuer host name, e.g. `auth.localhost` (connections still go to 127.0.0.1). */
  hostname?: string;
  /** Path of the issuer under its origin: `/realms/test` (Keycloak's layout) by default, `''` for a bare origin. */
  realmPath?: string;
  /** The `interaction_endpoint` its metadata announces (a hostile server's choice); its own page by default. */
  interactionEndpoint?: string;
  /** The first `count` polls answer `503` with this `Retry-After` (a server briefly unavailable). */
  unavailablePolls?: { count: number; retryAfter: string };
}

type Mode = 'resource' | 'chained' | 'refresh';

export interface TokenRequestRecord {
  readonly mode: Mode | 'invalid';
  readonly agentId?: string;
  readonly status: number;
  readonly error?: string;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string>;
  readonly rawBody: Buffer;
}

interface Grant { aud: string; scope?: string; txn?: string; sub?: string; agentId: string; jwk: PublicJwk }
interface Pending {
  readonly id: string;
  readonly code: string;
  readonly jkt: string;
  readonly grant: Grant;
  readonly expiresAt: number;
  state: 'pending' | 'interacting' | 'approved' | 'denied' | 'abandoned' | 'invalid_code' | 'done';
  sub?: string;
  readonly waiters: Waiters;
}

interface Caller { agentId: string }

const CONTRACT_STATUS: Record<string, number> = { invalid_auth_token: 400, key_binding_failed: 400 };

export interface TestAuthServer {
  readonly issuer: string;
  readonly tokenRequests: TokenRequestRecord[];
  readonly polls: number[];
  /** Request headers of every poll, in order. */
  readonly pollHeaders: Array<Record<string, string>>;
  consentRequired: boolean;
  approve(code: string, sub: string): void;
  deny(code: string): void;
  /** End the request with a §Polling Error Codes error other than `denied`. */
  end(code: string, error: 'abandoned' | 'invalid_code'): void;
  count(mode: Mode): number;
  close(): Promise<void>;
}

export async function startTestAuthServer(options: TestAuthServerOptions = {}): Promise<TestAuthServer> {
  const key = generateSigningKey();
  const keys = new KeyDiscovery(new GuardedFetcher({ allowLoopback: true }));
  const identifiers = { allowLoopbackHttp: true };
  const lifetime = options.tokenLifetimeSeconds ?? 300;
  const pendingById = new Map<string, Pending>();
  const seenJti = new Set<string>();
  const tokenRequests: TokenRequestRecord[] = [];
  const polls: number[] = [];
  const pollHeaders: Array<Record<string, string>> = [];
  let unavailable = options.unavailablePolls?.count ?? 0;
  const now = (): number => Math.floor(Date.now() / 1000);

  const listening = await listen();
  const realmPath = options.realmPath ?? '/realms/test';
  const issuer = `http://${options.hostname ?? '127.0.0.1'}:${listening.port}${realmPath}`;
  const paths = {
    metadata: `${realmPath}/.well-known/${PROFILE.wellKnown.issuer}`,
    certs: `${realmPath}/protocol/openid-connect/certs`,
    token: `${realmPath}/protocol/aauth/token`,
    pending: `${realmPath}/protocol/aauth/pending/`,
    interact: `${realmPath}/protocol/aauth/interact`,
  };
  const origin = `http://${options.hostname ?? '127.0.0.1'}:${listening.port}`;

  const resolveCaller: KeyResolver<Caller> = async (sk) => {
    if (sk.scheme === 'jwt') {
      const claims = await verifyAgentToken(sk.jwt, { keys, identifiers, audience: issuer });
      return { jwk: claims.cnf.jwk, info: { agentId: claims.iss } };
    }
    if (sk.scheme === 'jwks_uri') {
      if (!isServerIdentifier(sk.id, identifiers)) throw new SignatureError('invalid_signature', `jwks_uri "id" ${sk.id} is not an agent identifier`);
      try {
        return { jwk: await keys.getKey(sk.id, PROFILE.wellKnown.agent, sk.kid), info: { agentId: sk.id } };
      } catch (cause) {
        throw new SignatureError('invalid_signature', `cannot obtain key ${sk.kid} of ${sk.id}`, { cause });
      }
    }
    throw new SignatureError('invalid_signature', 'pseudonymous callers get no tokens');
  };

  async function verifyCaller(req: IncomingMessage, body: Buffer) {
    return verifyRequest({ method: req.method ?? 'GET', url: requestUrl(req), headers: req.headers, body }, { resolveKey: resolveCaller, allowedSchemes: ['jwt', 'jwks_uri'] });
  }

  async function issue(grant: Grant): Promise<{ auth_token: string; expires_in: number }> {
    const token = await createAuthToken(key, {
      iss: issuer, aud: grant.aud, agent: grant.agentId, cnfJwk: grant.jwk, lifetimeSeconds: lifetime,
      ...(grant.sub === undefined ? {} : { sub: grant.sub }),
      ...(grant.scope === undefined ? {} : { scope: grant.scope }),
      ...(grant.txn === undefined ? {} : { txn: grant.txn }),
    });
    return { auth_token: token, expires_in: lifetime };
  }

  function fail(res: ServerResponse, err: unknown): number {
    if (err instanceof AAuthError) {
      const code = err.code === 'key_binding_failed' ? 'invalid_auth_token' : err.code;
      const status = CONTRACT_STATUS[code] ?? err.status;
      sendJson(res, status, { error: code, error_description: err.message });
      return status;
    }
    sendJson(res, 500, { error: 'server_error', error_description: 'unexpected failure' });
    return 500;
  }

  async function tokenEndpoint(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    let body: Record<string, unknown> = {};
    let mode: Mode | 'invalid' = 'invalid';
    let agentId: string | undefined;
    const record = (status: number, error?: string): void => {
      tokenRequests.push({ mode, status, body, headers, rawBody: raw, ...(agentId === undefined ? {} : { agentId }), ...(error === undefined ? {} : { error }) });
    };
    try {
      // 1. body
      try {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        throw new MalformedError('invalid_request', 'the body is not JSON');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.values(body).some((v) => typeof v !== 'string')) {
        throw new MalformedError('invalid_request', 'the body must be a JSON object of strings');
      }
      const t = PROFILE.tokenRequest;
      const resourceToken = body[t.resourceToken] as string | undefined;
      const upstreamToken = body[t.upstreamToken] as string | undefined;
      const refreshToken = body[t.authToken] as string | undefined;
      if (resourceToken === undefined && refreshToken === undefined) throw new MalformedError('invalid_request', 'resource_token or auth_token is required');
      mode = refreshToken !== undefined ? 'refresh' : upstreamToken !== undefined ? 'chained' : 'resource';
      // 2. signature and agent
      const verified = await verifyCaller(req, raw);
      agentId = verified.info.agentId;
      let grant: Grant;
      if (refreshToken !== undefined) {
        // 5. refresh: ours, same agent, same key, not older than the refresh window
        const old = await verifyAuthToken(refreshToken, { keys, trustedIssuers: [issuer], agent: agentId, cnfThumbprint: verified.thumbprint, allowExpired: true });
        if (old.exp < now() - (options.refreshWindowSeconds ?? 86400)) throw new TokenError('invalid_auth_token', 'the auth token is past the refresh window');
        if (options.earlyRefresh === false && old.exp > now()) throw new TokenError('invalid_auth_token', 'the auth token has not expired');
        grant = { aud: old.aud, agentId, jwk: verified.jwk, ...(old.sub === undefined ? {} : { sub: old.sub }), ...(old.scope === undefined ? {} : { scope: old.scope }) };
      } else {
        // 3. resource token
        const rt = await verifyResourceToken(resourceToken as string, { keys, identifiers, audience: issuer, agent: agentId, agentJkt: verified.thumbprint });
        if (rt.jti === undefined || seenJti.has(rt.jti)) throw new TokenError('invalid_resource_token', 'the resource token was already used');
        seenJti.add(rt.jti);
        grant = { aud: rt.iss, agentId, jwk: verified.jwk, ...(rt.scope === undefined ? {} : { scope: rt.scope }), ...(rt.txn === undefined ? {} : { txn: rt.txn }) };
        // 4. upstream token: ours, issued to the requesting agent as a resource (`aud`). Its
        // `cnf.jwk` is the *original caller's* key, not the intermediary's: the contract's
        // "cnf.jwk = the HTTP signing key" cannot hold in a chain, so it is not checked here.
        if (upstreamToken !== undefined) {
          const up = await verifyAuthToken(upstreamToken, { keys, trustedIssuers: [issuer], audience: agentId });
          if (up.sub !== undefined) grant.sub = up.sub;
        }
      }
      // 6./7. consent
      if (server.consentRequired && grant.sub === undefined) {
        const id = randomUUID();
        const code = randomBytes(5).toString('hex').toUpperCase().slice(0, 8);
        pendingById.set(id, { id, code, jkt: verified.thumbprint, grant, state: 'pending', expiresAt: now() + (options.pendingLifespanSeconds ?? 600), waiters: new Waiters() });
        const location = `${origin}${paths.pending}${id}`;
        sendJson(res, 202, { status: 'pending', location, require: 'interaction', code }, {
          [PROFILE.headers.location]: location, [PROFILE.headers.retryAfter]: '0', [PROFILE.headers.challenge]: `require=interaction; code="${code}"`,
        });
        record(202);
        return;
      }
      sendJson(res, 200, await issue(grant));
      record(200);
    } catch (err) {
      const status = fail(res, err);
      record(status, err instanceof AAuthError ? err.code : 'server_error');
    }
  }

  async function pollEndpoint(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    pollHeaders.push(Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])));
    if (unavailable > 0) {
      unavailable--;
      sendJson(res, 503, { error: 'server_error', error_description: 'briefly unavailable' }, { [PROFILE.headers.retryAfter]: options.unavailablePolls?.retryAfter ?? '1' });
      polls.push(503);
      return;
    }
    try {
      const verified = await verifyCaller(req, Buffer.alloc(0));
      const pending = pendingById.get(id);
      if (!pending || pending.state === 'done') {
        sendJson(res, 404, { error: 'invalid_request', error_description: 'no such pending request' });
        polls.push(404);
        return;
      }
      if (verified.thumbprint !== pending.jkt) {
        sendJson(res, 403, { error: 'access_denied', error_description: 'polled with another key' });
        polls.push(403);
        return;
      }
      const wait = /wait=(\d+)/.exec(String(req.headers[PROFILE.headers.prefer.toLowerCase()] ?? ''));
      if ((pending.state === 'pending' || pending.state === 'interacting') && wait) await pending.waiters.wait(Math.min(Number(wait[1]), 2));
      if (now() > pending.expiresAt) {
        pending.state = 'done';
        sendJson(res, 408, { error: 'expired', error_description: 'the request expired' });
        polls.push(408);
      } else if (pending.state === 'approved') {
        pending.state = 'done';
        sendJson(res, 200, await issue({ ...pending.grant, ...(pending.sub === undefined ? {} : { sub: pending.sub }) }));
        polls.push(200);
      } else if (pending.state === 'denied' || pending.state === 'abandoned' || pending.state === 'invalid_code') {
        const status = pending.state === 'invalid_code' ? 410 : 403;
        sendJson(res, status, { error: pending.state, error_description: `the request ended: ${pending.state}` });
        pending.state = 'done';
        polls.push(status);
      } else {
        // §Deferred Responses "Pending Response": status always "pending", location echoing Location.
        const location = `${origin}${paths.pending}${pending.id}`;
        sendJson(res, 202, { status: 'pending', location }, { [PROFILE.headers.location]: location, [PROFILE.headers.retryAfter]: '0' });
        polls.push(202);
      }
    } catch (err) {
      polls.push(fail(res, err));
    }
  }

  function byCode(code: string): Pending {
    const pending = [...pendingById.values()].find((p) => p.code === code && p.state !== 'done');
    if (!pending) throw new Error(`no pending request with code ${code}`);
    return pending;
  }

  listening.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = requestUrl(req);
    const route = async (): Promise<void> => {
      if (req.method === 'GET' && url.pathname === paths.metadata) {
        sendJson(res, 200, { issuer, token_endpoint: `${origin}${paths.token}`, interaction_endpoint: options.interactionEndpoint ?? `${origin}${paths.interact}`, jwks_uri: `${origin}${paths.certs}` });
      } else if (req.method === 'GET' && url.pathname === paths.certs) {
        sendJson(res, 200, toJwks([key]));
      } else if (req.method === 'POST' && url.pathname === paths.token) {
        await tokenEndpoint(req, res);
      } else if (req.method === 'GET' && url.pathname.startsWith(paths.pending)) {
        await pollEndpoint(req, res, url.pathname.slice(paths.pending.length));
      } else if (req.method === 'GET' && url.pathname === paths.interact) {
        const pending = [...pendingById.values()].find((p) => p.code === url.searchParams.get('code') && p.state !== 'done');
        if (pending?.state === 'pending') pending.state = 'interacting';
        res.writeHead(pending ? 200 : 404, { [PROFILE.headers.contentType]: 'text/plain' });
        res.end(pending ? `Approve ${pending.grant.agentId} for ${pending.grant.aud}?` : 'unknown code');
      } else {
        sendJson(res, 404, { error: 'invalid_request', error_description: 'not found' });
      }
    };
    route().catch((err: unknown) => fail(res, err));
  });

  const server: TestAuthServer = {
    issuer,
    tokenRequests,
    polls,
    pollHeaders,
    consentRequired: options.consentRequired ?? false,
    approve(code, sub) {
      const pending = byCode(code);
      pending.state = 'approved';
      pending.sub = sub;
      pending.waiters.wakeAll();
    },
    deny(code) {
      const pending = byCode(code);
      pending.state = 'denied';
      pending.waiters.wakeAll();
    },
    end(code, error) {
      const pending = byCode(code);
      pending.state = error;
      pending.waiters.wakeAll();
    },
    count(mode) {
      return tokenRequests.filter((r) => r.mode === mode && r.status < 400).length;
    },
    async close() {
      for (const p of pendingById.values()) p.waiters.wakeAll();
      await listening.close();
    },
  };
  return server;
}
