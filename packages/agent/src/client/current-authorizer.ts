/**
 * How the agent meets the current profile's requirements (draft-hardt-oauth-aauth-protocol
 * §Requirement Responses) with its Person Server:
 *   `person-token` → a person token for the resource from the PS's `person_token_endpoint`
 *                    (§Person Token Endpoint), cached per (resource, mission);
 *   `auth-token`   → the resource token verified (§Resource Challenge Verification), sent to the
 *                    PS's `auth_token_endpoint` (§PS Token Endpoint), the auth token verified
 *                    (§Auth Token Response Verification) and cached;
 * missions (§Mission Creation, §Mission Approval) and a parent's requests for its sub-agents
 * (§Parent-Mediated Authorization). The PS is the configured one or the agent token's `ps`; for
 * a call made on behalf of an upstream caller (§Call Chaining) it is the PS the upstream auth
 * token's `ps` names, and both requests carry that token as `upstream_token`.
 */
import {
  AAUTH_CURRENT, MalformedError, TokenError, isServerIdentifier, jwkThumbprint, peekClaims, verifyAaAuthToken, verifyAaPersonToken,
  verifyAaResourceToken, verifyMission,
  type AaAuthTokenClaims, type AaResourceTokenClaims, type IdentifierPolicy, type MissionBlob, type PublicJwk,
} from '@aauth-ts/core';
import { PersonTokenCache, personTokenKey, type CachedPersonToken } from '../cache/person-token-cache.js';
import { tokenKey, upstreamHash, type CachedToken, type TokenCache } from '../cache/token-cache.js';
import { emit } from '../events.js';
import { raceSignal } from '../lib/abort.js';
import { isIssuerUrl, trusting } from '../lib/issuer-url.js';
import { PersonServer, type InteractionRoute, type PersonServerContext } from '../person-server/person-server.js';
import { expiresInMember, stringMember } from '../person-server/ps-response.js';

/**
 * A sub-agent's way to its parent (§Parent-Mediated Authorization: "A sub-agent MUST NOT call the
 * PS directly"): the parent obtains the person token and the auth token and hands them over out of
 * band (IPC, a queue, a function call). The parent side is `AAuthClient.subAgentPersonToken` /
 * `subAgentAuthToken`.
 */
export interface ParentMediator {
  /** A person token for `resource` whose `cnf` is this sub-agent's key. */
  personToken(resource: string): Promise<string>;
  /** The auth token for the resource token this sub-agent received. */
  authToken(resourceToken: string): Promise<string>;
}

/** A mission proposal (§Mission Creation). */
export interface MissionProposal {
  /** Markdown: what the agent intends to accomplish. */
  readonly description: string;
  readonly tools?: readonly { readonly name: string; readonly description: string }[];
  /** Resources (server identifiers) the agent expects to access; the PS may return a person token for each. */
  readonly resources?: readonly string[];
}

/** An approved mission (§Mission Approval), its `s256` checked against the blob. */
export interface Mission {
  readonly s256: string;
  /** The blob as the PS returned it (base64url). */
  readonly mission: string;
  readonly blob: MissionBlob;
  readonly capabilities: readonly string[];
  /** Resources the approval carried a person token for. */
  readonly resources: readonly string[];
}

/** The Person Server context (who signs, how to send and wait) plus what the authorizer keeps and sends. */
export interface CurrentAuthorizerOptions extends PersonServerContext {
  readonly now: () => number;
  readonly authCache: TokenCache;
  /** The agent's person server; default the agent token's `ps`. */
  readonly personServer: string | undefined;
  /** Call chaining: the only Person Servers an upstream token may send this agent to; undefined: any issuer URL. */
  readonly trustedPersonServers: readonly string[] | undefined;
  readonly parent: ParentMediator | undefined;
  readonly verifyAuthTokens: boolean;
  /** Token request members (§Agent Token Request). */
  readonly justification: string | undefined;
  readonly loginHint: string | undefined;
  readonly tenant: string | undefined;
  readonly domainHint: string | undefined;
}

export interface AuthTokenRequest {
  readonly resource: string;
  readonly resourceToken: string;
  /** The token the challenged request carried (a person token tells the expected `sub`). */
  readonly sentToken?: string | undefined;
  readonly mission?: string | undefined;
  readonly upstreamToken?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Where a PS interaction for this request goes (interaction chaining); default the client's. */
  readonly interaction?: InteractionRoute | undefined;
}

const P = AAUTH_CURRENT.personTokenRequest;
const T = AAUTH_CURRENT.tokenRequest;
const C = AAUTH_CURRENT.claims;

