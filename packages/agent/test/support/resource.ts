/**
 * TEST-ONLY resource on core and express: verifies every request signature, accepts auth tokens
 * issued for it by the test auth server (setting `req.aauth.authToken`, as the resource package
 * does), and answers anything else with `401` + `AAuth: require=auth-token` carrying a real
 * resource token. An expired auth token also gets a fresh challenge.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { decodeProtectedHeader } from 'jose';
import {
  AAuthError, GuardedFetcher, KeyDiscovery, PROFILE, SignatureError, TokenError,
  createResourceToken, generateSigningKey, jwkThumbprint, peekClaims, serializeChallenge, toJwks,
  verifyAgentToken, verifyAuthToken, verifyRequest, type AuthTokenClaims, type KeyResolver, type PublicJwk,
} from '@aauth-ts/core';
import { listen } from './http.js';

export interface AAuthInfo {
  readonly kind: 'auth' | 'agent' | 'pseudonym';
  readonly agentId?: string;
  readonly authToken?: string;
  readonly claims?: AuthTokenClaims;
}

/** What the test middleware adds (locally typed: the resource package owns the real augmentation). */
export type AAuthTestRequest = Request & { aauth: AAuthInfo & { authToken: string; claims: AuthTokenClaims } };

export interface TestResourceOptions {
  /** Issuer of the auth server named in challenges. */
  readonly authServer: string;
  readonly scope?: string;
  /** Resource host name (e.g. `r1.localhost`); connections still go to 127.0.0.1. */
  readonly hostname?: string;
  /** Routes mounted before the AAuth check (e.g. an AgentServer's well-known documents). */
  readonly publicRoutes?: (identifier: string) => express.RequestHandler | undefined;
  /** The protected handler; default echoes the caller and the request. */
  readonly handler?: (req: AAuthTestRequest, res: Response) => void | Promise<void>;
}

export interface TestResource {
  readonly identifier: string;
  /** Counts: signed requests seen, challenges sent, requests served with an auth token. */
  readonly stats: { requests: number; challenges: number; served: number; rejected: number };
  readonly challengeTokens: string[];
  close(): Promise<void>;
}

export async function startTestResource(options: TestResourceOptions): Promise<TestResource> {
  const key = generateSigningKey();
  const keys = new KeyDiscovery(new GuardedFetcher({ allowLoopback: true }));
  const identifiers = { allowLoopbackHttp: true };
  const listening = await listen();
  const identifier = `http://${options.hostname ?? '127.0.0.1'}:${listening.port}`;
  const stats = { requests: 0, challenges: 0, served: 0, rejected: 0 };
  const challengeTokens: string[] = [];

  const resolveKey: KeyResolver<AAuthInfo> = async (sk) => {
    if (sk.scheme === 'hwk') return { jwk: sk.jwk, info: { kind: 'pseudonym' } };
    if (sk.scheme === 'jwks_uri') return { jwk: await keys.getKey(sk.id, PROFILE.wellKnown.agent, sk.kid), info: { kind: 'agent', agentId: sk.id } };
    if (sk.scheme !== 'jwt') throw new SignatureError('invalid_signature', `scheme ${sk.scheme} is not accepted`);
    if (decodeProtectedHeader(sk.jwt).typ === PROFILE.typ.auth) {
      const claims = await verifyAuthToken(sk.jwt, { keys, trustedIssuers: [options.authServer], audience: identifier });
      return { jwk: claims.cnf.jwk, info: { kind: 'auth', agentId: claims.agent, authToken: sk.jwt, claims } };
    }
    const claims = await verifyAgentToken(sk.jwt, { keys, identifiers });
    return { jwk: claims.cnf.jwk, info: { kind: 'agent', agentId: claims.iss } };
  };

  async function challenge(res: Response, agentId: string, jwk: PublicJwk, error?: AAuthError): Promise<void> {
    const resourceToken = await createResourceToken(key, {
      iss: identifier, aud: options.authServer, agent: agentId, agentJkt: jwkThumbprint(jwk), scope: options.scope ?? 'default',
    });
    stats.challenges += 1;
    challengeTokens.push(resourceToken);
    res.status(401)
      .set(PROFILE.headers.challenge, serializeChallenge({ require: 'auth-token', resourceToken, authServer: options.authServer }))
      .json(error ? error.toJSON() : { error: 'invalid_request', error_description: 'an auth token is required' });
  }

  const aauth = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    stats.requests += 1;
    const body = Buffer.isBuffer(req.body) ? req.body : undefined;
    try {
      const verified = await verifyRequest({ method: req.method, url: new URL(req.originalUrl, identifier), headers: req.headers, body }, { resolveKey });
      const info = verified.info;
      if (info.kind === 'auth') {
        (req as AAuthTestRequest).aauth = info as AAuthTestRequest['aauth'];
        stats.served += 1;
        next();
        return;
      }
      await challenge(res, info.agentId ?? `urn:jkt:${verified.thumbprint}`, verified.jwk);
    } catch (err) {
      // An expired auth token: ask again (bound to the key the token names; only that key can use it).
      const jwt = /jwt="([^"]+)"/.exec(String(req.headers[PROFILE.headers.signatureKey.toLowerCase()] ?? ''))?.[1];
      if (err instanceof TokenError && err.detail.reason === 'expired' && jwt !== undefined) {
        const claims = peekClaims(jwt, 'invalid_auth_token') as AuthTokenClaims;
        await challenge(res, claims.agent, claims.cnf.jwk, err);
        return;
      }
      stats.rejected += 1;
      const e = err instanceof AAuthError ? err : new AAuthError('server_error', 'unexpected failure');
      res.status(e.status).json(e.toJSON());
    }
  };

  const app = express();
  app.get(`/.well-known/${PROFILE.wellKnown.resource}`, (_req, res) => {
    res.json({ resource: identifier, jwks_uri: `${identifier}/.well-known/jwks.json` });
  });
  app.get('/.well-known/jwks.json', (_req, res) => {
    res.json(toJwks([key]));
  });
  const publicRoutes = options.publicRoutes?.(identifier);
  if (publicRoutes) app.use(publicRoutes);
  app.use(express.raw({ type: () => true, limit: '64kb' }));
  app.use(aauth);
  app.all('/{*path}', async (req, res, next) => {
    try {
      if (options.handler) await options.handler(req as AAuthTestRequest, res);
      else {
        const r = req as AAuthTestRequest;
        res.json({ ok: true, method: req.method, path: req.path, agent: r.aauth.agentId, sub: r.aauth.claims.sub ?? null, scope: r.aauth.claims.scope ?? null, body: Buffer.isBuffer(req.body) ? req.body.toString('utf8') : null });
      }
    } catch (err) {
      next(err);
    }
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err instanceof AAuthError ? err : new AAuthError('server_error', err instanceof Error ? err.message : 'unexpected failure');
    res.status(e.status).json(e.toJSON());
  });
  listening.server.on('request', app);
  return { identifier, stats, challengeTokens, close: () => listening.close() };
}
