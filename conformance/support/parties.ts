/**
 * The suite's own agents and resources: real HTTP servers on fixed loopback ports (the ports are
 * registered as clients in `conformance/realm.json`), built on @aauth-ts/core only. An agent
 * server publishes `aauth-agent.json` + JWKS and mints agent tokens for its delegate key; a
 * resource publishes `aauth-resource.json` + JWKS and mints resource tokens. A party may be both
 * (the call-chaining intermediary). An issuer party publishes `aauth-issuer.json` + JWKS and mints
 * auth tokens: another auth server the realm trusts (`aauth.trustedIssuers`), so cases can present
 * tokens with claims this realm's own server never issues (`may_act`).
 */
import { sign as cryptoSign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  PROFILE, createAgentToken, createAuthToken, createResourceToken, generateSigningKey, toJwks, type CreateAuthTokenInput, type SigningKey,
} from '@aauth-ts/core';

export interface PartyOptions {
  readonly port: number;
  readonly agent?: boolean;
  readonly resource?: boolean;
  /** Publish `aauth-issuer.json` with `issuer` = this party's identifier. */
  readonly issuer?: boolean;
  /** Leave the identifier member (`agent`) out of `aauth-agent.json`: metadata that names nobody. */
  readonly unnamedMetadata?: boolean;
}

export interface ResourceTokenRequest {
  /** The auth server the token is for (the suite's issuer unless a test says otherwise). */
  readonly aud: string;
  readonly agent: string;
  readonly agentJkt: string;
  readonly scope?: string;
  readonly txn?: string;
  readonly lifetimeSeconds?: number;
  readonly now?: number;
}

export class Party {
  /** Key of the agent server (signs agent tokens) and of the resource (signs resource tokens). */
  readonly serverKey: SigningKey = generateSigningKey('Ed25519', 'server-1');
  /** The delegate key that signs HTTP requests when this party acts as an agent. */
  readonly delegateKey: SigningKey = generateSigningKey('Ed25519', 'delegate-1');
  readonly #options: PartyOptions;
  /** Text documents served besides the JSON ones (an `x5u` PEM chain), by path. */
  readonly #texts = new Map<string, { readonly contentType: string; readonly body: string }>();
  #server: Server | undefined;
  #port: number;
  #served = 0;

  /** `port` 0 picks an ephemeral port; the identifier is then known after `start()`. */
  constructor(options: PartyOptions) {
    this.#options = options;
    this.#port = options.port;
  }

  get id(): string {
    if (this.#port === 0) throw new TypeError('Party: the identifier of an ephemeral-port party is known after start()');
    return `http://127.0.0.1:${this.#port}`;
  }

  get jwksUri(): string {
    return `${this.id}/jwks.json`;
  }

  /** Documents served, by path. */
  #documents(): Map<string, unknown> {
    const docs = new Map<string, unknown>();
    // The delegate key is published too, for the `jwks_uri` Signature-Key scheme.
    docs.set('/jwks.json', toJwks([this.serverKey, this.delegateKey]));
    if (this.#options.agent) {
      const named = this.#options.unnamedMetadata ? {} : { agent: this.id };
      docs.set(`/.well-known/${PROFILE.wellKnown.agent}`, { ...named, jwks_uri: this.jwksUri, client_name: `conformance agent ${this.id}` });
    }
    if (this.#options.resource) docs.set(`/.well-known/${PROFILE.wellKnown.resource}`, { resource: this.id, jwks_uri: this.jwksUri, client_name: `conformance resource ${this.id}` });
    // Only the keys are used; the endpoints are named because the metadata requires them.
    if (this.#options.issuer) docs.set(`/.well-known/${PROFILE.wellKnown.issuer}`, { issuer: this.id, token_endpoint: `${this.id}/token`, interaction_endpoint: `${this.id}/interact`, jwks_uri: this.jwksUri });
    return docs;
  }

  /** Serve `body` at `path` (GET) with `contentType`, e.g. a PEM certificate chain for `x5u`. */
  serveText(path: string, contentType: string, body: string): void {
    this.#texts.set(path, { contentType, body });
  }

  /** Requests answered so far (how often a verifier fetched this party's documents). */
  get served(): number {
    return this.#served;
  }

  start(): Promise<void> {
    let docs: Map<string, unknown> | undefined;
    const server = createServer((req, res) => {
      this.#served++;
      docs ??= this.#documents();
      const path = (req.url ?? '/').split('?')[0] as string;
      const text = req.method === 'GET' ? this.#texts.get(path) : undefined;
      if (text !== undefined) {
        res.setHeader('Content-Type', text.contentType);
        res.end(text.body);
        return;
      }
      const doc = req.method === 'GET' ? docs.get(path) : undefined;
      res.setHeader('Content-Type', 'application/json');
      if (doc === undefined) {
        res.statusCode = 404;
        res.end('{"error":"invalid_request","error_description":"not found"}');
        return;
      }
      res.end(JSON.stringify(doc));
    });
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.port, '127.0.0.1', () => {
        this.#port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** An agent token for this party's delegate key (or another key, to forge a binding). */
  agentToken(options: { key?: SigningKey; aud?: string; lifetimeSeconds?: number; now?: number } = {}): Promise<string> {
    return createAgentToken(this.serverKey, {
      iss: this.id,
      sub: `${this.id}#delegate`,
      cnfJwk: (options.key ?? this.delegateKey).publicJwk,
      ...(options.aud === undefined ? {} : { aud: options.aud }),
      ...(options.lifetimeSeconds === undefined ? {} : { lifetimeSeconds: options.lifetimeSeconds }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  }

  /** A resource token signed by this party as a resource. */
  resourceToken(request: ResourceTokenRequest): Promise<string> {
    return createResourceToken(this.serverKey, { iss: this.id, ...request });
  }

  /** An auth token signed by this party as an auth server (`iss` = this party's identifier). */
  authToken(input: Omit<CreateAuthTokenInput, 'iss' | 'lifetimeSeconds'> & { lifetimeSeconds?: number }): Promise<string> {
    return createAuthToken(this.serverKey, { lifetimeSeconds: 300, ...input, iss: this.id });
  }

  /**
   * An auth token with exactly `claims` (plus `iss`), as another implementation might issue it:
   * `createAuthToken` never writes `act`, which a peer's tokens may carry (2026-03 §Auth Token Structure).
   */
  authTokenWithClaims(claims: Readonly<Record<string, unknown>>): string {
    const segment = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${segment({ alg: this.serverKey.jwsAlgorithm, typ: PROFILE.typ.auth, kid: this.serverKey.kid })}.${segment({ ...claims, iss: this.id })}`;
    return `${input}.${cryptoSign(null, Buffer.from(input), this.serverKey.privateKey).toString('base64url')}`;
  }
}
