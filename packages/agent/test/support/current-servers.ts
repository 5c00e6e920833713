/**
 * TEST-ONLY: a small Person Server and a small resource speaking the current profile
 * (draft-hardt-oauth-aauth-protocol), real HTTP on loopback, verifying every request signature
 * and token with core. Each can be told to misbehave in one named way, so the agent's refusals
 * can be tested against a live peer.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  AAUTH_CURRENT, GuardedFetcher, KeyDiscovery, createAaAuthToken, createAaPersonToken, createAaResourceToken, encodeMission,
  generateInteractionCode, generateSigningKey, jwkThumbprint, peekClaims, peekTyp, serializeRequirement, serializeSignatureError, verifyAaAgentToken,
  toJwks, verifyAaAuthToken, verifyAaPersonToken, verifyAaResourceToken, verifyRequest,
  type JwkSet, type PublicJwk, type SignatureKey, type SigningKey,
} from '@aauth-ts/core';
import { listen, readBody, requestUrl, sendJson } from './http.js';

const H = AAUTH_CURRENT.headers;

function jwks(key: SigningKey): JwkSet {
  return toJwks([key], 'aauth-current');
}

function problem(res: ServerResponse, status: number, error: string, detail: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { [H.contentType]: AAUTH_CURRENT.problemContentType, ...headers });
  res.end(JSON.stringify({ error, detail }));
}

function currentKeys(): KeyDiscovery {
  return new KeyDiscovery(new GuardedFetcher({ allowLoopback: true }), { profile: 'aauth-current' });
}

const LOOPBACK = { allowLoopbackHttp: true };

/** A Person Server's issuer carries a path (`/realms/{realm}`): accepted exactly where it is trusted. */
function trusting(issuers: readonly string[]): { allowLoopbackHttp: true; exact: string[] } {
  return { allowLoopbackHttp: true, exact: [...issuers] };
}

/** Verify the request signature; the key comes from the presented JWT's `cnf.jwk` (scheme=jwt only). */
async function verifySigned(req: IncomingMessage, body: Buffer): Promise<{ jwt: string; jwk: PublicJwk; components: readonly string[] }> {
  const verified = await verifyRequest<string>(
    { method: req.method ?? 'GET', url: requestUrl(req), headers: req.headers as Record<string, string>, ...(body.length > 0 ? { body } : {}) },
    {
      allowedSchemes: ['jwt'],
      resolveKey: (signatureKey: SignatureKey) => {
        if (signatureKey.scheme !== 'jwt') throw new Error('scheme');
        const jwk = (peekClaims(signatureKey.jwt, 'invalid_request').cnf as { jwk: PublicJwk }).jwk;
        return { jwk, info: signatureKey.jwt };
      },
    },
  );
  return { jwt: verified.info, jwk: verified.jwk, components: verified.components };
}

export interface PersonServerMisbehaviour {
  /** Metadata whose `issuer` is not the URL it is served from. */
  readonly issuerMismatch?: boolean;
  /** A `202` whose `Location` is on another origin. */
  readonly locationOffOrigin?: string;
  /** A mission approval whose `s256` does not match the blob. */
  readonly s256Mismatch?: boolean;
  /** Person tokens issued for this `aud` whatever resource was asked for. */
  readonly personTokenAudience?: string;
  /** Refuse the first bodied request with `Signature-Error: invalid_input` naming this component list. */
  readonly requireInput?: readonly string[];
}

export interface PendingRecord {
  readonly id: string;
  readonly code: string;
  state: 'pending' | 'approved' | 'denied' | 'cancelled' | 'done';
  result: Record<string, unknown> | undefined;
}

export interface TestPersonServer {
  readonly issuer: string;
  readonly key: SigningKey;
  /** Every request body by endpoint, in order. */
  readonly requests: { endpoint: 'person' | 'token' | 'mission'; body: Record<string, unknown>; components: readonly string[]; agent: string }[];
  readonly pendings: Map<string, PendingRecord>;
  /** Decide a pending interaction (the person approving or denying). */
  decide(id: string, decision: 'approved' | 'denied'): void;
  close(): Promise<void>;
}

