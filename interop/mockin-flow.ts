/**
 * Surfaces 2-4 of the current profile with npm `@hellocoop/mockin` as the Person Server: our
 * resource (`@aauth-ts/resource`, `profile: 'aauth-current'`, trusting mockin's person and auth
 * tokens) and an agent provider publishing `aauth-agent.json` whose agent tokens name mockin as
 * their `ps`, all on loopback.
 *
 *  - `our agent`: `AAuthClient` (`@aauth-ts/agent`) does it all; the resource notes each request's
 *    presented token type and its answer, the client's events show the tokens it got.
 *  - `core steps, + person_token_jti`: the same steps one by one with core, the resource token
 *    re-signed with the resource's own key to carry mockin's `person_token_jti` as well, which
 *    shows mockin's auth token at our resource.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import {
  AAUTH_CURRENT, generateSigningKey, getHeader, parseRequirement, parseSignatureKeys, peekTyp, signRequest,
  type SigningKey,
} from '@aauth-ts/core';
import { aauth, aauthErrorHandler, type AAuthRequest } from '@aauth-ts/resource';
import { AAuthClient, AgentServer, AgentSession, type AAuthEvent } from '@aauth-ts/agent';
import type { Mockin } from './mockin.js';
import { resign, signedPost, type Step } from './mockin-ps.js';
import { oneLine, reasonOf } from './our-side.js';

const H = AAUTH_CURRENT.headers;

export const FLOW_STEPS = [
  'resource → 401 person-token',
  'mockin → person token',
  'resource: person token → 401 auth-token + resource token',
  'mockin → auth token',
  'resource: auth token → 200',
] as const;

interface Seen { readonly typ: string; readonly status: number; readonly requirement?: string }

interface Host { readonly origin: string; close(): Promise<void> }

async function host(app: express.Express | http.RequestListener): Promise<Host> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export interface OurParties {
  readonly resource: string;
  readonly resourceKey: SigningKey;
  readonly provider: AgentServer;
  /** Each request the resource answered: the presented token's `typ`, the status, the requirement. */
  readonly seen: Seen[];
  close(): Promise<void>;
}

/** Our resource and agent provider around mockin (`trustedPersonServers: [mockin]`). */
export async function startOurParties(mockin: Mockin): Promise<OurParties> {
  const seen: Seen[] = [];
  const app = express();
  const resourceHost = await host(app);
  const resourceKey = generateSigningKey('Ed25519', 'interop-resource');
  // Notes what each request presented and how it was answered (the resource's own view).
  app.use((req, res, next) => {
    const header = getHeader(req.headers as Record<string, string>, H.signatureKey);
    let typ = 'none';
    try { const key = header === undefined ? undefined : parseSignatureKeys(header)[0]; if (key?.scheme === 'jwt') typ = String(peekTyp(key.jwt)); } catch { typ = 'unparseable'; }
    res.on('finish', () => {
      const requirement = res.getHeader(H.requirement);
      seen.push({ typ, status: res.statusCode, ...(typeof requirement === 'string' ? { requirement } : {}) });
    });
    next();
  });
  const guard = aauth({ resource: resourceHost.origin, signingKey: resourceKey, development: true, profile: 'aauth-current', trustedPersonServers: [mockin.origin] });
  app.use(guard);
  app.get('/data', guard.requireAuth({ scope: 'data.read' }), (req, res) => { res.json({ sub: (req as AAuthRequest).aauth.sub ?? null }); });
  app.use(aauthErrorHandler({ log: () => undefined }));

  const providerApp = express();
  const providerHost = await host(providerApp);
  const provider = new AgentServer({ identifier: providerHost.origin, development: true, profile: 'aauth-current', personServer: mockin.origin });
  providerApp.use(provider.router());
  return { resource: resourceHost.origin, resourceKey, provider, seen, close: async () => { await Promise.all([resourceHost.close(), providerHost.close()]); } };
}

const requirementOf = (s: Seen | undefined): string | undefined => {
  if (s?.requirement === undefined) return undefined;
  try { return parseRequirement(s.requirement).requirement; } catch { return 'unparseable'; }
};

