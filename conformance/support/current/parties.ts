/**
 * The current profile's parties for the Person Server cases: an agent provider and resources,
 * real HTTP servers on fixed loopback ports registered in `conformance/realm-current.json`. Their
 * tokens are signed here by hand (compact JWS, `alg` `Ed25519`), not with the code under test, so a
 * case can state every claim — and leave one out or get one wrong — exactly as a peer might.
 *
 *  - `AgentProvider` publishes `/.well-known/aauth-agent.json` (`issuer`, `jwks_uri`) and mints
 *    `aa-agent+jwt` tokens (draft-hardt-oauth-aauth-protocol §Agent Token Structure) for agents
 *    `aauth:{local}@127.0.0.1`, each with its own Ed25519 key;
 *  - `Resource` publishes `/.well-known/aauth-resource.json` and mints `aa-resource+jwt` tokens
 *    (§Resource Token Structure).
 */
import { createPublicKey, generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importSigningKey, type PrivateJwk, type PublicJwk, type SigningKey } from '@aauth-ts/core';

/** An Ed25519 key as the current profile writes it: a JWK with `alg` `Ed25519` (RFC 9864). */
export interface Ed25519Key {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: PublicJwk;
  /** The same key for core's request signer. */
  readonly signing: SigningKey;
}

export function ed25519Key(kid: string): Ed25519Key {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' }) as PrivateJwk;
  const signing = importSigningKey({ ...jwk, kid, alg: 'Ed25519' });
  const pub = createPublicKey(privateKey).export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
  return { kid, privateKey, publicJwk: { kty: pub.kty, crv: pub.crv, x: pub.x, alg: 'Ed25519' }, signing };
}

