/**
 * The suite's world: the auth server under test (from `AAUTH_ISSUER`, or the embedded server
 * started in-process on a loopback port with `conformance/realm.json`), its metadata, and the
 * suite's agents, resources and trusted issuer on their registered loopback ports.
 */
import { fileURLToPath } from 'node:url';
import { PROFILE, jwkThumbprint, type IssuerMetadata, type PublicJwk, type SigningKey } from '@aauth-ts/core';
import { createAuthServer, type AuthServer } from '@aauth-ts/auth-server';
import { attemptInteraction, driveInteraction, type Credentials, type Decision, type InteractionOptions, type InteractionResult, type ServerKind } from './consent-driver.js';
import { Party } from './parties.js';
import { postJson, signedRequest, type JsonResponse, type SendOptions, type Signer } from './signed-fetch.js';

export const REALM_FILE = fileURLToPath(new URL('../realm.json', import.meta.url));
/** A second realm with `aauth.signatureComponents` = `draft-minimum` (the autonomous agent and alpha only). */
export const MINIMUM_REALM_FILE = fileURLToPath(new URL('../realm-draft-minimum.json', import.meta.url));
const MINIMUM_REALM = 'aauth-conformance-minimum';

/** Identities registered in conformance/realm.json. */
export const REGISTERED = Object.freeze({
  user: { id: '0b6f3c1e-7a52-4e0f-9c1d-2f4a6b8c0d19', username: 'conformance-user', password: 'conformance-password' },
  /** A user whose attribute `aauth.mayAct` lets only the intermediary act for them. */
  restrictedUser: { id: '5d2a9e47-3c8b-4f61-a0e2-7b9c1d3e5f80', username: 'restricted-user', password: 'restricted-password' },
  /** Another realm user, who must not be able to answer a request made for `user`. */
  otherUser: { id: '9e4c7b21-6d3a-4f85-b0c9-1a2e3f4d5c6b', username: 'other-user', password: 'other-password' },
  /** Disabled in the realm; linked to a subject of the trusted issuer, so tokens can name it. */
  disabledUser: { id: '9e3c5a71-2b4d-4c8e-b6f0-1a2d3c4e5f60' },
  /**
   * Subjects of the trusted issuer (19107) that the realm links to local users with the user
   * attribute `aauth.federatedSubject` (`{issuer} {sub}`); any other foreign subject is unknown.
   */
  foreign: { user: 'trusted:conformance-user', restrictedUser: 'trusted:restricted-user', disabledUser: 'trusted:disabled-user' },
  ports: { consentAgent: 19101, autonomousAgent: 19102, intermediary: 19103, alpha: 19104, beta: 19105, relay: 19106, trustedIssuer: 19107, unnamedAgent: 19110, shortLivedAgent: 19111, windowlessAgent: 19112 },
});

/** The server under test, one realm. */
export interface RealmUnderTest {
  readonly issuer: string;
  readonly metadata: IssuerMetadata;
}

export interface World {
  readonly kind: ServerKind;
  readonly issuer: string;
  readonly metadata: IssuerMetadata;
  /** The same server's `aauth-conformance-minimum` realm (`aauth.signatureComponents` = `draft-minimum`). */
  readonly minimum: RealmUnderTest;
  readonly consentAgent: Party;
  readonly autonomousAgent: Party;
  readonly intermediary: Party;
  readonly alpha: Party;
  readonly beta: Party;
  /** A second intermediary (agent and resource): the next actor in a token-exchange chain. */
  readonly relay: Party;
  /** Another auth server the realm trusts (`aauth.trustedIssuers`). */
  readonly trustedIssuer: Party;
  /** A registered agent whose `aauth-agent.json` lacks its `agent` member. */
  readonly unnamedAgent: Party;
  /** An autonomous agent whose auth tokens live 1 s (client attribute `access.token.lifespan`). */
  readonly shortLivedAgent: Party;
  /** Like `shortLivedAgent`, with a refresh window of 0 s (client attribute `aauth.refreshWindow`). */
  readonly windowlessAgent: Party;
  /** Sign as `party`'s delegate with an agent token (`jwt` scheme). */
  signer(party: Party, key?: SigningKey): Promise<Signer>;
  /** POST a token request as `party`. */
  token(party: Party, body: Record<string, unknown>, options?: SendOptions & { signer?: Signer }): Promise<JsonResponse>;
  /** POST an RFC 8693 token-exchange form to `{issuer}/protocol/aauth/token-exchange` as `party`. */
  exchange(party: Party, params: Record<string, string>, options?: SendOptions): Promise<JsonResponse>;
  /** GET a pending URL as `party` (or with another signer); `prefer` is sent as the `Prefer` field. */
  poll(location: string, signer: Signer, options?: { prefer?: string }): Promise<JsonResponse>;
  /** A resource token from `resource` for `agent` (defaults: aud = issuer, agent_jkt = agent's delegate key). */
  resourceToken(resource: Party, agent: Party, options?: { scope?: string; aud?: string; agentId?: string; jkt?: string; txn?: string }): Promise<string>;
  /** Log in as the registered user and answer a pending request's interaction code. */
  interact(code: string, decision: Decision, options?: InteractionOptions): Promise<void>;
  /** Log in as `user` and try to answer; `decided` says whether the server let that user decide. */
  interactAs(code: string, user: Credentials, decision: Decision): Promise<InteractionResult>;
  close(): Promise<void>;
}

