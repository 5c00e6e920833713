/**
 * The HTTP layer: express routes under `/realms/{realm}` in Keycloak's URL layout (auth-server
 * contract, "Identifiers and endpoints"). Handlers only translate between express and the
 * framework-neutral endpoint functions.
 */
import express, { type Request, type Response } from 'express';
import { PROFILE, publishedComponents, type AAuthLogger } from '@aauth-ts/core';
import { ENDPOINT_PATHS, endpointUrls, type AuthServerContext } from '../context.js';
import { showInteraction, submitInteraction, type PageResponse } from '../interaction/interaction-endpoint.js';
import type { IncomingRequest } from '../request/types.js';
import { handlePendingPost, handlePoll } from '../token/pending-endpoint.js';
import type { EndpointResponse } from '../token/response.js';
import { handleTokenRequest } from '../token/token-endpoint.js';
import { handleTokenExchange } from '../token-exchange/token-exchange-endpoint.js';
import { personServerRouter } from '../person-server/routes.js';
import { decisionRoute } from './decision-route.js';
import { errorHandler } from './error-handler.js';

/** Token requests are small; anything larger is refused before it is read. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** The issuer's origin, parsed once per issuer string rather than once per request. */
let parsedIssuer = { issuer: '', origin: '' };
export function issuerOrigin(issuer: string): string {
  if (parsedIssuer.issuer !== issuer) parsedIssuer = { issuer, origin: new URL(issuer).origin };
  return parsedIssuer.origin;
}

function incoming(ctx: AuthServerContext, req: Request): IncomingRequest {
  // `@authority` is our own public origin (the issuer's), not whatever Host the client sent:
  // a request signed for another server never verifies here.
  const origin = issuerOrigin(ctx.issuer());
  const body = Buffer.isBuffer(req.body) ? (req.body as Buffer) : undefined;
  return { method: req.method, url: `${origin}${req.originalUrl}`, target: req.originalUrl, headers: req.headers, body };
}

function send(res: Response, out: EndpointResponse): void {
  res.status(out.status).set(out.headers).json(out.body);
}

function sendPage(res: Response, out: PageResponse): void {
  res.status(out.status).set(out.headers).send(out.body);
}

export function createApp(ctx: AuthServerContext, log: (message: string, err: unknown) => void, logger: AAuthLogger): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const base = `/realms/${ctx.realm.name}`;
  const raw = express.raw({ type: () => true, limit: BODY_LIMIT_BYTES });

  // RFC 9112 §3.2: clients send origin-form to a server; `@path` and the routes are defined on it.
  // An absolute-form (or authority/asterisk-form) target is refused before any route runs.
  app.use((req, res, next) => {
    if (req.url.startsWith('/')) return void next();
    res.status(400).set('Cache-Control', 'no-store').json({ error: 'invalid_request', error_description: 'the request target must be in origin-form (a path, not an absolute URL)' });
  });

  const metadata = (_req: Request, res: Response): void => {
    const issuer = ctx.issuer();
    const urls = endpointUrls(issuer);
    // §Covered Components: the token endpoint's requirements beyond the draft's four, in the member resources use.
    const components = publishedComponents(ctx.realm.settings.signatureComponents);
    res.set('Cache-Control', 'public, max-age=300').json({
      issuer, token_endpoint: urls.token_endpoint, interaction_endpoint: urls.interaction_endpoint, jwks_uri: urls.jwks_uri,
      ...(components.length === 0 ? {} : { [PROFILE.signatureComponents.metadataMember]: components }),
    });
  };
  const wellKnown = `${base}/.well-known/${PROFILE.wellKnown.issuer}`;
  app.get(wellKnown, metadata);
  app.get(wellKnown.replace(/\.json$/, ''), metadata);

  app.get(`${base}${ENDPOINT_PATHS.jwks}`, (_req, res) => {
    const jwks = ctx.keys.jwks();
    const psKeys = ctx.personServer?.keys.jwks().keys ?? [];
    res.set('Cache-Control', 'public, max-age=60').json(psKeys.length === 0 ? jwks : { keys: [...jwks.keys, ...psKeys] });
  });

  app.post(`${base}${ENDPOINT_PATHS.token}`, raw, decisionRoute(logger, 'token', (req, about) => handleTokenRequest(ctx, incoming(ctx, req), about), send));
  app.post(`${base}${ENDPOINT_PATHS.tokenExchange}`, raw, decisionRoute(logger, 'token-exchange', (req, about) => handleTokenExchange(ctx, incoming(ctx, req), about), send));
  app.get(`${base}${ENDPOINT_PATHS.pending}/:id`, decisionRoute(logger, 'pending', (req, about, res) => {
    // A held poll (`Prefer: wait`) is released when the client goes away.
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    return handlePoll(ctx, incoming(ctx, req), String(req.params.id), about, gone.signal);
  }, send));
  app.post(`${base}${ENDPOINT_PATHS.pending}/:id`, raw, async (req, res) => {
    send(res, await handlePendingPost(ctx, incoming(ctx, req), String(req.params.id)));
  });

  app.get(`${base}${ENDPOINT_PATHS.interact}`, async (req, res) => {
    const param = (name: string): string | undefined => {
      const value = req.query[name];
      return typeof value === 'string' ? value : undefined;
    };
    const query = { code: param(PROFILE.interaction.code), callback: param(PROFILE.interaction.callback) };
    sendPage(res, await showInteraction(ctx, query, req.socket.remoteAddress ?? 'unknown'));
  });
  app.post(`${base}${ENDPOINT_PATHS.interact}`, express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const form = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    sendPage(res, await submitInteraction(ctx, form));
  });

  if (ctx.personServer !== undefined) app.use(base, personServerRouter(ctx, ctx.personServer, (req) => incoming(ctx, req), log, logger));

  app.use((_req, res) => {
    res.status(404).set('Cache-Control', 'no-store').json({ error: 'invalid_request', error_description: 'no such endpoint' });
  });
  app.use(errorHandler(log, logger));
  return app;
}