function refused(message: string, field: string, expected?: unknown, actual?: unknown): TokenError {
  return new TokenError('invalid_resource_token', message, { field, reason: 'mismatch', ...(expected === undefined ? {} : { expected }), ...(actual === undefined ? {} : { actual }) });
}

export class CurrentAuthorizer {
  readonly #o: CurrentAuthorizerOptions;
  readonly #persons = new PersonTokenCache();
  readonly #servers = new Map<string, PersonServer>();

  constructor(options: CurrentAuthorizerOptions) {
    this.#o = options;
  }

  /** The agent token this client presents (its claims tell `sub`, `ps`, `parent_agent`). */
  async #agentClaims(): Promise<Record<string, unknown>> {
    const identity = await this.#o.signer.identity();
    if (identity.scheme !== 'jwt') throw new TypeError('the current profile signs with scheme=jwt and an agent token only (§Keying Material)');
    return peekClaims(identity.jwt, 'invalid_agent_token');
  }

  /** The person server: configured, else the agent token's `ps` (§Agent Token Structure). */
  async personServer(): Promise<PersonServer> {
    const issuer = this.#o.personServer ?? (await this.#agentClaims())[C.ps];
    if (!isIssuerUrl(issuer, this.#o.identifiers)) {
      throw new MalformedError('invalid_request', 'this agent has no person server (neither configured nor named by its agent token\'s "ps"), so it cannot meet a person-token or auth-token requirement', undefined, { field: C.ps, reason: 'missing' });
    }
    return this.#server(issuer);
  }

  /**
   * §Call Chaining: "It routes the downstream token request to the person server named by the
   * `ps` claim of the upstream auth token it received. The `ps` claim in the calling agent's own
   * agent token is NOT used for this routing". Without an upstream token, our own PS.
   */
  async personServerFor(upstreamToken: string | undefined): Promise<PersonServer> {
    if (upstreamToken === undefined) return this.personServer();
    const ps = peekClaims(upstreamToken, 'invalid_auth_token')[C.ps];
    if (!isIssuerUrl(ps, this.#o.identifiers)) {
      throw new TokenError('invalid_auth_token', `the upstream auth token's "ps" ${JSON.stringify(ps)} is not a person server issuer URL, so a chained request has nowhere to go`, { field: C.ps, reason: 'missing', actual: ps });
    }
    const trusted = this.#o.trustedPersonServers;
    if (trusted !== undefined && !trusted.includes(ps)) {
      throw new TokenError('invalid_auth_token', `the upstream auth token names person server ${ps}, which this agent does not trust; its token is sent nowhere`, { field: C.ps, reason: 'untrusted_person_server', actual: ps });
    }
    return this.#server(ps);
  }

  #server(issuer: string): PersonServer {
    let server = this.#servers.get(issuer);
    if (server === undefined) {
      server = new PersonServer(issuer, { ...this.#o, identifiers: trusting(this.#o.identifiers, issuer) });
      this.#servers.set(issuer, server);
    }
    return server;
  }

  /** A valid held person token for (resource, mission), if any. */
  heldPersonToken(resource: string, mission: string | undefined, upstreamToken?: string): string | undefined {
    return this.#persons.get(personTokenKey(resource, mission, upstreamHash(upstreamToken)), this.#o.now())?.personToken;
  }

  /**
   * A person token for `resource` (§Person Token Endpoint), held until it expires. `sentToken`:
   * the person token the refused request carried, which is dropped and not reused.
   * `upstreamToken` (call chaining): the token is for the person that token was issued for, from
   * the PS that token names.
   */
  async personToken(resource: string, mission: string | undefined, upstreamToken: string | undefined, sentToken: string | undefined, signal: AbortSignal | undefined, interaction?: InteractionRoute): Promise<string> {
    const key = personTokenKey(resource, mission, upstreamHash(upstreamToken));
    if (sentToken !== undefined) this.#persons.drop(key, sentToken);
    const held = this.#persons.get(key, this.#o.now());
    if (held !== undefined) return held.personToken;
    const entry = await raceSignal(this.#persons.singleFlight(key, async () => {
      if (this.#o.parent !== undefined) return this.#remember(key, await this.#o.parent.personToken(resource), resource, mission, this.#o.signer.key.publicJwk, await this.personServer());
      const ps = await this.personServerFor(upstreamToken);
      const token = await this.#requestPersonToken(ps, resource, mission, undefined, upstreamToken, signal, interaction);
      return this.#remember(key, token, resource, mission, this.#o.signer.key.publicJwk, ps);
    }), signal);
    return (entry as CachedPersonToken).personToken;
  }

  /** §Sub-Agents step 1: a person token for one of our sub-agents; its `cnf` is the sub-agent's key. */
  async subAgentPersonToken(resource: string, subagentToken: string, mission: string | undefined, signal: AbortSignal | undefined): Promise<string> {
    const sub = this.#checkSubAgent(subagentToken);
    const ps = await this.personServer();
    const token = await this.#requestPersonToken(ps, resource, mission, subagentToken, undefined, signal);
    await this.#checkPersonToken(token, resource, mission, sub.cnf, ps);
    return token;
  }

  async #requestPersonToken(ps: PersonServer, resource: string, mission: string | undefined, subagentToken: string | undefined, upstreamToken: string | undefined, signal: AbortSignal | undefined, interaction?: InteractionRoute): Promise<string> {
    const body: Record<string, string> = { [P.resource]: resource };
    if (mission !== undefined) body[P.missionS256] = mission;
    if (subagentToken !== undefined) body[P.subagentToken] = subagentToken;
    if (upstreamToken !== undefined) body[P.upstreamToken] = upstreamToken;
    const answer = await ps.post(await ps.endpoint('person_token_endpoint'), body, signal, interaction);
    const token = stringMember(answer, AAUTH_CURRENT.personTokenResponse.personToken);
    expiresInMember(answer, AAUTH_CURRENT.personTokenResponse.expiresIn);
    emit(this.#o.onEvent, { type: 'person-token.issued', personServer: ps.issuer, resource, personToken: token, ...(mission === undefined ? {} : { mission }) });
    return token;
  }

  /**
   * What we hold a person token for must be one: `aa-person+jwt` from our PS, `aud` the resource,
   * `cnf` the key that will sign, `mission_s256` the mission asked for. A token for another
   * resource is refused here, before it is shown to anyone. `ps`: the PS asked (ours, or in call
   * chaining the upstream token's).
   */
  async #checkPersonToken(token: string, resource: string, mission: string | undefined, cnf: PublicJwk, ps: PersonServer): Promise<{ sub: string; exp: number }> {
    const claims = await verifyAaPersonToken(token, { keys: this.#o.keys, audience: resource, requestKey: cnf, identifiers: ps.identifiers, now: this.#o.now() });
    if (claims.iss !== ps.issuer) throw new TokenError('invalid_person_token', `the person token was issued by ${claims.iss}, not by this agent's person server ${ps.issuer}`, { field: C.iss, reason: 'mismatch', expected: ps.issuer, actual: claims.iss });
    if (mission !== undefined && claims.mission_s256 !== mission) {
      throw new TokenError('invalid_person_token', `the person token carries mission ${String(claims.mission_s256)}, not ${mission}`, { field: C.missionS256, reason: 'mismatch', expected: mission, actual: claims.mission_s256 });
    }
    return { sub: claims.sub, exp: claims.exp };
  }

  async #remember(key: string, token: string, resource: string, mission: string | undefined, cnf: PublicJwk, ps: PersonServer): Promise<CachedPersonToken> {
    const { sub, exp } = await this.#checkPersonToken(token, resource, mission, cnf, ps);
    const entry = { personToken: token, expiresAt: exp, sub };
    this.#persons.set(key, entry);
    return entry;
  }

  /** The auth token held for (resource, upstream), if still valid; expired ones are dropped (no refresh in this profile). */
  heldAuthToken(resource: string, upstreamToken: string | undefined): string | undefined {
    const found = this.#o.authCache.forResource(resource, upstreamHash(upstreamToken));
    if (found === undefined) return undefined;
    if (this.#o.now() < found.entry.expiresAt) return found.entry.authToken;
    this.#o.authCache.delete(found.key);
    return undefined;
  }

  /** `requirement=auth-token`: verify the resource token, exchange it at our PS (or through our parent), verify and cache the auth token. */
  async authToken(request: AuthTokenRequest): Promise<string> {
    const server = this.#o.parent === undefined ? await this.personServerFor(request.upstreamToken) : await this.personServer();
    // A sub-agent's resource token names the PS its parent uses; the parent checks it (§Sub-Agents).
    const ps = this.#o.parent === undefined ? server.issuer : undefined;
    const presented = this.#presentedSub(request);
    const claims = await this.#verifyResourceToken(request.resourceToken, request.resource, this.#o.signer.thumbprint, ps, presented, server.identifiers);
    const hash = upstreamHash(request.upstreamToken);
    const key = tokenKey({ authServer: claims.aud, resource: request.resource, scope: claims.scope, upstreamHash: hash });
    const { authCache } = this.#o;
    const held = authCache.get(key);
    if (held !== undefined && held.authToken === request.sentToken) authCache.delete(key);
    else if (held !== undefined && this.#o.now() < held.expiresAt && !authCache.inFlight(key)) return held.authToken;
    const entry = await raceSignal(authCache.singleFlight(key, async () => {
      const token = this.#o.parent !== undefined
        ? await this.#o.parent.authToken(request.resourceToken)
        : await this.#exchange(server, request.resourceToken, undefined, request.upstreamToken, request.signal, request.interaction);
      const verified = await this.#checkAuthToken(token, claims, request.resource, this.#o.signer.key.publicJwk, presented, server.identifiers);
      const now = this.#o.now();
      const cached: CachedToken = { authToken: token, issuedAt: now, expiresAt: verified.exp, authServer: claims.aud, resource: request.resource, scope: claims.scope, upstreamHash: hash };
      authCache.set(cached, now);
      return cached;
    }), request.signal);
    return (entry as CachedToken).authToken;
  }

  /**
   * §Sub-Agents steps 3–5, the parent's side: exchange a sub-agent's resource token at our PS with
   * `subagent_token`; the auth token is bound to the sub-agent's key. Not cached here: it is the
   * sub-agent's, handed over out of band.
   */
  async subAgentAuthToken(resourceToken: string, subagentToken: string, signal: AbortSignal | undefined): Promise<string> {
    const sub = this.#checkSubAgent(subagentToken);
    const peeked = peekClaims(resourceToken, 'invalid_resource_token');
    const resource = typeof peeked.iss === 'string' ? peeked.iss : '';
    const server = await this.personServer();
    const claims = await this.#verifyResourceToken(resourceToken, resource, jwkThumbprint(sub.cnf), server.issuer, undefined, server.identifiers);
    const token = await this.#exchange(server, resourceToken, subagentToken, undefined, signal);
    await this.#checkAuthToken(token, claims, resource, sub.cnf, undefined, server.identifiers);
    return token;
  }

  /** A sub-agent token of ours: `parent_agent` names this agent (§Parent-Mediated Authorization step 4), and it carries a key. */
  #checkSubAgent(subagentToken: string): { cnf: PublicJwk } {
    const claims = peekClaims(subagentToken, 'invalid_agent_token');
    const identity = this.#o.signer;
    const cnf = (claims[C.cnf] as { jwk?: PublicJwk } | undefined)?.jwk;
    if (typeof claims[C.parentAgent] !== 'string' || cnf === undefined) {
      throw new TokenError('invalid_agent_token', 'the sub-agent token has no "parent_agent" or no "cnf.jwk"', { field: C.parentAgent, reason: 'missing' });
    }
    if (identity.thumbprint === jwkThumbprint(cnf)) throw new TokenError('invalid_agent_token', 'the sub-agent token is bound to the parent\'s own key', { field: C.cnf, reason: 'mismatch' });
    return { cnf };
  }

  /** The `sub` of the person token the challenged request carried (or the one held for the resource). */
  #presentedSub(request: AuthTokenRequest): string | undefined {
    const held = this.#persons.get(personTokenKey(request.resource, request.mission, upstreamHash(request.upstreamToken)), this.#o.now());
    if (request.sentToken !== undefined) {
      const claims = peekClaims(request.sentToken, 'invalid_person_token');
      if (held?.personToken === request.sentToken && typeof claims.sub === 'string') return claims.sub;
    }
    return held?.sub;
  }

  /** §Resource Challenge Verification 2–6. */
  async #verifyResourceToken(token: string, resource: string, agentJkt: string, ps: string | undefined, sub: string | undefined, identifiers: IdentifierPolicy): Promise<AaResourceTokenClaims> {
    const claims = await verifyAaResourceToken(token, {
      keys: this.#o.keys,
      identifiers,
      issuer: resource,
      agentJkt,
      ...(ps === undefined ? {} : { ps }),
      ...(sub === undefined ? {} : { sub }),
      now: this.#o.now(),
    });
    if (!isServerIdentifier(claims.aud, identifiers)) throw refused(`the resource token "aud" ${JSON.stringify(claims.aud)} is not a server identifier`, C.aud, undefined, claims.aud);
    emit(this.#o.onEvent, { type: 'resource-token.verified', resource, resourceToken: token, claims });
    return claims;
  }

  async #exchange(ps: PersonServer, resourceToken: string, subagentToken: string | undefined, upstreamToken: string | undefined, signal: AbortSignal | undefined, interaction?: InteractionRoute): Promise<string> {
    const o = this.#o;
    const body: Record<string, string> = { [T.resourceToken]: resourceToken };
    if (subagentToken !== undefined) body[T.subagentToken] = subagentToken;
    if (upstreamToken !== undefined) body[T.upstreamToken] = upstreamToken;
    if (o.justification !== undefined) body[T.justification] = o.justification;
    if (o.loginHint !== undefined) body[T.loginHint] = o.loginHint;
    if (o.tenant !== undefined) body[T.tenant] = o.tenant;
    if (o.domainHint !== undefined) body[T.domainHint] = o.domainHint;
    const answer = await ps.post(await ps.endpoint('auth_token_endpoint'), body, signal, interaction);
    const token = stringMember(answer, AAUTH_CURRENT.tokenResponse.authToken);
    expiresInMember(answer, AAUTH_CURRENT.tokenResponse.expiresIn);
    return token;
  }

  /** §Auth Token Response Verification: signature, `iss` = the resource token's `aud`, `aud` = the resource, `cnf` = the key, `sub` = the person token's. */
  async #checkAuthToken(token: string, resourceClaims: AaResourceTokenClaims, resource: string, cnf: PublicJwk, sub: string | undefined, identifiers: IdentifierPolicy): Promise<{ exp: number }> {
    let claims: AaAuthTokenClaims;
    if (!this.#o.verifyAuthTokens) {
      claims = peekClaims(token, 'invalid_auth_token') as AaAuthTokenClaims;
    } else {
      claims = await verifyAaAuthToken(token, {
        keys: this.#o.keys,
        identifiers,
        audience: resource,
        requestKey: cnf,
        issuer: resourceClaims.aud,
        ...(sub === undefined ? {} : { sub }),
        now: this.#o.now(),
      });
    }
    emit(this.#o.onEvent, { type: 'auth-token.issued', authServer: claims.iss, resource, authToken: token, claims });
    return { exp: typeof claims.exp === 'number' ? claims.exp : this.#o.now() };
  }

  /**
   * §Mission Creation / §Mission Approval: propose, wait out the person's review, verify `s256`
   * against the decoded blob (and that the blob names this agent and our PS), and hold the
   * `person_tokens` the approval carries, each checked like any other person token.
   */
  async proposeMission(proposal: MissionProposal, signal: AbortSignal | undefined): Promise<Mission> {
    const ps = await this.personServer();
    const R = AAUTH_CURRENT.missionRequest;
    const body: Record<string, unknown> = { [R.description]: proposal.description };
    if (proposal.tools !== undefined) body[R.tools] = proposal.tools.map((t) => ({ [R.toolName]: t.name, [R.toolDescription]: t.description }));
    if (proposal.resources !== undefined) body[R.resources] = [...proposal.resources];
    const answer = await ps.post(await ps.endpoint('mission_endpoint'), body, signal);
    const M = AAUTH_CURRENT.missionResponse;
    const s256 = stringMember(answer, M.s256);
    const mission = stringMember(answer, M.mission);
    const decoded = verifyMission(mission, s256, ps.identifiers);
    const agent = (await this.#agentClaims())[C.sub];
    if (decoded.blob.agent !== agent) throw new MalformedError('invalid_request', `the approved mission is for ${decoded.blob.agent}, not this agent (${String(agent)})`, undefined, { field: 'agent', reason: 'mismatch', expected: agent, actual: decoded.blob.agent });
    if (decoded.blob.approver !== ps.issuer) throw new MalformedError('invalid_request', `the approved mission names approver ${decoded.blob.approver}, not ${ps.issuer}`, undefined, { field: 'approver', reason: 'mismatch' });
    const capabilities = Array.isArray(answer[M.capabilities]) ? (answer[M.capabilities] as unknown[]).filter((c): c is string => typeof c === 'string') : [];
    const resources: string[] = [];
    const tokens = answer[M.personTokens];
    if (tokens !== undefined) {
      if (typeof tokens !== 'object' || tokens === null || Array.isArray(tokens)) throw new MalformedError('server_error', `"${M.personTokens}" is not an object`, undefined, { field: M.personTokens });
      for (const [resource, token] of Object.entries(tokens as Record<string, unknown>)) {
        if (typeof token !== 'string') throw new MalformedError('server_error', `"${M.personTokens}" of ${resource} is not a string`, undefined, { field: M.personTokens });
        await this.#remember(personTokenKey(resource, s256), token, resource, s256, this.#o.signer.key.publicJwk, ps);
        resources.push(resource);
      }
    }
    emit(this.#o.onEvent, { type: 'mission.approved', s256, blob: decoded.blob, resources });
    return { s256, mission, blob: decoded.blob, capabilities, resources };
  }
}
