/**
 * Real loopback parts for the integration tests: a tiny auth server (Keycloak URL layout,
 * `aauth-issuer.json` + JWKS), an agent server (`aauth-agent.json` + JWKS, issues agent tokens),
 * and a resource app with `aauth()`; plus a signing client over `fetch`.
 */
import { sign as cryptoSign } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import {
  AAuthError, PROFILE, createAgentToken, createAuthToken, generateSigningKey, signRequest, toJwks,
  type CreateAuthTokenInput, type SignatureKeyInput, type SigningKey,
} from '@aauth-ts/core';

/** The `AAuthError` a promise rejects with (anything else fails the test). */
export async function rejection(promise: Promise<unknown>): Promise<AAuthError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AAuthError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

export interface Running {
  readonly url: string;
  readonly server: http.Server;
  close(): Promise<void>;
}

/** Listen on 127.0.0.1:0; the app is chosen once the port (and so the identifier) is known. */
export async function listen(build: (url: string) => Express | http.RequestListener): Promise<Running> {
  let handler: http.RequestListener = (_req, res) => res.end();
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  handler = build(url) as http.RequestListener;
  return {
    url,
    server,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((err) => (err ? reject(err) : resolve()));
    }),
  };
}

export interface AuthServer extends Running {
  readonly issuer: string;
  readonly key: SigningKey;
  mint(input: Omit<CreateAuthTokenInput, 'iss' | 'lifetimeSeconds'> & { lifetimeSeconds?: number; iss?: string }): Promise<string>;
  /** An auth token with exactly these payload claims (`createAuthToken` never writes `act`; other issuers may). */
  signClaims(claims: Readonly<Record<string, unknown>>): string;
  /** Publish these keys in its JWKS from now on (its own `key` at first). */
  publish(keys: readonly SigningKey[]): void;
}

/** An auth server with the Keycloak layout: issuer `{origin}/realms/{realm}`. */
export async function startAuthServer(realm = 'test'): Promise<AuthServer> {
  const key = generateSigningKey();
  let published: readonly SigningKey[] = [key];
  let issuer = '';
  const running = await listen((url) => {
    issuer = `${url}/realms/${realm}`;
    const app = express();
    app.get(`/realms/${realm}/.well-known/${PROFILE.wellKnown.issuer}`, (_req, res) => {
      res.json({ issuer, token_endpoint: `${issuer}/protocol/aauth/token`, interaction_endpoint: `${issuer}/protocol/aauth/interact`, jwks_uri: `${issuer}/protocol/openid-connect/certs` });
    });
    app.get(`/realms/${realm}/protocol/openid-connect/certs`, (_req, res) => {
      res.json(toJwks([...published]));
    });
    return app;
  });
  return {
    ...running,
    issuer,
    key,
    mint: (input) => createAuthToken(key, { lifetimeSeconds: 300, iss: issuer, ...input }),
    signClaims: (claims) => {
      const segment = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
      const input = `${segment({ alg: key.jwsAlgorithm, typ: PROFILE.typ.auth, kid: key.kid })}.${segment({ iss: issuer, ...claims })}`;
      return `${input}.${cryptoSign(null, Buffer.from(input), key.privateKey).toString('base64url')}`;
    },
    publish: (keys) => { published = keys; },
  };
}

export interface AgentServer extends Running {
  /** The agent identifier. */
  readonly id: string;
  /** The agent server's key (published; also signs `jwks_uri` requests in the tests). */
  readonly key: SigningKey;
  agentToken(delegate: SigningKey, sub?: string, aud?: string): Promise<string>;
}

export async function startAgentServer(): Promise<AgentServer> {
  const key = generateSigningKey();
  const running = await listen((url) => {
    const app = express();
    app.get(`/.well-known/${PROFILE.wellKnown.agent}`, (_req, res) => {
      res.json({ agent: url, jwks_uri: `${url}/jwks.json`, client_name: 'Test agent' });
    });
    app.get('/jwks.json', (_req, res) => {
      res.json(toJwks([key]));
    });
    return app;
  });
  return {
    ...running,
    id: running.url,
    key,
    agentToken: (delegate, sub = 'delegate-1', aud) => createAgentToken(key, { iss: running.url, sub, cnfJwk: delegate.publicJwk, ...(aud === undefined ? {} : { aud }) }),
  };
}

export interface SendOptions {
  readonly key: SigningKey;
  readonly signatureKey: SignatureKeyInput;
  readonly body?: string;
  readonly contentType?: string;
  readonly created?: number;
  /** Bytes actually sent, when they differ from the signed body. */
  readonly sendBody?: string;
  /** Header overrides applied after signing. */
  readonly override?: Record<string, string>;
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: Record<string, unknown>;
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { text };
  }
  return { status: res.status, headers: res.headers, json };
}

/** Sign with core's `signRequest` and send with `fetch` over loopback. */
export async function signedFetch(base: string, method: string, path: string, options: SendOptions): Promise<Answer> {
  const url = `${base}${path}`;
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const signed = signRequest({ method, url, headers, body: options.body }, {
    key: options.key, signatureKey: options.signatureKey, ...(options.created === undefined ? {} : { created: options.created }),
  });
  const res = await fetch(url, { method, headers: { ...headers, ...signed, ...options.override }, body: options.sendBody ?? options.body });
  return answer(res);
}

export async function plainFetch(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return answer(await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) }));
}