export function thumbprintOf(jwk: PublicJwk): string {
  return jwkThumbprint(jwk);
}

async function fetchMetadata(issuer: string): Promise<IssuerMetadata> {
  const res = await fetch(`${issuer}/.well-known/${PROFILE.wellKnown.issuer}`);
  if (res.status !== 200) throw new Error(`${issuer} metadata answered HTTP ${res.status}`);
  return (await res.json()) as IssuerMetadata;
}

export async function createWorld(): Promise<World> {
  const env = process.env.AAUTH_ISSUER;
  const kind: ServerKind = process.env.AAUTH_SERVER_KIND === 'keycloak' ? 'keycloak' : 'embedded';
  let embedded: AuthServer | undefined;
  let embeddedMinimum: AuthServer | undefined;
  let issuer: string;
  let minimumIssuer: string;
  if (env) {
    issuer = env.replace(/\/+$/, '');
    // The second realm lives on the same server, next to the first.
    minimumIssuer = issuer.replace(/\/realms\/[^/]+$/, `/realms/${MINIMUM_REALM}`);
  } else {
    embedded = createAuthServer({ realm: REALM_FILE, log: () => undefined });
    embeddedMinimum = createAuthServer({ realm: MINIMUM_REALM_FILE, log: () => undefined });
    ({ issuer } = await embedded.listen(0, '127.0.0.1'));
    ({ issuer: minimumIssuer } = await embeddedMinimum.listen(0, '127.0.0.1'));
  }
  const P = REGISTERED.ports;
  const consentAgent = new Party({ port: P.consentAgent, agent: true });
  const autonomousAgent = new Party({ port: P.autonomousAgent, agent: true });
  const intermediary = new Party({ port: P.intermediary, agent: true, resource: true });
  const alpha = new Party({ port: P.alpha, resource: true });
  const beta = new Party({ port: P.beta, resource: true });
  const relay = new Party({ port: P.relay, agent: true, resource: true });
  const trustedIssuer = new Party({ port: P.trustedIssuer, issuer: true });
  const unnamedAgent = new Party({ port: P.unnamedAgent, agent: true, unnamedMetadata: true });
  const shortLivedAgent = new Party({ port: P.shortLivedAgent, agent: true });
  const windowlessAgent = new Party({ port: P.windowlessAgent, agent: true });
  const parties = [consentAgent, autonomousAgent, intermediary, alpha, beta, relay, trustedIssuer, unnamedAgent, shortLivedAgent, windowlessAgent];
  try {
    await Promise.all(parties.map((p) => p.start()));
  } catch (err) {
    await Promise.all(parties.map((p) => p.stop()));
    await embedded?.close();
    await embeddedMinimum?.close();
    throw err;
  }
  const metadata = await fetchMetadata(issuer);
  const minimum = { issuer: minimumIssuer, metadata: await fetchMetadata(minimumIssuer) };

  const signer = async (party: Party, key?: SigningKey): Promise<Signer> => ({
    key: key ?? party.delegateKey,
    signatureKey: { scheme: 'jwt', jwt: await party.agentToken(key ? { key } : {}) },
  });

  return {
    kind,
    issuer,
    metadata,
    minimum,
    consentAgent,
    autonomousAgent,
    intermediary,
    alpha,
    beta,
    relay,
    trustedIssuer,
    unnamedAgent,
    shortLivedAgent,
    windowlessAgent,
    signer,
    async token(party, body, options = {}) {
      return postJson(metadata.token_endpoint, options.signer ?? (await signer(party)), body, options);
    },
    async exchange(party, params, options = {}) {
      const body = new URLSearchParams(params).toString();
      return signedRequest('POST', `${issuer}/protocol/aauth/token-exchange`, await signer(party), body, { contentType: 'application/x-www-form-urlencoded', ...options });
    },
    poll(location, s, options = {}) {
      const prefer = options.prefer;
      return signedRequest('GET', location, s, undefined, prefer === undefined ? {} : { replaceHeaders: () => ({ prefer }) });
    },
    resourceToken(resource, agent, options = {}) {
      return resource.resourceToken({
        aud: options.aud ?? issuer,
        agent: options.agentId ?? agent.id,
        agentJkt: options.jkt ?? agent.delegateKey.thumbprint,
        ...(options.scope === undefined ? {} : { scope: options.scope }),
        ...(options.txn === undefined ? {} : { txn: options.txn }),
      });
    },
    async interact(code, decision, options = {}) {
      await driveInteraction(kind, metadata.interaction_endpoint, code, REGISTERED.user, decision, options);
    },
    interactAs(code, user, decision) {
      return attemptInteraction(metadata.interaction_endpoint, code, user, decision);
    },
    async close() {
      await Promise.all(parties.map((p) => p.stop()));
      await embedded?.close();
      await embeddedMinimum?.close();
    },
  };
}

/** Decode a JWT's header and payload (no verification; cases verify separately). */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8')) as Record<string, unknown>,
  };
}
