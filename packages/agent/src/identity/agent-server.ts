/**
 * An agent server (2026-03 §Agent Identity; wire notes §2.1, §5.1): the agent identifier (its URL),
 * a long-term signing key, the `aauth-agent.json` metadata and JWKS that publish it, and the
 * issuance of short-lived `agent+jwt` tokens to delegate keys.
 *
 * In the current profile (`profile: 'aauth-current'`) it is the agent provider of
 * draft-hardt-oauth-aauth-protocol §Agent Identity: it issues `aa-agent+jwt` tokens whose `sub` is
 * an agent identifier `aauth:local@domain` (domain = this provider's host), with `dwk`, `cnf.jwk`
 * (fully specified `alg`), the agent's person server as `ps` and, for a sub-agent, `parent_agent`;
 * and it serves `aauth-agent.json` in the §Agent Provider Metadata shape (`issuer`, `jwks_uri`),
 * with every published key carrying its fully specified `alg` (§JWKS Discovery and Caching).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  AAUTH_CURRENT, PROFILE, createAaAgentToken, createAgentToken, formatAgentIdentifier, generateSigningKey, isAgentIdentifier,
  isServerIdentifier, parseAgentIdentifier, toJwks, wellKnownUrl,
  type AgentMetadata, type CurrentAgentMetadata, type JwkSet, type ProfileName, type PublicJwk, type SigningKey,
} from '@aauth-ts/core';
import { isIssuerUrl } from '../lib/issuer-url.js';
import { JSON_MEDIA_TYPE } from '../lib/media-type.js';

export interface AgentServerOptions {
  /** The agent identifier: `https://host` (or, in development, `http://127.0.0.1:port` / `http://x.localhost:port`). */
  readonly identifier: string;
  /** Signing keys, current first; older keys stay published so tokens they signed still verify. Generated if omitted. */
  readonly keys?: readonly SigningKey[];
  /** Optional metadata members (`client_name`, `logo_uri`, `callback_endpoint`, …). */
  readonly metadata?: Partial<Omit<AgentMetadata, 'agent' | 'jwks_uri'>>;
  /** Where the JWKS is served, relative to the identifier. Default `/.well-known/jwks.json`. */
  readonly jwksPath?: string;
  /** Lifetime of issued agent tokens, seconds. Default 3600 ("short-lived"; the delegate renews before expiry). */
  readonly agentTokenLifetimeSeconds?: number;
  /** Development only: accept `http` loopback identifiers with a port. Never a default. */
  readonly development?: boolean;
  /** Wire profile. Default `aauth-2026-03`; `aauth-current` issues `aa-agent+jwt` tokens and the current metadata shape. */
  readonly profile?: ProfileName;
  /** Current profile: the person server named in issued agent tokens (`ps`), unless a token names its own. */
  readonly personServer?: string;
  /** Current profile: optional `aauth-agent.json` members (`name`, `description`, `callback_endpoint`, …). */
  readonly providerMetadata?: Partial<Omit<CurrentAgentMetadata, 'issuer' | 'jwks_uri'>>;
}

export interface IssueAgentTokenOptions {
  readonly lifetimeSeconds?: number;
  /** Servers this token may be shown to (2026-03 §Agent Tokens `aud`). */
  readonly aud?: string | readonly string[];
  readonly now?: number;
  /** Current profile: this agent's person server (`ps`, §Agent Token Structure); default the server's `personServer`. */
  readonly ps?: string;
  /** Current profile: the parent agent's identifier, making this a sub-agent's token (§Sub-Agents). */
  readonly parentAgent?: string;
}

/** A request handler usable with `node:http` directly or as express middleware (`app.use(server.router())`). */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

export class AgentServer {
  readonly identifier: string;
  readonly jwksPath: string;
  readonly agentTokenLifetimeSeconds: number;
  readonly profile: ProfileName;
  readonly personServer: string | undefined;
  readonly #development: boolean;
  readonly #extraMetadata: Partial<AgentMetadata>;
  readonly #providerMetadata: Partial<CurrentAgentMetadata>;
  #keys: SigningKey[];

