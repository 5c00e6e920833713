/**
 * The market-analysis agent (MAA): an A2A agent whose `market-outlook` skill answers with the
 * market outlook, for callers holding an auth token with the `market-analysis:analyze` scope. It
 * publishes its A2A agent card (`/.well-known/agent-card.json`, see a2a-skills.ts) and, through
 * `aauth()`, its `aauth-resource.json` and JWKS; the A2A endpoint sits behind `aauth()`.
 *
 * An unauthorised call gets `401` with an `AAuth: require=auth-token` challenge carrying a resource
 * token for the auth server (2026-03 §Resource Challenge); all of that is `aauth()`'s work.
 */
import express, { type Express } from 'express';
import { generateSigningKey, type SigningKey } from '@aauth-ts/core';
import { aauth, aauthErrorHandler } from '@aauth-ts/resource';
import { a2aEndpoint } from '../../common/src/a2a-server.js';
import { resourceProfileOptions, type DemoConfig } from '../../common/src/config.js';
import { BodyError, inputErrorHandler, notFound, type ClientError } from '../../common/src/http.js';
import { MARKET_OUTLOOK_SKILL, MarketAnalysisFormatError } from '../../common/src/market-analysis.js';
import { SCOPES } from '../../common/src/scopes.js';
import type { StoryLogger } from '../../common/src/story-log.js';
import { ACTOR, marketAnalysisCard, marketOutlookHandler } from './a2a-skills.js';
import { mcpSurface } from './mcp-surface.js';

export interface MarketAnalysisAppOptions {
  readonly config: DemoConfig;
  readonly signingKey?: SigningKey;
  readonly logger?: StoryLogger;
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
  app.use(guard);
  app.use(a2aEndpoint({ card: marketAnalysisCard(config), guard, skills: { [MARKET_OUTLOOK_SKILL]: marketOutlookHandler(logger) } }));
  app.use(mcpSurface({ config, guard, ...(logger === undefined ? {} : { logger }) }));
  app.use(notFound);
  app.use(inputErrorHandler(isInputError));
  app.use(aauthErrorHandler({ log: (err) => logger?.error('unexpected error', { actor: ACTOR, error: String(err) }) }));
  return app;
}