/** `AAuthClient` against our resource with mockin as its Person Server; steps read off the resource and the client's events. */
export async function ourAgentWithMockin(parties: OurParties): Promise<Step[]> {
  const events: AAuthEvent[] = [];
  const session = AgentSession.delegateOf(parties.provider, { sub: parties.provider.agentIdentifier('interop') });
  const client = new AAuthClient({ session, development: true, profile: 'aauth-current', onEvent: (e) => events.push(e) });
  let failure: string | undefined;
  let status = 0;
  try {
    status = (await client.fetch(`${parties.resource}/data`)).status;
  } catch (err) {
    failure = reasonOf(err);
  }
  const at = (typ: string): Seen | undefined => parties.seen.find((s) => s.typ === typ);
  const checks: readonly (readonly [string, boolean])[] = [
    [FLOW_STEPS[0], at('aa-agent+jwt')?.status === 401 && requirementOf(at('aa-agent+jwt')) === 'person-token'],
    [FLOW_STEPS[1], events.some((e) => e.type === 'person-token.issued')],
    [FLOW_STEPS[2], at('aa-person+jwt')?.status === 401 && requirementOf(at('aa-person+jwt')) === 'auth-token'],
    [FLOW_STEPS[3], events.some((e) => e.type === 'auth-token.issued')],
    [FLOW_STEPS[4], at('aa-auth+jwt')?.status === 200 && status === 200],
  ];
  const out: Step[] = [];
  for (const [step, ok] of checks) {
    if (ok) { out.push({ step, ok }); continue; }
    out.push({ step, ok, reason: failure ?? oneLine(`resource saw ${JSON.stringify(parties.seen)}`) });
    break;
  }
  return out;
}

/** The same steps driven with core, the resource token also carrying `person_token_jti`. */
export async function coreStepsWithMockin(mockin: Mockin, parties: OurParties): Promise<Step[]> {
  const meta = await mockin.metadata();
  const session = AgentSession.delegateOf(parties.provider, { sub: parties.provider.agentIdentifier('interop-steps') });
  const agentToken = await session.agentToken();
  const key = session.key;
  const url = `${parties.resource}/data`;
  const get = (jwt: string): Promise<Response> => fetch(url, { headers: { ...signRequest({ method: 'GET', url, headers: {} }, { key, signatureKey: { scheme: 'jwt', jwt } }) } });
  const challenge = async (res: Response, want: string): Promise<string | undefined> => {
    const header = res.headers.get(H.requirement);
    const found = header === null ? undefined : parseRequirement(header);
    if (res.status === 401 && found?.requirement === want) return found.requirement === 'auth-token' ? found.resourceToken : '';
    throw new Error(oneLine(`${res.status} ${header ?? ''} ${await res.text()}`));
  };
  const member = async (res: Response, name: string): Promise<string> => {
    const body = await res.json().catch(() => ({})) as Record<string, unknown>;
    if (res.status === 200 && typeof body[name] === 'string') return body[name] as string;
    throw new Error(oneLine(`${res.status} ${String(body.error ?? '')}: ${String(body.detail ?? '')}`));
  };
  let personToken = '';
  let resourceToken = '';
  let authToken = '';
  const list: readonly (readonly [string, () => Promise<void>])[] = [
    [FLOW_STEPS[0], async () => { await challenge(await get(agentToken), 'person-token'); }],
    [FLOW_STEPS[1], async () => { personToken = await member(await signedPost(meta.person_token_endpoint, { resource: parties.resource }, key, agentToken), 'person_token'); }],
    [FLOW_STEPS[2], async () => { resourceToken = await challenge(await get(personToken), 'auth-token') ?? ''; }],
    [FLOW_STEPS[3], async () => {
      const jti = (JSON.parse(Buffer.from(resourceToken.split('.')[1] as string, 'base64url').toString('utf8')) as { presented_jti: string }).presented_jti;
      const bridged = resign(resourceToken, parties.resourceKey, { claims: { person_token_jti: jti } });
      authToken = await member(await signedPost(meta.auth_token_endpoint, { resource_token: bridged }, key, agentToken), 'auth_token');
    }],
    [FLOW_STEPS[4], async () => {
      const res = await get(authToken);
      if (res.status !== 200) throw new Error(oneLine(`${res.status} ${res.headers.get(H.signatureError) ?? ''} ${await res.text()}`));
    }],
  ];
  const out: Step[] = [];
  for (const [step, run] of list) {
    try {
      await run();
      out.push({ step, ok: true });
    } catch (err) {
      out.push({ step, ok: false, reason: reasonOf(err) });
      break;
    }
  }
  return out;
}
