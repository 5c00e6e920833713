/**
 * An A2A server behind the AAuth resource middleware: the card at the well-known path (public),
 * and the JSON-RPC endpoint of `@a2a-js/sdk` (`jsonRpcHandler` over a `DefaultRequestHandler`)
 * behind `requireAuth` with the scope of the skill the call is for, as the card declares it.
 *
 * The skill is known before the SDK runs: the request's `metadata.skill`, or the card's only skill.
 * So a call without that skill's scope is answered by the middleware (401 with the AAuth challenge
 * for exactly that scope), and a call naming no known skill or carrying a bad input is a 400
 * `invalid_request`; none reaches the agent. Methods other than sending a message (task lookups)
 * need every scope the card lists.
 */
import express, { type Request, type RequestHandler, type Router } from 'express';
import { SendMessageRequest, type AgentCard } from '@a2a-js/sdk';
import { DefaultRequestHandler, InMemoryTaskStore, type AgentExecutor, type User } from '@a2a-js/sdk/server';
import { jsonRpcHandler } from '@a2a-js/sdk/server/express';
import type { AAuthContext, AAuthMiddleware, AAuthRequest } from '@aauth-ts/resource';
import { A2A_CARD_PATH, A2A_RPC_PATH, agentCardRoute, scopesOfSkill } from './a2a-card.js';
import { Role, SKILL_METADATA_KEY, dataMessage, dataOf } from './a2a-message.js';
import { BodyError, inputErrorHandler, jsonBody, type ClientError } from './http.js';

/** The JSON-RPC methods that send a message (A2A v1.0 §JSON-RPC binding). */
const MESSAGE_METHODS = new Set(['SendMessage', 'SendStreamingMessage']);

export interface A2ASkillHandler {
  /** Throws (a `ClientError`, ideally) when `data` is not a valid input for the skill: a 400. */
  validate(data: unknown): void;
  /** The skill's answer for a validated input and the verified caller. */
  run(data: unknown, caller: AAuthContext): unknown;
}

/** The SDK's user for a call the middleware verified: the caller's AAuth context and the skill. */
export class AAuthCaller implements User {
  constructor(readonly aauth: AAuthContext, readonly skill: string | undefined) {}
  get isAuthenticated(): boolean {
    return true;
  }
  get userName(): string {
    return this.aauth.sub ?? this.aauth.agent ?? '';
  }
}

/** What the middleware learnt about a call before the SDK sees it. */
interface Call {
  readonly method: string;
  readonly skill: string | undefined;
}

const calls = new WeakMap<Request, Call>();

/** Whatever `readCall` refuses is the caller's input: answered 400 `invalid_request`, never a 500. */
const isReadError = (err: unknown): err is ClientError => err instanceof Error;
const inputError = inputErrorHandler(isReadError);

function readCall(req: Request, card: AgentCard, handlers: Readonly<Record<string, A2ASkillHandler>>): Call {
  const body = jsonBody(req.rawBody);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BodyError('the A2A request must be one JSON-RPC 2.0 request object');
  const { method, params } = body as Record<string, unknown>;
  if (typeof method !== 'string') throw new BodyError('the A2A request has no JSON-RPC "method"');
  // The SDK's JSON parser sees the stream already read by aauth(): hand it the parsed body.
  req.body = body;
  if (!MESSAGE_METHODS.has(method)) return { method, skill: undefined };
  const request = SendMessageRequest.fromJSON(params ?? {});
  const named: unknown = request.metadata?.[SKILL_METADATA_KEY];
  if (named !== undefined && typeof named !== 'string') throw new BodyError(`"params.metadata.${SKILL_METADATA_KEY}" must be a skill id`);
  const skill = named ?? (card.skills.length === 1 ? card.skills[0]?.id : undefined);
  if (skill === undefined) throw new BodyError(`name the skill in "params.metadata.${SKILL_METADATA_KEY}": one of ${card.skills.map((s) => s.id).join(', ')}`);
  const handler = handlers[skill];
  if (handler === undefined || scopesOfSkill(card, skill) === undefined) throw new BodyError(`this agent has no skill "${skill}"; its card lists ${card.skills.map((s) => s.id).join(', ')}`);
  handler.validate(dataOf(request.message));
  return { method, skill };
}

/** The SDK executor: runs the skill the middleware picked, answers with one data message. */
function skillExecutor(handlers: Readonly<Record<string, A2ASkillHandler>>): AgentExecutor {
  return {
    async execute(context, bus) {
      const caller = context.context.user;
      if (!(caller instanceof AAuthCaller) || caller.skill === undefined) throw new Error('the A2A call did not pass the AAuth middleware');
      const handler = handlers[caller.skill];
      if (handler === undefined) throw new Error(`no handler for skill ${caller.skill}`);
      bus.publish({ kind: 'message', data: dataMessage(Role.ROLE_AGENT, await handler.run(dataOf(context.userMessage), caller.aauth), context.contextId) });
      bus.finished();
    },
    async cancelTask() {
      // The skills answer with a message at once; there is never a running task to cancel.
    },
  };
}

export interface A2AEndpointOptions {
  readonly card: AgentCard;
  /** The agent's `aauth()` middleware, mounted before this router. */
  readonly guard: AAuthMiddleware;
  /** A handler for every skill of the card, by skill id. */
  readonly skills: Readonly<Record<string, A2ASkillHandler>>;
}

/** The card route and the A2A JSON-RPC endpoint; mount after `aauth()`. */
export function a2aEndpoint(options: A2AEndpointOptions): Router {
  const { card, guard, skills } = options;
  for (const skill of card.skills) {
    if (skills[skill.id] === undefined) throw new TypeError(`a2aEndpoint: no handler for the card's skill "${skill.id}"`);
  }
  const gates = new Map(card.skills.map((s) => [s.id, guard.requireAuth({ scope: scopesOfSkill(card, s.id) ?? [] })]));
  const everyScope = guard.requireAuth({ scope: [...new Set(card.skills.flatMap((s) => scopesOfSkill(card, s.id) ?? []))] });
  const gate: RequestHandler = (req, res, next) => {
    if (req.method !== 'POST') return void next();
    let call: Call;
    try {
      call = readCall(req, card, skills);
    } catch (err) {
      return void inputError(err, req, res, next);
    }
    calls.set(req, call);
    (call.skill === undefined ? everyScope : gates.get(call.skill) ?? everyScope)(req, res, next);
  };
  const router = express.Router();
  router.get(A2A_CARD_PATH, agentCardRoute(card));
  router.use(A2A_RPC_PATH, gate, jsonRpcHandler({
    requestHandler: new DefaultRequestHandler(card, new InMemoryTaskStore(), skillExecutor(skills)),
    userBuilder: async (req) => new AAuthCaller((req as AAuthRequest).aauth, calls.get(req)?.skill),
  }));
  return router;
}
