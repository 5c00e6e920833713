/**
 * Our side of the signature matrices: core `verifyRequest` with a resolver per Signature-Key
 * scheme, an express resource with our middleware on loopback, and an agent server on loopback
 * publishing whatever key a peer's agent server signs with. Reasons are cut to one line.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import {
  PROFILE, generateSigningKey, requireAgentDocument, verifyAgentToken, verifyRequest,
  type IssuerKeySource, type PublicJwk, type SignatureKey, type SignableRequest,
} from '@aauth-ts/core';
import { aauth, aauthErrorHandler, captureRawBody, type AAuthRequest } from '@aauth-ts/resource';
import { startLoopbackServer, type LoopbackServer } from '../packages/core/test/helpers/loopback-server.js';

/** A cell's outcome as seen from our side: verified, or the one-line reason it was not. */
export interface Verdict { readonly ok: boolean; readonly reason?: string }

/** One line; a header value quoted in a message is cut after its scheme, a loopback port shown as `<port>` (it changes every run). */
export const oneLine = (text: string): string => text.replace(/\s+/g, ' ').replace(/(\bsig=[a-z(=]*)[^\s]*/g, '$1…').replace(/\b(127\.0\.0\.1|localhost):\d+/g, '$1:<port>').trim().slice(0, 160);

export const reasonOf = (err: unknown): string => {
  const e = err as { code?: unknown; message?: unknown };
  return oneLine(`${typeof e.code === 'string' ? `${e.code}: ` : ''}${String(e.message ?? err)}`);
};

export interface AgentServerStub {
  readonly server: LoopbackServer;
  /** Publishes the agent server's keys (each with its `kid`) at its `jwks_uri`. */
  publish(...jwks: PublicJwk[]): void;
}

/** An agent server on loopback: `aauth-agent.json` naming it and its `jwks_uri`. */
export async function startAgentServerStub(): Promise<AgentServerStub> {
  const server = await startLoopbackServer();
  server.json(`/.well-known/${PROFILE.wellKnown.agent}`, { agent: server.origin, jwks_uri: `${server.origin}/jwks.json` });
  return { server, publish: (...jwks) => server.json('/jwks.json', { keys: jwks }) };
}

export interface ExpressResource { readonly origin: string; close(): Promise<void> }

/** An express resource with our middleware: `GET /api/documents` and `POST /api/orders` require a valid signature. */
export async function startResource(): Promise<ExpressResource> {
  const app = express();
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  app.use(express.json({ verify: captureRawBody }));
  const guard = aauth({ resource: origin, signingKey: generateSigningKey(), authServer: 'http://127.0.0.1:9', development: true, replay: false });
  app.use(guard);
  const answer = (req: express.Request, res: express.Response): void => { res.json({ scheme: (req as AAuthRequest).aauth.scheme }); };
  app.get('/api/documents', guard.requireSignature(), answer);
  app.post('/api/orders', guard.requireSignature(), answer);
  app.use(aauthErrorHandler({ log: () => undefined }));
  return { origin, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

export type KeyedJwk = PublicJwk & { kid: string };

/** The agent server's key by `kid`, whatever the issuer (each matrix has one agent server). */
function keyById(jwks: readonly KeyedJwk[], kid: string | undefined): KeyedJwk {
  const jwk = jwks.find((k) => k.kid === kid);
  if (jwk === undefined) throw new Error(`no key ${String(kid)}`);
  return jwk;
}

/** Core `verifyRequest`: `hwk` inline, `jwt` an agent token, `jwks_uri` the agent server's key by `kid`. */
export async function coreVerify(request: SignableRequest, jwks: readonly KeyedJwk[]): Promise<Verdict> {
  const keys: IssuerKeySource = { getKey: async (_issuer, _document, kid) => keyById(jwks, kid) };
  try {
    await verifyRequest(request, {
      resolveKey: async (sk: SignatureKey) => {
        switch (sk.scheme) {
          case 'hwk': return { jwk: sk.jwk, info: null };
          case 'jwt': return { jwk: (await verifyAgentToken(sk.jwt, { keys })).cnf.jwk, info: null };
          case 'jwks_uri':
            requireAgentDocument(sk);
            return { jwk: keyById(jwks, sk.kid), info: null };
          default: throw new Error(`unexpected scheme ${sk.scheme}`);
        }
      },
    });
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: reasonOf(err) };
  }
}

/** The resource's answer: 200 is green; anything else is red with its status and error. */
export async function verdictOf(res: Response): Promise<Verdict> {
  if (res.status === 200) return { ok: true };
  const body = await res.json().catch(() => ({})) as { error?: string; error_description?: string };
  return { ok: false, reason: oneLine(`${res.status} ${body.error ?? ''}: ${body.error_description ?? ''}`) };
}

/** Sends an already signed request to a resource. */
export async function sendTo(url: string, method: string, headers: Record<string, string>, body?: string): Promise<Verdict> {
  return verdictOf(await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) }));
}
