/**
 * `createAuthServer(options)`: the embedded AAuth auth server for one realm, configured from a
 * Keycloak realm file. `listen()` starts it on a port (0 = ephemeral) and fixes the issuer
 * `{origin}/realms/{realm}`; `close()` stops it.
 */
import { createServer, type Server } from 'node:http';
import type { KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { GuardedFetcher, KeyDiscovery, PROFILE, SharedCache, checkSharedCacheOptions, type SharedCacheOptions, allChainPolicies, realmChainPolicy, type ChainPolicy, consoleWarnLogger, isAAuthLogger, type AAuthLogger, type FetcherOptions, type IssuerKeySource, type KeyType, type PublicJwk, type SharedStore, type SigningKey, isSharedStore } from '@aauth-ts/core';
import type { Express } from 'express';
import { ENDPOINT_PATHS, type AuthServerContext } from './context.js';
import { BODY_LIMIT_BYTES, createApp, issuerOrigin } from './http/app.js';
import { LOG_COMPONENT } from './http/decision-route.js';
import { withDirectTokenRoute } from './http/direct-token-route.js';
import { handleTokenRequest } from './token/token-endpoint.js';
import { LoginThrottle } from './interaction/login-throttle.js';
import { VerifiedTokens } from './token/verified-tokens.js';
import { RealmKeys } from './keys/realm-keys.js';
import { longestRefreshHorizon } from './realm/agent-settings.js';
import { loadRealmFile, parseRealm } from './realm/parse-realm.js';
import type { RealmModel } from './realm/types.js';
import { currentTokens } from './person-server/current-tokens.js';
import { createPersonServerState, MAX_AUTH_TOKEN_LIFETIME } from './person-server/state.js';
import { JtiStore } from './stores/jti-store.js';
import { PendingStore } from './stores/pending-store.js';
import { SharedJtiStore } from './stores/shared-jti-store.js';
import { SharedPendingStore } from './stores/shared-pending-store.js';

export interface AuthServerOptions {
  /** A realm: a parsed model, a realm representation (JSON value), or the path of a realm file. */
  readonly realm: RealmModel | string | object;
  /**
   * Public origin (`http://localhost:8080`); the issuer is `{origin}/realms/{realm}`. Defaults to
   * `http://127.0.0.1:{port}` (or `http://localhost:{port}` for the CLI) once listening.
   */
  readonly origin?: string;
  /** File holding the realm's signing keys; generated on first start. Without it keys are in memory. */
  readonly keyFile?: string;
  readonly keyType?: KeyType;
  /** Fetcher limits for agent/resource metadata; loopback follows the realm's `aauth.allowLoopback`. */
  readonly fetcher?: Omit<FetcherOptions, 'allowLoopback'>;
  /**
   * Where used `jti`s, pending requests, the login throttle and the Person Server's state
   * (missions, person-token records, agent-person bindings) live when several instances serve the
   * realm (`RedisStore` from `@aauth-ts/store-redis`; the CLI takes `AAUTH_REDIS_URL`): a resource
   * token is then redeemed once across all of them, and a pending request can be polled and
   * approved on any. Instances share the key file and the realm's `aauth.pairwiseSalt`. Bounded by the store, not by the limits below; an unreachable store answers 503
   * `temporarily_unavailable`. Default: this process's memory.
   */
  readonly store?: SharedStore;
  /**
   * Opt-in: share fetched agent and resource metadata and JWKS documents with the realm's other
   * instances through `store` (`RedisStore`), each entry MAC'd (HMAC-SHA-256) under `secret`, the
   * same on every instance and at least 32 bytes: an entry planted in the store is ignored and the
   * document fetched. Same TTL as this process's cache, from the first fetch. An unreachable store
   * means fetching (one `warn` line). Default: documents stay in this process.
   */
  readonly sharedCache?: SharedCacheOptions;
  /** Bounds of the in-memory stores, and each agent's share of them (default a tenth). */
  readonly maxPending?: number;
  readonly maxPendingPerAgent?: number;
  readonly maxJtis?: number;
  readonly maxJtisPerAgent?: number;
  /** Injectable clock, seconds since the epoch. */
  readonly now?: () => number;
  /** Where unexpected errors are reported (default: console.error). */
  readonly log?: (message: string, err: unknown) => void;
  /**
   * Where decisions and warnings go: any pino-compatible logger (`pino()`, a child logger, or an
   * object with `info(obj, msg)` and `warn(obj, msg)`). Each token, token-exchange and final poll
   * answer is one `info` line `aauth decision`; the detail of a failed remote fetch (the caller only
   * ever gets a fixed sentence, contract "Remote fetches") is a `warn` line. Default: decisions are
   * not logged, warnings go to `console.warn`.
   */
  readonly logger?: AAuthLogger;
  /**
   * Asked before a token is issued for a delegation chain (token exchange, call chaining), after
   * the realm's default (`aauth.maxChainDepth`, `aauth.chainActors`); a refusal is `access_denied`
   * with its reason. E.g. `opaChainPolicy(...)` from `@aauth-ts/policy-opa`.
   */
  readonly chainPolicy?: ChainPolicy;
}

export interface AuthServer {
  readonly app: Express;
  readonly realm: RealmModel;
  readonly keys: RealmKeys;
  /** The issuer; throws before `listen()` when no `origin` was given. */
  readonly issuer: string;
  listen(port?: number, host?: string): Promise<{ issuer: string; port: number }>;
  close(): Promise<void>;
  /** Start signing with a new key; the old one stays in the JWKS until its tokens have expired. */
  rotateKeys(): SigningKey;
}

/** Where the Person Server's keys are kept, beside the realm's key file. */
function personServerKeyFile(keyFile: string): string {
  return `${keyFile.replace(/\.json$/, '')}.person-server.json`;
}

function toRealm(realm: AuthServerOptions['realm']): RealmModel {
  if (typeof realm === 'string') return loadRealmFile(realm);
  if (realm instanceof Object && 'settings' in realm && 'clients' in realm && (realm as RealmModel).clients instanceof Map) return realm as RealmModel;
  return parseRealm(realm);
}

export function createAuthServer(options: AuthServerOptions): AuthServer {
  const realm = toRealm(options.realm);
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  let origin = options.origin?.replace(/\/+$/, '');
  // Built once per origin: every check of a token compares against it, on every request.
  let named: { readonly origin: string; readonly issuer: string } | undefined;
  const issuer = (): string => {
    if (origin === undefined) throw new TypeError('the auth server has no origin yet: pass `origin` or call listen() first');
    if (named?.origin !== origin) named = { origin, issuer: `${origin}/realms/${realm.name}` };
    return named.issuer;
  };
  if (options.store !== undefined && !isSharedStore(options.store)) throw new TypeError('createAuthServer: "store" must be a SharedStore (MemoryStore from @aauth-ts/core, RedisStore from @aauth-ts/store-redis)');
  const logger = options.logger ?? consoleWarnLogger;
  if (!isAAuthLogger(logger)) throw new TypeError('createAuthServer: "logger" must be a pino-compatible logger (with info(obj, msg) and warn(obj, msg))');
  const sharedCache = options.sharedCache === undefined ? undefined : checkSharedCacheOptions(options.sharedCache, 'createAuthServer: "sharedCache"');
  const fetcher = new GuardedFetcher({ ...options.fetcher, allowLoopback: realm.settings.allowLoopback }, sharedCache === undefined ? undefined : new SharedCache(sharedCache, logger, LOG_COMPONENT));
  const discovery = new KeyDiscovery(fetcher);
  // Tokens stay verifiable for their lifetime plus the refresh window after a rotation.
  const keys = new RealmKeys({ file: options.keyFile, keyType: options.keyType, retentionSeconds: longestRefreshHorizon(realm) + 60, now });
  const issuerKeyNow = (iss: string, document: string, kid: string | undefined, alg: string): KeyObject | PublicJwk | Promise<PublicJwk> => {
    if (iss === issuer() && document === PROFILE.wellKnown.issuer) {
      const key = keys.find(kid, alg);
      if (!key) throw new Error(`no realm key with kid ${JSON.stringify(kid)}`);
      return key;
    }
    return discovery.getKeyNow(iss, document, kid, alg);
  };
  const issuerKeys: IssuerKeySource = {
    getKeyNow: issuerKeyNow,
    getKey: async (iss, document, kid, alg) => issuerKeyNow(iss, document, kid, alg),
  };
  // The Person Server signs with its own key, published beside the realm's: the current draft's
  // tokens and JWKS name the fully specified `Ed25519`, where the 2026-03 tokens keep `EdDSA`.
  const psKeys = realm.settings.personServer
    ? new RealmKeys({ file: options.keyFile === undefined ? undefined : personServerKeyFile(options.keyFile), keyType: 'Ed25519', fullySpecified: true, retentionSeconds: MAX_AUTH_TOKEN_LIFETIME + 60, now })
    : undefined;
  const ctx: AuthServerContext = {
    realm,
    issuer,
    keys,
    discovery,
    issuerKeys,
    agentTokens: new VerifiedTokens(),
    upstreamTokens: new VerifiedTokens(),
    jtis: options.store === undefined ? new JtiStore({ maxEntries: options.maxJtis, maxPerAgent: options.maxJtisPerAgent }) : new SharedJtiStore(options.store, logger),
    pending: options.store === undefined ? new PendingStore({ maxEntries: options.maxPending, maxPerAgent: options.maxPendingPerAgent }) : new SharedPendingStore(options.store, logger, now),
    logins: new LoginThrottle(options.store === undefined ? undefined : { store: options.store, logger, realm: realm.name }),
    now,
    chainPolicy: options.chainPolicy === undefined ? realmChainPolicy(realm.settings) : allChainPolicies(realmChainPolicy(realm.settings), options.chainPolicy),
    personServer: psKeys === undefined ? undefined : createPersonServerState(realm, psKeys, currentTokens({ issuer, keys: psKeys, discovery, allowLoopback: realm.settings.allowLoopback }), {
      maxPending: options.maxPending, maxPendingPerAgent: options.maxPendingPerAgent,
      ...(options.store === undefined ? {} : { shared: { store: options.store, logger, now } }),
    }),
  };
  const log = options.log ?? ((message: string, err: unknown) => console.error(`[auth-server] ${message}`, ...(err === undefined ? [] : [err])));
  const app = createApp(ctx, log, logger);
  let server: Server | undefined;

  return {
    app,
    realm,
    keys,
    get issuer() {
      return issuer();
    },
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        const s = createServer(withDirectTokenRoute({
          path: `/realms/${realm.name}${ENDPOINT_PATHS.token}`,
          limit: BODY_LIMIT_BYTES,
          origin: () => issuerOrigin(issuer()),
          handle: (request, about) => handleTokenRequest(ctx, request, about),
          log,
          logger,
        }, app));
        s.once('error', reject);
        s.listen(port, host, () => {
          server = s;
          const actual = (s.address() as AddressInfo).port;
          if (origin === undefined) origin = `http://${host.includes(':') ? `[${host}]` : host}:${actual}`;
          resolve({ issuer: issuer(), port: actual });
        });
      });
    },
    close() {
      return new Promise((resolve, reject) => {
        if (!server) return resolve();
        const s = server;
        server = undefined;
        s.close((err) => (err ? reject(err) : resolve()));
        s.closeAllConnections();
      });
    },
    rotateKeys: () => keys.rotate(),
  };
}
