/**
 * An express route for an endpoint that decides (token, token exchange, pending poll), writing one
 * `aauth decision` line per answer: `granted` (200), `pending` (202 from the token endpoint), or
 * `refused` with the wire error code. A poll that is still waiting decides nothing: no line. The
 * endpoint fills in `about` (agent, resource, scope, user) as it verifies each; nothing else from
 * the request goes into the line.
 */
import type { Request, RequestHandler, Response } from 'express';
import { extend, logDecision, logsDecisions, refusalOf, type AAuthLogger, type DecisionSubject } from '@aauth-ts/core';
import type { EndpointResponse } from '../token/response.js';

/** The `component` field of this server's log lines. */
export const LOG_COMPONENT = 'auth-server'; // wire-literal-ok: a log field value, not the challenge parameter

/** `res` is for what the endpoint must know of the connection (a held poll ends when it closes); the answer is sent here. */
export type DecisionEndpoint = (req: Request, about: DecisionSubject, res: Response) => Promise<EndpointResponse>;

/** `token`, `token-exchange`, `pending` (a poll, of either profile), or one of the Person Server's (`person-token`, `ps-token`, `mission`, …). */
/** Run `endpoint` and log its decision; a refusal is logged and thrown on. */
export async function decide(logger: AAuthLogger, decision: string, about: DecisionSubject, endpoint: () => Promise<EndpointResponse>): Promise<EndpointResponse> {
  const started = performance.now();
  let out: EndpointResponse;
  try {
    out = await endpoint();
  } catch (err) {
    const { error, status } = refusalOf(err);
    if (logsDecisions(logger)) logDecision(logger, extend(about, { component: LOG_COMPONENT, decision, outcome: 'refused', status, error, durationMs: performance.now() - started } as const));
    throw err;
  }
  const waiting = out.status === 202;
  // The line is not even built when the logger drops it (a warm exchange is a few hundred µs).
  if (!(waiting && decision === 'pending') && logsDecisions(logger)) {
    logDecision(logger, extend(about, { component: LOG_COMPONENT, decision, outcome: waiting ? 'pending' : 'granted', status: out.status, durationMs: performance.now() - started } as const));
  }
  return out;
}

export function decisionRoute(logger: AAuthLogger, decision: string, endpoint: DecisionEndpoint, send: (res: Response, out: EndpointResponse) => void): RequestHandler {
  return async function aauthDecisionRoute(req, res) {
    const about: DecisionSubject = {};
    send(res, await decide(logger, decision, about, () => endpoint(req, about, res)));
  };
}
