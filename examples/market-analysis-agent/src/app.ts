/**
 * The market-analysis agent (MAA): a resource that answers `POST /analysis` with the market
 * outlook, for callers holding an auth token with the `market-analysis:read` scope. It publishes
 * an A2A-style agent card and, through `aauth()`, its `aauth-resource.json` and JWKS.
 *
 * An unauthorised call gets `401` with an `AAuth: require=auth-token` challenge carrying a resource
 * token for the auth server (2026-03 §Resource Challenge); all of that is `aauth()`'s work.
 */
import express, { type Express } from 'express';
import { PROFILE, generateSigningKey, type SigningKey } from '@aauth-ts/core';
import { aauth, aauthErrorHandler, type AAuthRequest } from '@aauth-ts/resource';
import { AGENT_CARD_PATH, agentCard } from '../../common/src/agent-card.js';
import { resourceProfileOptions, type DemoConfig } from '../../common/src/config.js';
import { BodyError, inputErrorHandler, jsonBody, notFound, type ClientError } from '../../common/src/http.js';
import { MarketAnalysisFormatError, parseMarketAnalysisRequest } from '../../common/src/market-analysis.js';
import { SCOPES } from '../../common/src/scopes.js';
import type { StoryLogger } from '../../common/src/story-log.js';
import { analyzeMarket } from './analyze.js';
import { mcpSurface } from './mcp-surface.js';

export const ACTOR = 'market-analysis-agent';
export const ANALYSIS_PATH = '/analysis';

export interface MarketAnalysisAppOptions {
  readonly config: DemoConfig;
  readonly signingKey?: SigningKey;
  readonly logger?: StoryLogger;
}

/** What the MAA saw about its caller, returned with the analysis so the caller can show it. */
export interface ServedFor {
  readonly agent: string | undefined;
  readonly sub: string | undefined;
  readonly scopes: readonly string[];
  readonly issuer: string | undefined;
  /** Current profile: the Person Server the person is represented by, and the mission, if any. */
  readonly ps?: string;
  readonly missionS256?: string;
}

const isInputError = (err: unknown): err is ClientError => err instanceof MarketAnalysisFormatError || err instanceof BodyError;

export function createMarketAnalysisApp(options: MarketAnalysisAppOptions): Express {
  const { config, logger } = options;
  const identifier = config.marketAnalysis.identifier;
  const guard = aauth({
    resource: identifier,
    signingKey: options.signingKey ?? generateSigningKey(),
    ...resourceProfileOptions(config),
    development: config.development,
    clientName: 'Market-analysis agent',
    scopeDescriptions: { [SCOPES.marketRead]: 'Read the laptop market outlook (demand by segment, cost and lead time by region)' },
  });

  const app = express();
  app.disable('x-powered-by');
  app.get(AGENT_CARD_PATH, (_req, res) => {
    res.json(agentCard({
      name: 'Market-analysis agent',
      description: 'Demand outlook per laptop segment and cost / lead-time outlook per sourcing region.',
      identifier,
      authServer: config.issuer,
      resourceMetadataName: PROFILE.wellKnown.resource,
      agentMetadataName: PROFILE.wellKnown.agent,
      skills: [{
        id: 'market-outlook', name: 'Market outlook', method: 'POST', path: ANALYSIS_PATH, scope: SCOPES.marketRead,
        description: 'Given segments, regions and a horizon in weeks, returns demand growth and cost / lead-time indices.',
        tags: ['market', 'laptops', 'forecast'],
      }],
    }));
  });
  app.use(guard);
  app.post(ANALYSIS_PATH, guard.requireAuth({ scope: SCOPES.marketRead }), (req, res) => {
    const { aauth: caller } = req as AAuthRequest;
    const question = parseMarketAnalysisRequest(jsonBody(req.rawBody));
    const analysis = analyzeMarket(question);
    const servedFor: ServedFor = { agent: caller.agent, sub: caller.sub, scopes: caller.scopes, issuer: caller.issuer, ...(caller.ps === undefined ? {} : { ps: caller.ps }), ...(caller.missionS256 === undefined ? {} : { missionS256: caller.missionS256 }) };
    logger?.info('served a market analysis', { actor: ACTOR, agent: caller.agent, sub: caller.sub, scope: caller.scopes.join(' ') });
    res.json({ analysis, servedFor });
  });
  app.use(mcpSurface({ config, guard, ...(logger === undefined ? {} : { logger }) }));
  app.use(notFound);
  app.use(inputErrorHandler(isInputError));
  app.use(aauthErrorHandler({ log: (err) => logger?.error('unexpected error', { actor: ACTOR, error: String(err) }) }));
  return app;
}
