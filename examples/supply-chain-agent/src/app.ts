/**
 * The supply-chain agent (SCA), in two roles at one identifier:
 *  - a resource: `POST /optimize` needs an auth token with scope `supply-chain:optimize`;
 *  - an agent: to do the work it calls the market-analysis agent (MAA) as an A2A client (the MAA's
 *    `market-outlook` skill, found through the MAA's agent card), signing with its own key
 *    (`Signature-Key: sig=jwks_uri`, its `aauth-agent.json` published here), and answers the MAA's
 *    challenge by presenting the MAA's resource token together with the auth token it was called
 *    with as `upstream_token` (2026-03 §Call Chaining). The auth server then issues a token with
 *    `agent` = SCA, `aud` = MAA and the user's `sub` carried over.
 *
 * The answer carries the plan and the SCA's own hop trace, so the caller can show the whole chain.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import express, { type Express } from 'express';
import { AAUTH_CURRENT, GuardedFetcher, KeyDiscovery, PROFILE, generateSigningKey, type SigningKey } from '@aauth-ts/core';
import { aauth, aauthErrorHandler, type AAuthRequest } from '@aauth-ts/resource';
import { AAuthClient, AgentServer, AgentSession, InteractionChain, type AAuthEvent } from '@aauth-ts/agent';
import { A2A_CARD_PATH, A2A_RPC_PATH, agentCardRoute } from '../../common/src/a2a-card.js';
import { callSkill, discoverAgentCard } from '../../common/src/a2a-client.js';
import { resourceProfileOptions, type DemoConfig } from '../../common/src/config.js';
import { hopToken, HopRecorder } from '../../common/src/hop.js';
import { hopSink } from '../../common/src/hop-from-event.js';
import { BodyError, inputErrorHandler, jsonBody, notFound, type ClientError } from '../../common/src/http.js';
import { MARKET_OUTLOOK_SKILL, parseMarketAnalysis, type MarketAnalysis, type MarketAnalysisRequest } from '../../common/src/market-analysis.js';
import { ACTORS, AGENT_LOCAL_NAMES, partyNames } from '../../common/src/parties.js';
import { SCOPES } from '../../common/src/scopes.js';
import type { StoryLogger } from '../../common/src/story-log.js';
import { LAPTOP_SUPPLY_CHAIN } from './data/laptop-supply-chain.js';
import type { SupplyChainDataSet } from './data/types.js';
import { supplyChainCard } from './a2a-card.js';
import { catalogueRouter } from './catalogue.js';
import { DEFAULT_PLAN_OPTIONS, PlanInputError, marketQuestionFor, optimizeSupplyPlan, type PlanOptions } from './optimize-plan.js';

export const OPTIMIZE_PATH = '/optimize';
/** The agent role's JWKS, apart from the resource role's `/.well-known/jwks.json`. */
export const AGENT_JWKS_PATH = '/.well-known/agent-jwks.json';
/** Current profile: where the interaction chain's endpoints live (its interaction page, callbacks, pending URLs). */
export const CHAIN_PATH = '/aauth/chain';

export interface SupplyChainAppOptions {
  readonly config: DemoConfig;
  /** Signs resource tokens (resource role). */
  readonly resourceKey?: SigningKey;
  /** Signs requests to the MAA (agent role). */
  readonly agentKey?: SigningKey;
  readonly dataSet?: SupplyChainDataSet;
  readonly logger?: StoryLogger;
}

/** A failure of the downstream call: not the caller's fault, so a 502 with the trace so far. */
export class DownstreamError extends Error {
  override readonly name = 'DownstreamError';
  readonly code = 'server_error';
}

const isInputError = (err: unknown): err is ClientError => err instanceof PlanInputError || err instanceof BodyError;

function planOptions(body: unknown): PlanOptions {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BodyError('the request body must be a JSON object');
  const { horizonWeeks, serviceLevel } = body as Record<string, unknown>;
  if (horizonWeeks !== undefined && typeof horizonWeeks !== 'number') throw new BodyError('"horizonWeeks" must be a number');
  if (serviceLevel !== undefined && typeof serviceLevel !== 'number') throw new BodyError('"serviceLevel" must be a number');
  return { horizonWeeks: horizonWeeks ?? DEFAULT_PLAN_OPTIONS.horizonWeeks, serviceLevel: serviceLevel ?? DEFAULT_PLAN_OPTIONS.serviceLevel };
}

