/**
 * The Person Server cases' world (draft-hardt-oauth-aauth-protocol §Person Server): the server under
 * test — realm `aauth-conformance-current` (`conformance/realm-current.json`) of the server at
 * `AAUTH_CURRENT_ISSUER`, else next to `AAUTH_ISSUER`'s realm on the same server, else the embedded
 * server started in-process — its `aauth-person.json`, and the suite's agent provider and resources
 * on their registered loopback ports (19121, 19123–19126). Nothing here knows how a server keeps
 * its state: every case speaks HTTP to the endpoints the metadata names.
 */
import { createPublicKey, verify } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { jwkThumbprint } from '@aauth-ts/core';
import { createAuthServer, type AuthServer } from '@aauth-ts/auth-server';
import { attemptInteraction, type Credentials, type Decision, type InteractionOptions, type InteractionResult, type ServerKind } from '../consent-driver.js';
import { signedRequest, type JsonResponse, type SendOptions, type Signer } from '../signed-fetch.js';
import { AgentProvider, Intermediary, Resource, type Agent, type Ed25519Key } from './parties.js';

export const CURRENT_REALM_FILE = fileURLToPath(new URL('../../realm-current.json', import.meta.url));
/** The 2026-03 conformance realm: its server serves no Person Server. */
const PLAIN_REALM_FILE = fileURLToPath(new URL('../../realm.json', import.meta.url));
const CURRENT_REALM = 'aauth-conformance-current';

/** Identities registered in conformance/realm-current.json. */
export const CURRENT = Object.freeze({
  person: { username: 'person-user', password: 'person-password' },
  otherPerson: { username: 'other-person', password: 'other-password' },
  ports: { provider: 19121, unregisteredProvider: 19122, r1: 19123, r2: 19124, unregisteredResource: 19125, intermediary: 19126 },
});

export interface PersonServerMetadata {
  readonly issuer: string;
  readonly person_token_endpoint: string;
  readonly auth_token_endpoint: string;
  readonly mission_endpoint: string;
  readonly interaction_endpoint: string;
  readonly jwks_uri: string;
  readonly [member: string]: unknown;
}

export interface CurrentWorld {
  readonly kind: ServerKind;
  readonly issuer: string;
  readonly metadata: PersonServerMetadata;
  /** A realm of the same kind of server without `aauth.personServer`. */
  readonly otherRealmIssuer: string;
  readonly provider: AgentProvider;
  /** An agent provider the realm does not know (never started: nothing may be fetched from it). */
  readonly unregisteredProvider: AgentProvider;
  readonly r1: Resource;
  readonly r2: Resource;
  /** A resource the realm does not know. */
  readonly unregisteredResource: Resource;
  /** A resource of the realm that is also its own agent provider, to call another resource (§Call Chaining). */
  readonly intermediary: Intermediary;
  /** Sign as `agent` with its agent token (or `token`), with `key` (default the agent's). */
  signer(agent: Agent, options?: { token?: string; key?: Ed25519Key }): Signer;
  post(url: string, agent: Agent, body: Readonly<Record<string, unknown>>, options?: SendOptions & { signer?: Signer }): Promise<JsonResponse>;
  poll(location: string, agent: Agent, options?: { signer?: Signer; prefer?: string }): Promise<JsonResponse>;
  cancel(location: string, agent: Agent): Promise<JsonResponse>;
  /** Log in as `user` (default the registered person) and decide the request behind `code`. */
  interact(code: string, decision: Decision, options?: InteractionOptions & { user?: Credentials }): Promise<InteractionResult>;
  /** The PS's signing key for `kid`, from its `jwks_uri`. */
  verifyIssued(token: string, typ: string): Promise<{ header: Record<string, unknown>; payload: Record<string, unknown> }>;
  close(): Promise<void>;
}

export function thumbprint(jwk: Ed25519Key['publicJwk']): string {
  return jwkThumbprint(jwk);
}

export function decode(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8')) as Record<string, unknown>,
  };
}

function issuerUnderTest(): string | undefined {
  const explicit = process.env.AAUTH_CURRENT_ISSUER;
  if (explicit) return explicit.replace(/\/+$/, '');
  const base = process.env.AAUTH_ISSUER;
  // The Person Server realm lives on the same server as the 2026-03 conformance realm.
  return base ? base.replace(/\/+$/, '').replace(/\/realms\/[^/]+$/, `/realms/${CURRENT_REALM}`) : undefined;
}