  constructor(options: AgentServerOptions) {
    if (!isServerIdentifier(options.identifier, { allowLoopbackHttp: options.development === true })) {
      throw new TypeError(`AgentServer: ${JSON.stringify(options.identifier)} is not a server identifier (https, lowercase, scheme and host only${options.development ? '; or http loopback with a port' : '; loopback http needs development: true'})`);
    }
    const jwksPath = options.jwksPath ?? `/.well-known/jwks.json`;
    if (!jwksPath.startsWith('/')) throw new TypeError('AgentServer: jwksPath must start with "/"');
    this.identifier = options.identifier;
    this.jwksPath = jwksPath;
    this.agentTokenLifetimeSeconds = options.agentTokenLifetimeSeconds ?? 3600;
    this.#extraMetadata = { ...options.metadata };
    this.#providerMetadata = { ...options.providerMetadata };
    this.profile = options.profile ?? PROFILE.name;
    this.#development = options.development === true;
    if (options.personServer !== undefined && !isIssuerUrl(options.personServer, { allowLoopbackHttp: this.#development })) {
      throw new TypeError(`AgentServer: personServer ${JSON.stringify(options.personServer)} is not an https issuer URL`);
    }
    this.personServer = options.personServer;
    this.#keys = options.keys && options.keys.length > 0 ? [...options.keys] : [generateSigningKey()];
  }

  /** The current signing key (first of `keys`). */
  get signingKey(): SigningKey {
    return this.#keys[0] as SigningKey;
  }

  get keys(): readonly SigningKey[] {
    return [...this.#keys];
  }

  get #current(): boolean {
    return this.profile === AAUTH_CURRENT.name;
  }

  /** `aauth-agent.json` (2026-03 §Agent Metadata). */
  metadata(): AgentMetadata {
    return { ...this.#extraMetadata, agent: this.identifier, jwks_uri: `${this.identifier}${this.jwksPath}` };
  }

  /** `aauth-agent.json` in the current profile (§Agent Provider Metadata): `issuer` is this provider's URL. */
  providerMetadata(): CurrentAgentMetadata {
    return { ...this.#providerMetadata, issuer: this.identifier, jwks_uri: `${this.identifier}${this.jwksPath}` };
  }

  /** The JWKS; in the current profile each key carries its fully specified `alg` (`Ed25519`, not `EdDSA`). */
  jwks(): JwkSet {
    return toJwks(this.#keys, this.profile);
  }

  /** Current profile: the agent identifier `aauth:{local}@{this provider's host}` (§Agent Identifiers). */
  agentIdentifier(local: string): string {
    return formatAgentIdentifier(local, new URL(this.identifier).host, { allowLoopbackHttp: this.#development });
  }

  /**
   * Vouch for a delegate key: an `agent+jwt` with `iss` = this agent, `sub` = the delegate id
   * (stable across its key rotations) and `cnf.jwk` = the delegate's public key.
   */
  issueAgentToken(delegateJwk: PublicJwk, sub: string, options: IssueAgentTokenOptions = {}): Promise<string> {
    if (typeof sub !== 'string' || sub.length === 0) throw new TypeError('issueAgentToken: sub must be a non-empty string');
    if (this.#current) return this.#issueAaAgentToken(delegateJwk, sub, options);
    return createAgentToken(this.signingKey, {
      iss: this.identifier,
      sub,
      cnfJwk: delegateJwk,
      lifetimeSeconds: options.lifetimeSeconds ?? this.agentTokenLifetimeSeconds,
      ...(options.aud === undefined ? {} : { aud: options.aud }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  }

  /**
   * §Agent Token Structure: `sub` is an agent identifier of this provider's domain; a sub-agent's
   * parent must be one of ours and a top-level agent (§Single-Level Depth: "An agent provider MUST
   * NOT issue a sub-agent token whose parent is itself a sub-agent").
   */
  #issueAaAgentToken(delegateJwk: PublicJwk, sub: string, options: IssueAgentTokenOptions): Promise<string> {
    const policy = { allowLoopbackHttp: this.#development };
    const host = new URL(this.identifier).host;
    if (!isAgentIdentifier(sub, policy) || parseAgentIdentifier(sub, policy).domain !== host) {
      throw new TypeError(`issueAgentToken: sub ${JSON.stringify(sub)} is not an agent identifier of ${host} (aauth:local@${host})`);
    }
    if (options.parentAgent !== undefined) {
      const parent = parseAgentIdentifier(options.parentAgent, policy);
      if (parent.domain !== host || parent.parentLocal !== undefined) throw new TypeError(`issueAgentToken: parent ${options.parentAgent} is not a top-level agent of ${host}`);
    }
    const ps = options.ps ?? this.personServer;
    return createAaAgentToken(this.signingKey, {
      iss: this.identifier,
      sub,
      cnfJwk: delegateJwk,
      lifetimeSeconds: options.lifetimeSeconds ?? this.agentTokenLifetimeSeconds,
      ...(ps === undefined ? {} : { ps }),
      ...(options.parentAgent === undefined ? {} : { parentAgent: options.parentAgent }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  }

  /**
   * Start signing with a new key. The previous keys stay in the JWKS (for tokens they signed)
   * unless `retain` is false; call `retire(kid)` once those tokens have expired.
   */
  rotateKey(next: SigningKey = generateSigningKey(), { retain = true }: { retain?: boolean } = {}): SigningKey {
    this.#keys = retain ? [next, ...this.#keys] : [next];
    return next;
  }

  retire(kid: string): void {
    if (this.#keys.length <= 1) throw new TypeError('AgentServer.retire: cannot retire the only key');
    this.#keys = this.#keys.filter((k, i) => i === 0 || k.kid !== kid);
  }

  /**
   * Serves `/.well-known/aauth-agent.json` and the JWKS path; anything else goes to `next`
   * (express) or gets a 404 (plain `node:http`).
   */
  router(): NodeHandler {
    const metadataPath = new URL(wellKnownUrl(this.identifier, this.#current ? AAUTH_CURRENT.wellKnown.agent : PROFILE.wellKnown.agent)).pathname;
    return (req, res, next) => {
      const path = (req.url ?? '/').split('?')[0];
      // Also without `.json`: the Keycloak extension's earlier builds fetch `aauth-agent` (wire notes §10).
      const isMetadata = path === metadataPath || path === metadataPath.replace(/\.json$/, '');
      const body = req.method === 'GET' || req.method === 'HEAD'
        ? isMetadata ? (this.#current ? this.providerMetadata() : this.metadata()) : path === this.jwksPath ? this.jwks() : undefined
        : undefined;
      if (body === undefined) {
        if (next) {
          next();
          return;
        }
        res.writeHead(404, { [PROFILE.headers.contentType]: JSON_MEDIA_TYPE });
        res.end(JSON.stringify({ error: 'invalid_request', error_description: `no such document: ${path}` }));
        return;
      }
      res.writeHead(200, { [PROFILE.headers.contentType]: JSON_MEDIA_TYPE, [PROFILE.headers.cacheControl]: 'max-age=300' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
    };
  }
}
