/**
 * A delegate of an agent (2026-03 §Agent Identity): its own signing key, the agent token that
 * vouches for that key, and renewal of the token shortly before it expires. Concurrent callers
 * share one renewal.
 *
 * The session also knows how it identifies itself on a request without an auth token
 * (`Signature-Key` scheme, wire notes §1.3): `jwt` with the agent token (default), `jwks_uri`
 * (an agent server signing with its own published key), or `hwk` (pseudonymous).
 */
import {
  PROFILE, TokenError, generateSigningKey, jwkThumbprint, peekClaims,
  type PublicJwk, type SignatureKeyInput, type SigningKey,
} from '@aauth-ts/core';
import type { AgentServer } from './agent-server.js';

/** Asks the agent server for a fresh agent token for this public key (an HTTP call, say). */
export type AgentTokenProvider = (delegateJwk: PublicJwk) => Promise<string>;

export type IdentityScheme = 'jwt' | 'jwks_uri' | 'hwk';

export interface AgentSessionOptions {
  /** The agent identifier (agent server URL, the agent token's `iss`). */
  readonly agentId: string;
  /** The delegate's key; generated (Ed25519) if omitted. */
  readonly key?: SigningKey;
  /** Where agent tokens come from. Required for the `jwt` scheme. */
  readonly agentToken?: AgentTokenProvider;
  /** Default `jwt`. */
  readonly scheme?: IdentityScheme;
  /** Renew the agent token this many seconds before `exp` (default: 60, or half the lifetime if shorter). */
  readonly renewBeforeSeconds?: number;
  /** Clock, seconds since the epoch (injectable for tests). */
  readonly now?: () => number;
}

/** A delegate of an in-process agent server (`AgentSession.delegateOf`). */
export interface DelegateOptions {
  /** 2026-03: the delegate id; current profile: the agent identifier `aauth:local@domain` (`server.agentIdentifier(local)`). */
  readonly sub: string;
  readonly key?: SigningKey;
  readonly renewBeforeSeconds?: number;
  readonly lifetimeSeconds?: number;
  readonly now?: () => number;
  /** Current profile: the person server named in the agent token (`ps`). */
  readonly ps?: string;
  /** Current profile: the parent agent, making this delegate a sub-agent (§Sub-Agents). */
  readonly parentAgent?: string;
}

/** What signs the agent's requests: a key and how the verifier learns who holds it. */
export interface RequestSigner {
  readonly agentId: string;
  readonly key: SigningKey;
  /** RFC 7638 thumbprint of `key` (what resource tokens carry as `agent_jkt`). */
  readonly thumbprint: string;
  /** The `Signature-Key` member for a request that carries no auth token. */
  identity(): Promise<SignatureKeyInput>;
}

interface HeldToken { readonly token: string; readonly exp: number; readonly iat: number }

export class AgentSession implements RequestSigner {
  readonly agentId: string;
  readonly key: SigningKey;
  readonly thumbprint: string;
  readonly scheme: IdentityScheme;
  readonly #provider: AgentTokenProvider | undefined;
  readonly #renewBefore: number | undefined;
  readonly #now: () => number;
  #held: HeldToken | undefined;
  #renewing: Promise<HeldToken> | undefined;

  constructor(options: AgentSessionOptions) {
    this.agentId = options.agentId;
    this.key = options.key ?? generateSigningKey();
    this.thumbprint = jwkThumbprint(this.key.publicJwk);
    this.scheme = options.scheme ?? 'jwt';
    this.#provider = options.agentToken;
    this.#renewBefore = options.renewBeforeSeconds;
    this.#now = options.now ?? ((): number => Math.floor(Date.now() / 1000));
    if (this.scheme === 'jwt' && !this.#provider) throw new TypeError('AgentSession: the jwt scheme needs an agentToken provider');
  }

  /** A delegate of an in-process agent server: its tokens come straight from `server.issueAgentToken`. */
  static delegateOf(server: AgentServer, options: DelegateOptions): AgentSession {
    const issue = {
      ...(options.lifetimeSeconds === undefined ? {} : { lifetimeSeconds: options.lifetimeSeconds }),
      ...(options.ps === undefined ? {} : { ps: options.ps }),
      ...(options.parentAgent === undefined ? {} : { parentAgent: options.parentAgent }),
    };
    return new AgentSession({
      agentId: server.identifier,
      ...(options.key === undefined ? {} : { key: options.key }),
      agentToken: (jwk) => server.issueAgentToken(jwk, options.sub, issue),
      ...(options.renewBeforeSeconds === undefined ? {} : { renewBeforeSeconds: options.renewBeforeSeconds }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  }

  /**
   * The agent server itself as the signer (`Signature-Key: sig=jwks_uri;id=…;kid=…`), e.g. a
   * resource that calls another resource and publishes `aauth-agent.json` at its own identifier.
   */
  static asAgentServer(server: AgentServer): AgentSession {
    return new AgentSession({ agentId: server.identifier, key: server.signingKey, scheme: 'jwks_uri' });
  }

  async identity(): Promise<SignatureKeyInput> {
    switch (this.scheme) {
      case 'hwk': return { scheme: 'hwk' };
      case 'jwks_uri': return { scheme: 'jwks_uri', id: this.agentId, kid: this.key.kid, wellKnown: PROFILE.wellKnown.agent };
      case 'jwt': return { scheme: 'jwt', jwt: await this.agentToken() };
    }
  }

  /** The current agent token, renewed first when it is within the renewal margin of `exp`. */
  async agentToken(): Promise<string> {
    const held = this.#held;
    if (held && this.#now() < held.exp - this.#margin(held)) return held.token;
    this.#renewing ??= this.#renew().finally(() => {
      this.#renewing = undefined;
    });
    return (await this.#renewing).token;
  }

  #margin(held: HeldToken): number {
    return this.#renewBefore ?? Math.min(60, Math.floor((held.exp - held.iat) / 2));
  }

  async #renew(): Promise<HeldToken> {
    if (!this.#provider) throw new TypeError('AgentSession: no agentToken provider');
    const token = await this.#provider(this.key.publicJwk);
    const claims = peekClaims(token, 'invalid_agent_token');
    const cnf = (claims.cnf as { jwk?: PublicJwk } | undefined)?.jwk;
    // The token must vouch for *this* key, or every request signed with it would be refused.
    if (!cnf || jwkThumbprint(cnf) !== this.thumbprint) {
      throw new TokenError('invalid_agent_token', 'the agent token provider returned a token for another key ("cnf.jwk")', { field: 'cnf', reason: 'mismatch' });
    }
    if (claims.iss !== this.agentId) {
      throw new TokenError('invalid_agent_token', `the agent token "iss" ${JSON.stringify(claims.iss)} is not this agent (${this.agentId})`, { field: 'iss', reason: 'mismatch' });
    }
    const exp = typeof claims.exp === 'number' ? claims.exp : 0;
    const iat = typeof claims.iat === 'number' ? claims.iat : this.#now();
    this.#held = { token, exp, iat };
    return this.#held;
  }
}