export async function createCurrentWorld(): Promise<CurrentWorld> {
  const kind: ServerKind = process.env.AAUTH_SERVER_KIND === 'keycloak' ? 'keycloak' : 'embedded';
  const embedded: AuthServer[] = [];
  const start = async (realm: string): Promise<string> => {
    const server = createAuthServer({ realm, log: () => undefined, logger: { info: () => undefined, warn: () => undefined } });
    embedded.push(server);
    return (await server.listen(0, '127.0.0.1')).issuer;
  };
  const issuer = issuerUnderTest() ?? (await start(CURRENT_REALM_FILE));
  const otherRealmIssuer = process.env.AAUTH_ISSUER?.replace(/\/+$/, '') ?? (await start(PLAIN_REALM_FILE));
  const P = CURRENT.ports;
  const provider = new AgentProvider(P.provider);
  const unregisteredProvider = new AgentProvider(P.unregisteredProvider);
  const r1 = new Resource(P.r1);
  const r2 = new Resource(P.r2);
  const unregisteredResource = new Resource(P.unregisteredResource);
  const intermediary = new Intermediary(P.intermediary);
  const started = [provider, r1, r2, unregisteredResource, intermediary];
  try {
    await Promise.all(started.map((p) => p.start()));
  } catch (err) {
    await Promise.all(started.map((p) => p.stop()));
    await Promise.all(embedded.map((e) => e.close()));
    throw err;
  }
  const stopAll = async (): Promise<void> => {
    await Promise.all(started.map((p) => p.stop()));
    await Promise.all(embedded.map((e) => e.close()));
  };
  const res = await fetch(`${issuer}/.well-known/aauth-person.json`);
  if (res.status !== 200) {
    await stopAll();
    throw new Error(`${issuer}/.well-known/aauth-person.json answered HTTP ${res.status}`);
  }
  const metadata = (await res.json()) as PersonServerMetadata;

  const signer = (agent: Agent, options: { token?: string; key?: Ed25519Key } = {}): Signer => ({
    key: (options.key ?? agent.key).signing,
    signatureKey: { scheme: 'jwt', jwt: options.token ?? provider.agentToken(agent) },
  });
  let jwks: { keys: Record<string, unknown>[] } | undefined;

  return {
    kind,
    issuer,
    metadata,
    otherRealmIssuer,
    provider,
    unregisteredProvider,
    r1,
    r2,
    unregisteredResource,
    intermediary,
    signer,
    post(url, agent, body, options = {}) {
      return signedRequest('POST', url, options.signer ?? signer(agent), JSON.stringify(body), options);
    },
    poll(location, agent, options = {}) {
      const prefer = options.prefer;
      return signedRequest('GET', location, options.signer ?? signer(agent), undefined, prefer === undefined ? {} : { replaceHeaders: () => ({ prefer }) });
    },
    cancel(location, agent) {
      return signedRequest('DELETE', location, signer(agent));
    },
    interact(code, decision, options = {}) {
      return attemptInteraction(metadata.interaction_endpoint, code, options.user ?? CURRENT.person, decision, options);
    },
    async verifyIssued(token, typ) {
      const { header, payload } = decode(token);
      if (header.typ !== typ) throw new Error(`token typ ${String(header.typ)}, expected ${typ}`);
      if (header.alg !== 'Ed25519') throw new Error(`token alg ${String(header.alg)}, expected the fully specified Ed25519`);
      jwks ??= (await (await fetch(metadata.jwks_uri)).json()) as { keys: Record<string, unknown>[] };
      const jwk = jwks.keys.find((k) => k.kid === header.kid);
      if (jwk === undefined) throw new Error(`no key ${String(header.kid)} at ${metadata.jwks_uri}`);
      if (jwk.alg !== 'Ed25519') throw new Error(`the published key ${String(header.kid)} has alg ${String(jwk.alg)}, expected Ed25519`);
      const [h, p, s] = token.split('.') as [string, string, string];
      const ok = verify(null, Buffer.from(`${h}.${p}`), createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x as string }, format: 'jwk' }), Buffer.from(s, 'base64url'));
      if (!ok) throw new Error('the token signature does not verify with the published key');
      return { header, payload };
    },
    close: stopAll,
  };
}