export interface TestPersonServerOptions {
  /** Missions need the person's review (202 + interaction) instead of being approved at once. */
  readonly missionInteraction?: boolean;
  /** Auth tokens need the person's consent (202 + interaction). */
  readonly consentInteraction?: boolean;
  readonly misbehave?: PersonServerMisbehaviour;
}

export async function startTestPersonServer(options: TestPersonServerOptions = {}): Promise<TestPersonServer> {
  const listening = await listen();
  const origin = `http://127.0.0.1:${listening.port}`;
  const issuer = `${origin}/realms/test`;
  const base = `${issuer}/protocol/aauth/ps`;
  const key = generateSigningKey();
  const keys = currentKeys();
  const secret = randomBytes(32);
  const missions = new Map<string, { agent: string }>();
  const pendings = new Map<string, PendingRecord>();
  const requests: TestPersonServer['requests'] = [];
  const misbehave = options.misbehave ?? {};
  let refusedInput = false;
  const policy = trusting([issuer]);

  const directed = (agentSub: string, resource: string): string => createHmac('sha256', secret).update(`${agentSub}\n${resource}`).digest('base64url');

  const defer = (res: ServerResponse, result: Record<string, unknown>): void => {
    const id = randomUUID();
    const code = generateInteractionCode();
    pendings.set(id, { id, code, state: 'pending', result });
    const location = misbehave.locationOffOrigin ?? `${base}/pending/${id}`;
    res.writeHead(202, {
      [H.location]: location, [H.retryAfter]: '0', [H.cacheControl]: 'no-store', [H.contentType]: 'application/json',
      [H.requirement]: serializeRequirement({ requirement: 'interaction', url: `${base}/interaction`, code }, LOOPBACK),
    });
    res.end(JSON.stringify({ status: 'pending' }));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = requestUrl(req);
    const path = url.pathname;
    if (req.method === 'GET' && path === `/realms/test/.well-known/${AAUTH_CURRENT.wellKnown.person}`) {
      sendJson(res, 200, {
        issuer: misbehave.issuerMismatch === true ? `${origin}/realms/other` : issuer,
        jwks_uri: `${issuer}/protocol/openid-connect/certs`,
        person_token_endpoint: `${base}/person`,
        auth_token_endpoint: `${base}/token`,
        mission_endpoint: `${base}/mission`,
        interaction_endpoint: `${base}/interaction`,
      });
      return;
    }
    if (req.method === 'GET' && path === '/realms/test/protocol/openid-connect/certs') {
      sendJson(res, 200, jwks(key));
      return;
    }
    const pendingMatch = /^\/realms\/test\/protocol\/aauth\/ps\/pending\/([\w-]+)$/.exec(path);
    const body = await readBody(req);
    let signed: Awaited<ReturnType<typeof verifySigned>>;
    try {
      signed = await verifySigned(req, body);
    } catch (err) {
      problem(res, 401, 'invalid_signature', String(err), { [H.signatureError]: 'error=invalid_signature' });
      return;
    }
    const agent = await verifyAaAgentToken(signed.jwt, { keys, requestKey: signed.jwk, identifiers: policy });
    if (pendingMatch !== null) {
      const record = pendings.get(pendingMatch[1] as string);
      if (record === undefined) return problem(res, 404, 'invalid_request', 'no such pending request');
      if (req.method === 'DELETE') {
        record.state = 'cancelled';
        res.writeHead(204).end();
        return;
      }
      if (record.state === 'done' || record.state === 'cancelled') return problem(res, 410, 'invalid_code', 'this pending request has ended');
      if (record.state === 'denied') {
        record.state = 'done';
        return problem(res, 403, 'denied', 'the person said no');
      }
      if (record.state === 'pending') {
        res.writeHead(202, { [H.location]: `${base}/pending/${record.id}`, [H.retryAfter]: '0', [H.cacheControl]: 'no-store', [H.contentType]: 'application/json' });
        res.end(JSON.stringify({ status: 'pending' }));
        return;
      }
      record.state = 'done';
      sendJson(res, 200, record.result);
      return;
    }
    if (req.method !== 'POST') return problem(res, 404, 'invalid_request', `no ${req.method} ${path}`);
    // §Covered Components: a bodied request to a PS covers content-type and content-digest.
    if (!signed.components.includes('content-digest') || !signed.components.includes('content-type')) {
      return problem(res, 401, 'invalid_signature', 'content-type and content-digest must be covered', { [H.signatureError]: serializeSignatureError({ error: 'invalid_input', requiredInput: ['content-type', 'content-digest'] }) });
    }
    if (misbehave.requireInput !== undefined && !refusedInput && misbehave.requireInput.some((c) => !signed.components.includes(c))) {
      refusedInput = true;
      return problem(res, 401, 'invalid_signature', 'more components needed', { [H.signatureError]: serializeSignatureError({ error: 'invalid_input', requiredInput: misbehave.requireInput }) });
    }
    const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const endpoint = path.slice(base.length - origin.length + 1) as 'person' | 'token' | 'mission';
    requests.push({ endpoint, body: json, components: signed.components, agent: agent.sub });
    if (agent.parent_agent !== undefined) return problem(res, 400, 'invalid_agent_token', 'a sub-agent calls its parent, not the PS');

    const subagent = typeof json.subagent_token === 'string'
      ? await verifyAaAgentToken(json.subagent_token, { keys, identifiers: policy })
      : undefined;
    if (subagent !== undefined && subagent.parent_agent !== agent.sub) return problem(res, 400, 'invalid_agent_token', 'subagent_token names another parent');
    const cnf = subagent?.cnf.jwk ?? agent.cnf.jwk;

    if (endpoint === 'person') {
      const resource = json.resource as string;
      const mission = json.mission_s256 as string | undefined;
      if (mission !== undefined && missions.get(mission)?.agent !== agent.sub) return problem(res, 400, 'invalid_request', 'no such mission for this agent');
      const personToken = await createAaPersonToken(key, {
        iss: issuer, aud: misbehave.personTokenAudience ?? resource, sub: directed(agent.sub, resource), cnfJwk: cnf,
        ...(mission === undefined ? {} : { missionS256: mission }),
      });
      sendJson(res, 200, { person_token: personToken, expires_in: 3600 });
      return;
    }
    if (endpoint === 'token') {
      const resourceToken = await verifyAaResourceToken(json.resource_token as string, { keys, identifiers: policy, audience: issuer, agentJkt: jwkThumbprint(cnf) });
      const authToken = await createAaAuthToken(key, {
        iss: issuer, aud: resourceToken.iss, sub: resourceToken.sub, cnfJwk: cnf, scope: resourceToken.scope,
        ...(resourceToken.mission_s256 === undefined ? {} : { missionS256: resourceToken.mission_s256 }),
      });
      const result = { auth_token: authToken, expires_in: 3600 };
      if (options.consentInteraction === true) return defer(res, result);
      sendJson(res, 200, result);
      return;
    }
    if (endpoint === 'mission') {
      const encoded = encodeMission({ approver: issuer, agent: agent.sub, approved_at: new Date().toISOString(), description: json.description as string, ...(Array.isArray(json.resources) ? { approved_resources: json.resources as string[] } : {}) }, policy);
      missions.set(encoded.s256, { agent: agent.sub });
      const personTokens: Record<string, string> = {};
      for (const resource of (json.resources as string[] | undefined) ?? []) {
        personTokens[resource] = await createAaPersonToken(key, { iss: issuer, aud: resource, sub: directed(agent.sub, resource), cnfJwk: cnf, missionS256: encoded.s256 });
      }
      const s256 = misbehave.s256Mismatch === true ? `${encoded.s256.slice(0, -1)}${encoded.s256.endsWith('A') ? 'E' : 'A'}` : encoded.s256;
      const result = { s256, mission: encoded.mission, capabilities: ['interaction'], person_tokens: personTokens };
      if (options.missionInteraction === true) return defer(res, result);
      sendJson(res, 200, result);
      return;
    }
    problem(res, 404, 'invalid_request', `no endpoint ${path}`);
  };

  listening.server.on('request', (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) problem(res, 400, (err as { code?: string }).code ?? 'invalid_request', String(err));
    });
  });
  return {
    issuer,
    key,
    requests,
    pendings,
    decide(id, decision) {
      const record = pendings.get(id);
      if (record !== undefined) record.state = decision;
    },
    close: () => listening.close(),
  };
}