export function createSupplyChainApp(options: SupplyChainAppOptions): Express {
  const { config, logger } = options;
  const identifier = config.supplyChain.identifier;
  const data = options.dataSet ?? LAPTOP_SUPPLY_CHAIN;
  const parties = partyNames(config);
  const guard = aauth({
    resource: identifier,
    signingKey: options.resourceKey ?? generateSigningKey(),
    ...resourceProfileOptions(config),
    development: config.development,
    clientName: 'Supply-chain agent',
    scopeDescriptions: { [SCOPES.optimize]: 'Compute a laptop replenishment plan' },
  });
  const current = config.profile === AAUTH_CURRENT.name;
  const agentServer = new AgentServer({
    identifier,
    keys: [options.agentKey ?? generateSigningKey()],
    jwksPath: AGENT_JWKS_PATH,
    development: config.development,
    profile: config.profile,
    metadata: { client_name: 'Supply-chain agent' },
  });
  // 2026-03: it signs as its own agent server (jwks_uri). Current profile: agents sign only with an
  // agent token (§Keying Material), so it is an agent of its own provider, `aauth:planner@{host}`;
  // that token's `iss` is this identifier, the `aud` of the auth token it is called with, which is
  // what the Person Server checks an upstream token against (§Upstream Token Verification).
  const agentId = current ? agentServer.agentIdentifier(AGENT_LOCAL_NAMES.supplyChain) : undefined;
  const session = agentId === undefined ? AgentSession.asAgentServer(agentServer) : AgentSession.delegateOf(agentServer, { sub: agentId, key: options.agentKey ?? generateSigningKey() });
  // One metadata/JWKS/agent-card cache for every outgoing call of this service.
  const fetcher = new GuardedFetcher({ allowLoopback: config.development });
  const keys = new KeyDiscovery(fetcher, { profile: config.profile });

  const app = express();
  app.disable('x-powered-by');
  app.get(A2A_CARD_PATH, agentCardRoute(supplyChainCard(config)));
  app.use(agentServer.router());
  app.use(guard);

  /**
   * The work of `POST /optimize` for a verified caller: ask the MAA through `client` (bound to the
   * caller's auth token), compute the plan. Resolves to the answer's body, or throws a
   * `DownstreamError` carrying the trace so far.
   */
  async function optimize(caller: AAuthRequest['aauth'], plan: PlanOptions, client: AAuthClient, recorder: HopRecorder): Promise<Record<string, unknown>> {
    const question: MarketAnalysisRequest = { ...marketQuestionFor(data), horizonWeeks: plan.horizonWeeks };
    // The A2A call: the MAA's card says where its JSON-RPC endpoint is and what the skill needs;
    // the SDK's client sends through `client.fetch`, which signs and answers the AAuth challenge.
    // Each message has its own id, so no two signed requests are alike (2026-03 §Replay Protection).
    const maa = config.marketAnalysis.identifier;
    recorder.annotate(`${maa}${A2A_RPC_PATH}`, `A2A SendMessage, skill ${MARKET_OUTLOOK_SKILL}`);
    let answer: unknown;
    try {
      const card = await discoverAgentCard(fetcher, maa);
      answer = await callSkill({ card, fetch: (url, init) => client.fetch(url, init), skill: MARKET_OUTLOOK_SKILL, data: question });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      recorder.add({ kind: 'error', title: 'the A2A call to the market-analysis agent failed', explain: message });
      throw Object.assign(new DownstreamError(`the market-analysis agent could not be reached with authorization: ${message}`), { trace: recorder.hops });
    }
    const reply = (typeof answer === 'object' && answer !== null ? answer : {}) as Record<string, unknown>;
    let analysis: MarketAnalysis;
    try {
      analysis = parseMarketAnalysis(reply.analysis);
    } catch (err) {
      throw Object.assign(new DownstreamError(`the market-analysis agent sent an unusable answer: ${(err as Error).message}`), { trace: recorder.hops });
    }
    const servedFor = (typeof reply.servedFor === 'object' && reply.servedFor !== null ? reply.servedFor : {}) as Record<string, unknown>;
    recorder.add({
      actor: ACTORS.marketAnalysis,
      kind: 'verified',
      title: `market-analysis agent accepted the A2A call (skill ${MARKET_OUTLOOK_SKILL}) from the supply-chain agent`,
      explain: current
        ? `The market-analysis agent saw a person from ps ${String(servedFor.ps)} with directed sub ${String(servedFor.sub)} (its own pseudonym for the same person: the Person Server never copies the supply-chain agent's sub downstream), and returned its outlook (${Object.keys(analysis.segments).length} segments, ${Object.keys(analysis.regions).length} regions).`
        : `The market-analysis agent saw agent = ${String(servedFor.agent)}, ${typeof servedFor.sub === 'string' ? `sub = ${servedFor.sub} (the same user, ${parties[servedFor.sub] ?? 'carried over'})` : 'no user'}, and returned its outlook (${Object.keys(analysis.segments).length} segments, ${Object.keys(analysis.regions).length} regions).`,
    });
    const result = optimizeSupplyPlan(data, analysis, plan);
    recorder.add({
      kind: 'result',
      title: `supply-chain agent computed the plan: ${result.totals.units} units, USD ${Math.round(result.totals.cost).toLocaleString('en-US')}`,
      explain: `Demand history adjusted by the market outlook, safety stock for a ${Math.round(plan.serviceLevel * 100)} % service level, and the cheapest supplier mix that covers ${plan.horizonWeeks} weeks. Plan digest ${result.planDigest.slice(0, 16)}….`,
    });
    return { plan: result, trace: recorder.hops, servedFor: { agent: caller.agent, sub: caller.sub, scopes: caller.scopes, ...(caller.ps === undefined ? {} : { ps: caller.ps }) } };
  }

  /** The hop recorder of one request, opened with the caller's verified call. */
  function accepted(caller: AAuthRequest['aauth']): HopRecorder {
    const recorder = new HopRecorder(ACTORS.supplyChain, 1, logger ? (hop) => logger.hop(hop) : undefined);
    recorder.add({
      kind: 'verified',
      title: current ? 'supply-chain agent accepted the call, for the person its Person Server vouches for' : `supply-chain agent accepted the call from the ${parties[caller.agent ?? ''] ?? caller.agent ?? 'caller'}`,
      explain: current
        ? `The supply-chain agent checked the signature and the auth token: issued by the Person Server it trusts (ps ${caller.ps ?? '?'}), for it (aud), bound to the caller's key (cnf), for the person it knows as directed sub ${caller.sub ?? '?'}${caller.missionS256 ? `, under mission ${caller.missionS256}` : ''}, granting "${caller.scopes.join(' ')}". To plan, it now needs the market-analysis agent: it calls it as an agent itself, with this auth token as the upstream token.`
        : `The supply-chain agent checked the signature and the auth token: it was issued for it (aud), names the caller (agent = ${caller.agent ?? '?'}), ${caller.sub ? `acts for user ${parties[caller.sub] ?? caller.sub} (sub ${caller.sub})` : 'has no user (no sub)'}, and grants "${caller.scopes.join(' ')}". To plan, it now needs the market-analysis agent.`,
      ...(caller.authToken ? { tokens: [hopToken('auth token the supply-chain agent received', caller.authToken)] } : {}),
    });

    return recorder;
  }

  if (!current) {
    app.post(OPTIMIZE_PATH, guard.requireAuth({ scope: SCOPES.optimize }), async (req, res) => {
      const { aauth: caller } = req as AAuthRequest;
      const plan = planOptions(jsonBody(req.rawBody));
      const recorder = accepted(caller);
      // A client per request: its events are this request's trace. Metadata caching is shared.
      const client = new AAuthClient({
        session,
        development: config.development,
        authServers: [config.issuer],
        keys,
        onEvent: hopSink(recorder, 'supply-chain agent', parties),
        purpose: 'Market outlook for a laptop replenishment plan',
      }).forUpstream(caller.authToken);
      res.json(await optimize(caller, plan, client, recorder));
    });
  } else {
    // Current profile: one client for the service; each request's events reach that request's
    // trace through the async context the request's work runs in. When the Person Server needs the
    // person for the downstream hop, the chain hands the interaction to our caller with our own
    // 202, code and pending URL (§Interaction Chaining).
    const traces = new AsyncLocalStorage<(event: AAuthEvent) => void>();
    const client = new AAuthClient({
      session,
      development: config.development,
      profile: config.profile,
      keys,
      onEvent: (event) => traces.getStore()?.(event),
      purpose: 'Market outlook for a laptop replenishment plan',
    });
    const chain = new InteractionChain({ client, baseUrl: `${identifier}${CHAIN_PATH}` });
    app.use(chain.router());
    app.post(OPTIMIZE_PATH, guard.requireAuth({ scope: SCOPES.optimize }), chain.route<AAuthRequest>(async (req, upstream) => {
      const { aauth: caller } = req;
      const plan = planOptions(jsonBody(req.rawBody));
      const recorder = accepted(caller);
      try {
        return { body: await traces.run(hopSink(recorder, 'supply-chain agent', parties, agentId), () => optimize(caller, plan, upstream, recorder)) };
      } catch (err) {
        if (!(err instanceof DownstreamError)) throw err;
        return { status: 502, headers: { [PROFILE.headers.cacheControl]: 'no-store' }, body: { error: err.code, error_description: err.message, trace: (err as DownstreamError & { trace?: unknown }).trace } };
      }
    }));
  }

  app.use(catalogueRouter({ config, guard, data, ...(logger === undefined ? {} : { logger }) }));
  app.use(notFound);
  app.use(inputErrorHandler(isInputError));
  app.use((err: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (!(err instanceof DownstreamError) || res.headersSent) return void next(err);
    const trace = (err as DownstreamError & { trace?: unknown }).trace;
    res.status(502).set(PROFILE.headers.cacheControl, 'no-store').json({ error: err.code, error_description: err.message, trace });
  });
  app.use(aauthErrorHandler({ log: (err) => logger?.error('unexpected error', { actor: ACTORS.supplyChain, error: String(err) }) }));
  return app;
}