/** A compact JWS over `claims`, header `{alg: "Ed25519", typ, kid}`. */
export function signJwt(key: Ed25519Key, typ: string, claims: Readonly<Record<string, unknown>>, header: Readonly<Record<string, unknown>> = {}): string {
  const segment = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${segment({ alg: 'Ed25519', typ, kid: key.kid, ...header })}.${segment(claims)}`;
  return `${input}.${sign(null, Buffer.from(input), key.privateKey).toString('base64url')}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A server publishing JSON documents at fixed paths on a loopback port (0 = ephemeral). */
abstract class DocumentServer {
  readonly serverKey: Ed25519Key = ed25519Key('server-1');
  #server: Server | undefined;
  #port: number;

  constructor(port: number) {
    this.#port = port;
  }

  get id(): string {
    if (this.#port === 0) throw new TypeError('the identifier of an ephemeral-port party is known after start()');
    return `http://127.0.0.1:${this.#port}`;
  }

  protected get jwks(): unknown {
    return { keys: [{ ...this.serverKey.publicJwk, kid: this.serverKey.kid, use: 'sig' }] };
  }

  /** The documents served, by path (built once the identifier is known). */
  protected abstract documents(): Map<string, unknown>;

  start(): Promise<void> {
    let docs: Map<string, unknown> | undefined;
    const server = createServer((req, res) => {
      docs ??= this.documents();
      const doc = req.method === 'GET' ? docs.get((req.url ?? '/').split('?')[0] as string) : undefined;
      res.setHeader('Content-Type', 'application/json');
      if (doc === undefined) {
        res.statusCode = 404;
        res.end('{"error":"invalid_request"}');
        return;
      }
      res.end(JSON.stringify(doc));
    });
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => {
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
}

export interface Agent {
  /** `aauth:{local}@127.0.0.1`. */
  readonly id: string;
  readonly key: Ed25519Key;
  /** Set on a sub-agent: its parent's identifier (`parent_agent`). */
  readonly parent: string | undefined;
}

export class AgentProvider extends DocumentServer {
  protected documents(): Map<string, unknown> {
    return new Map([
      ['/.well-known/aauth-agent.json', { issuer: this.id, jwks_uri: `${this.id}/jwks.json`, name: `conformance agent provider ${this.id}` }],
      ['/jwks.json', this.jwks],
    ]);
  }

  /** A fresh agent; its local part is random, so no earlier run has bound it to anyone. */
  agent(prefix = 'conf'): Agent {
    return { id: `aauth:${prefix}-${randomBytes(6).toString('hex')}@127.0.0.1`, key: ed25519Key('agent-1'), parent: undefined };
  }

  /** A sub-agent of `parent` (§Sub-Agent Identity: `{parent local}+{discriminator}`, `parent_agent`). */
  subAgent(parent: Agent, discriminator = 'worker'): Agent {
    const [local, domain] = parent.id.slice('aauth:'.length).split('@') as [string, string];
    return { id: `aauth:${local}+${discriminator}@${domain}`, key: ed25519Key('subagent-1'), parent: parent.id };
  }

  /** An `aa-agent+jwt` for `agent`; `claims` override or add (a value `undefined` removes a claim). */
  agentToken(agent: Agent, options: AgentTokenOptions = {}): string {
    return mintAgentToken(this.id, this.serverKey, agent, options);
  }
}

export interface AgentTokenOptions {
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly header?: Readonly<Record<string, unknown>>;
  readonly lifetimeSeconds?: number;
  readonly key?: Ed25519Key;
}

/** An `aa-agent+jwt` (§Agent Token Structure) issued by `iss` with `serverKey`. */
function mintAgentToken(iss: string, serverKey: Ed25519Key, agent: Agent, options: AgentTokenOptions): string {
  const iat = nowSeconds();
  const claims: Record<string, unknown> = {
    iss, dwk: 'aauth-agent.json', sub: agent.id, jti: randomUUID(), cnf: { jwk: agent.key.publicJwk }, iat, exp: iat + (options.lifetimeSeconds ?? 3600),
    ...(agent.parent === undefined ? {} : { parent_agent: agent.parent }),
    ...options.claims,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  return signJwt(options.key ?? serverKey, 'aa-agent+jwt', claims, options.header);
}

export interface ResourceTokenInput {
  readonly aud: string;
  readonly ps: string;
  readonly sub: string;
  readonly presentedJti: string;
  readonly agentJkt: string;
  readonly scope?: string;
  readonly missionS256?: string;
  readonly tenant?: string;
  readonly lifetimeSeconds?: number;
  /** Added or overriding claims (a value `undefined` removes a claim). */
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly typ?: string;
}

export class Resource extends DocumentServer {
  protected documents(): Map<string, unknown> {
    return new Map([
      ['/.well-known/aauth-resource.json', { issuer: this.id, jwks_uri: `${this.id}/jwks.json`, name: `conformance resource ${this.id}`, access_mode: 'auth-token' }],
      ['/jwks.json', this.jwks],
    ]);
  }

  /** An `aa-resource+jwt` as §Resource Token Structure lists it. */
  resourceToken(input: ResourceTokenInput): string {
    return mintResourceToken(this.id, this.serverKey, input);
  }
}

function mintResourceToken(iss: string, serverKey: Ed25519Key, input: ResourceTokenInput): string {
  const iat = nowSeconds();
  const claims: Record<string, unknown> = {
    iss, dwk: 'aauth-resource.json', aud: input.aud, jti: randomUUID(), ps: input.ps, sub: input.sub, presented_jti: input.presentedJti,
    agent_jkt: input.agentJkt, iat, exp: iat + (input.lifetimeSeconds ?? 300), scope: input.scope ?? '',
    ...(input.missionS256 === undefined ? {} : { mission_s256: input.missionS256 }),
    ...(input.tenant === undefined ? {} : { tenant: input.tenant }),
    ...input.claims,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  return signJwt(serverKey, input.typ ?? 'aa-resource+jwt', claims);
}

/**
 * A resource that acts as an agent to call a downstream resource (§Call Chaining): one origin is
 * both its resource identifier (the `aud` of the auth tokens its callers present) and its own agent
 * provider (the `iss` of its agent token, §Upstream Token Verification step 3), so it publishes
 * `aauth-resource.json` and `aauth-agent.json` with one key.
 */
export class Intermediary extends Resource {
  /** Its agent identity, `aauth:intermediary-{random}@127.0.0.1`, with its own signing key. */
  readonly agent: Agent = { id: `aauth:intermediary-${randomBytes(6).toString('hex')}@127.0.0.1`, key: ed25519Key('intermediary-1'), parent: undefined };

  protected override documents(): Map<string, unknown> {
    const docs = super.documents();
    docs.set('/.well-known/aauth-agent.json', { issuer: this.id, jwks_uri: `${this.id}/jwks.json`, name: `conformance intermediary ${this.id}` });
    return docs;
  }

  /** A sub-agent of its agent (`parent_agent`). */
  subAgent(): Agent {
    const [local, domain] = this.agent.id.slice('aauth:'.length).split('@') as [string, string];
    return { id: `aauth:${local}+worker@${domain}`, key: ed25519Key('subagent-1'), parent: this.agent.id };
  }

  /** An `aa-agent+jwt` for its agent (or `agent`), issued by itself as agent provider. */
  agentToken(agent: Agent = this.agent, options: AgentTokenOptions = {}): string {
    return mintAgentToken(this.id, this.serverKey, agent, options);
  }
}