export interface TestCurrentResource {
  readonly id: string;
  /** What each request to `/data` presented, by token `typ`. */
  readonly presented: string[];
  /** Requests held at `/held`, by pending id: how often each was executed. */
  readonly held: ReadonlyMap<string, { readonly executed: number }>;
  close(): Promise<void>;
}

/**
 * A resource at `/data` that needs an auth token (at `/held` it holds the request instead, §Deferred
 * Delivery: `202` with `requirement=auth-token`, executed on the first poll presenting an auth token): an agent token gets `requirement=person-token`,
 * a person token (for this resource) `requirement=auth-token` with a resource token naming the
 * person token's PS, an auth token (for this resource, from that PS) the data.
 */
export async function startTestCurrentResource(options: { personServers: readonly string[]; scope?: string }): Promise<TestCurrentResource> {
  const listening = await listen();
  const id = `http://127.0.0.1:${listening.port}`;
  const key = generateSigningKey();
  const keys = currentKeys();
  const presented: string[] = [];
  const held = new Map<string, { executed: number }>();
  const policy = trusting(options.personServers);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = requestUrl(req).pathname;
    if (req.method === 'GET' && path === `/.well-known/${AAUTH_CURRENT.wellKnown.resource}`) {
      sendJson(res, 200, { issuer: id, jwks_uri: `${id}/jwks.json` });
      return;
    }
    if (req.method === 'GET' && path === '/jwks.json') {
      sendJson(res, 200, jwks(key));
      return;
    }
    const body = await readBody(req);
    const signed = await verifySigned(req, body);
    const typ = String(peekTyp(signed.jwt));
    presented.push(typ);
    if (typ === AAUTH_CURRENT.typ.agent) {
      await verifyAaAgentToken(signed.jwt, { keys, requestKey: signed.jwk, identifiers: policy });
      res.writeHead(401, { [H.requirement]: serializeRequirement({ requirement: 'person-token' }) }).end();
      return;
    }
    if (typ === AAUTH_CURRENT.typ.person) {
      const person = await verifyAaPersonToken(signed.jwt, { keys, audience: id, requestKey: signed.jwk, identifiers: policy });
      const resourceToken = await createAaResourceToken(key, {
        iss: id, aud: person.iss, ps: person.iss, sub: person.sub, presentedJti: person.jti, agentJkt: jwkThumbprint(signed.jwk), scope: options.scope ?? 'data.read',
        ...(person.mission_s256 === undefined ? {} : { missionS256: person.mission_s256 }),
      });
      const requirement = serializeRequirement({ requirement: 'auth-token', resourceToken });
      if (path === '/held') {
        const pendingId = randomUUID();
        held.set(pendingId, { executed: 0 });
        res.writeHead(202, { [H.location]: `/pending/${pendingId}`, [H.retryAfter]: '0', [H.cacheControl]: 'no-store', [H.requirement]: requirement, [H.contentType]: 'application/json' });
        res.end(JSON.stringify({ status: 'pending' }));
        return;
      }
      res.writeHead(401, { [H.requirement]: requirement }).end();
      return;
    }
    const auth = await verifyAaAuthToken(signed.jwt, { keys, audience: id, requestKey: signed.jwk, identifiers: policy });
    const pendingId = /^\/pending\/([\w-]+)$/.exec(path)?.[1];
    const record = pendingId === undefined ? undefined : held.get(pendingId);
    if (record !== undefined) {
      record.executed++;
      sendJson(res, 200, { held: true, executed: record.executed, sub: auth.sub });
      return;
    }
    sendJson(res, 200, { sub: auth.sub, scope: auth.scope, mission: auth.mission_s256 ?? null, body: body.toString('utf8') });
  };
  listening.server.on('request', (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) problem(res, 401, 'invalid_signature', String(err), { [H.signatureError]: 'error=invalid_jwt' });
    });
  });
  return { id, presented, held, close: () => listening.close() };
}
