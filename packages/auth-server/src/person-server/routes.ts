/**
 * The Person Server's routes under `/realms/{realm}` (docs/person-server-contract.md), mounted only
 * when the realm sets `aauth.personServer` = "true". Agent-facing answers are JSON; refusals are
 * RFC 9457 problem details (draft-hardt-oauth-aauth-protocol §Error Response Format) with the
 * draft's code in `error` and a sentence in `detail`, and a `401` also carries `Signature-Error`
 * (§Authentication Errors). Each answer of the person, token, mission and pending endpoints is one
 * `aauth decision` log line naming the agent that signed (the parent, for a sub-agent).
 */
import express, { type Request, type Response, type Router } from 'express';
import { AAUTH_CURRENT, AAuthError, isAAuthError, problemResponse, type AAuthLogger } from '@aauth-ts/core';
import { ENDPOINT_PATHS, type AuthServerContext } from '../context.js';
import { decisionRoute, type DecisionEndpoint } from '../http/decision-route.js';
import type { IncomingRequest } from '../request/types.js';
import type { EndpointResponse } from '../token/response.js';
import { handlePsTokenRequest } from './auth-token-endpoint.js';
import { authenticateAgent } from './authenticate.js';
import { psError } from './errors.js';
import { showPsInteraction, submitPsInteraction } from './interaction-page.js';
import { personServerMetadata } from './metadata.js';
import { handleMissionAction, handleMissionProposal } from './mission-endpoint.js';
import { handlePsCancel, handlePsPendingPost, handlePsPoll } from './pending-endpoint.js';
import { handlePersonTokenRequest } from './person-token-endpoint.js';
import type { PersonServerState } from './state.js';

const BODY_LIMIT = '64kb';

/** An unexpected failure is a `500 server_error`; a body-parser refusal (too large, say) an `invalid_request` with its 4xx. */
function asAAuthError(err: unknown): AAuthError {
  if (isAAuthError(err)) return err;
  const e = err as { status?: unknown; message?: unknown } | undefined;
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new AAuthError('invalid_request', typeof e.message === 'string' ? e.message : 'the request could not be read', {}, { status: e.status });
  return new AAuthError('server_error', 'internal error', {}, { status: 500 });
}

function send(res: Response, out: EndpointResponse): void {
  res.status(out.status).set(out.headers);
  if (out.body === undefined) res.end();
  else res.json(out.body);
}

export function personServerRouter(ctx: AuthServerContext, ps: PersonServerState, incoming: (req: Request) => IncomingRequest, log: (message: string, err: unknown) => void, logger: AAuthLogger): Router {
  const router = express.Router();
  const raw = express.raw({ type: () => true, limit: BODY_LIMIT });

  const route = (decision: string, endpoint: DecisionEndpoint) => decisionRoute(logger, decision, endpoint, send);

  router.get(`/.well-known/${AAUTH_CURRENT.wellKnown.person}`, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(personServerMetadata(ctx));
  });
  router.post(ENDPOINT_PATHS.psPerson, raw, route('person-token', (req, about) => handlePersonTokenRequest(ctx, ps, incoming(req), about)));
  router.post(ENDPOINT_PATHS.psToken, raw, route('ps-token', (req, about) => handlePsTokenRequest(ctx, ps, incoming(req), about, logger)));
  router.post(ENDPOINT_PATHS.psMission, raw, route('mission', (req, about) => handleMissionProposal(ctx, ps, incoming(req), about)));
  router.post(`${ENDPOINT_PATHS.psMission}/:s256`, raw, route('mission', (req, about) => handleMissionAction(ctx, ps, incoming(req), String(req.params.s256), about)));
  router.get(`${ENDPOINT_PATHS.psPending}/:id`, route('pending', (req, about, res) => {
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    return handlePsPoll(ctx, ps, incoming(req), String(req.params.id), about, gone.signal);
  }));
  router.delete(`${ENDPOINT_PATHS.psPending}/:id`, route('ps-cancel', (req) => handlePsCancel(ctx, ps, incoming(req), String(req.params.id))));
  router.post(`${ENDPOINT_PATHS.psPending}/:id`, raw, route('ps-pending-post', (req) => handlePsPendingPost(ctx, ps, incoming(req), String(req.params.id))));

  router.get(ENDPOINT_PATHS.psInteraction, async (req, res) => {
    const param = (name: string): string | undefined => (typeof req.query[name] === 'string' ? req.query[name] : undefined);
    const out = await showPsInteraction(ctx, ps, { code: param('code'), callback: param('callback') }, req.socket.remoteAddress ?? 'unknown');
    res.status(out.status).set(out.headers).send(out.body);
  });
  // An agent's relay (§Interaction Endpoint: a signed JSON POST) is declined: this server reaches
  // the person only through this page, which the agent sends them to itself (`interaction_unavailable`).
  const isJson = (req: Request): boolean => (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
  router.post(ENDPOINT_PATHS.psInteraction, (req, _res, next) => next(isJson(req) ? undefined : 'route'), raw, route('ps-interaction', async (req) => {
    await authenticateAgent(ctx, ps, incoming(req));
    return psError('interaction_unavailable', 'this Person Server has no channel of its own to the person; direct them to the interaction URL yourself');
  }));
  router.post(ENDPOINT_PATHS.psInteraction, express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const form = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    const out = await submitPsInteraction(ctx, ps, form);
    res.status(out.status).set(out.headers).send(out.body);
  });
  // Refusals of the routes above, and bodies the parser refused: problem details.
  router.use((err: unknown, _req: Request, res: Response, next: (err?: unknown) => void) => {
    if (res.headersSent) return void next(err);
    if (!isAAuthError(err) && (err as { status?: unknown } | undefined)?.status === undefined) log('unexpected error', err);
    const problem = problemResponse(asAAuthError(err));
    res.status(problem.status).set({ ...problem.headers, [AAUTH_CURRENT.headers.cacheControl]: 'no-store' }).send(JSON.stringify(problem.body));
  });
  return router;
}
