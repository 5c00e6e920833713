/**
 * An agent server (2026-03 §Agent Identity; wire notes §2.1, §5.1): the agent identifier (its URL),
 * a long-term signing key, the `aauth-agent.json` metadata and JWKS that publish it, and the
 * issuance of short-lived `agent+jwt` tokens to delegate keys.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  PROFILE, createAgentToken, generateSigningKey, isServerIdentifier, toJwks, wellKnownUrl,
  type AgentMetadata, type JwkSet, type PublicJwk, type SigningKey,
} from '@aauth-ts/core';
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
}

export interface IssueAgentTokenOptions {
  readonly lifetimeSeconds?: number;
  /** Servers this token may be shown to (2026-03 §Agent Tokens `aud`). */
  readonly aud?: string | readonly string[];
  readonly now?: number;
}

/** A request handler usable with `node:http` directly or as express middleware (`app.use(server.router())`). */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

export class AgentServer {
  readonly identifier: string;
  readonly jwksPath: string;
  readonly agentTokenLifetimeSeconds: number;
  readonly #extraMetadata: Partial<AgentMetadata>;
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
    this.#keys = options.keys && options.keys.length > 0 ? [...options.keys] : [generateSigningKey()];
  }

  /** The current signing key (first of `keys`). */
  get signingKey(): SigningKey {
    return this.#keys[0] as SigningKey;
  }

  get keys(): readonly SigningKey[] {
    return [...this.#keys];
  }

  /** `aauth-agent.json` (2026-03 §Agent Metadata). */
  metadata(): AgentMetadata {
    return { ...this.#extraMetadata, agent: this.identifier, jwks_uri: `${this.identifier}${this.jwksPath}` };
  }

  jwks(): JwkSet {
    return toJwks(this.#keys);
  }

  /**
   * Vouch for a delegate key: an `agent+jwt` with `iss` = this agent, `sub` = the delegate id
   * (stable across its key rotations) and `cnf.jwk` = the delegate's public key.
   */
  issueAgentToken(delegateJwk: PublicJwk, sub: string, options: IssueAgentTokenOptions = {}): Promise<string> {
    if (typeof sub !== 'string' || sub.length === 0) throw new TypeError('issueAgentToken: sub must be a non-empty string');
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
    const metadataPath = new URL(wellKnownUrl(this.identifier, PROFILE.wellKnown.agent)).pathname;
    return (req, res, next) => {
      const path = (req.url ?? '/').split('?')[0];
      // Also without `.json`: the Keycloak extension's earlier builds fetch `aauth-agent` (wire notes §10).
      const isMetadata = path === metadataPath || path === metadataPath.replace(/\.json$/, '');
      const body = req.method === 'GET' || req.method === 'HEAD'
        ? isMetadata ? this.metadata() : path === this.jwksPath ? this.jwks() : undefined
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
