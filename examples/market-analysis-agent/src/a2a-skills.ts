/**
 * The market-analysis agent over A2A: its card (one skill, `market-outlook`, needing the
 * `market-analysis:analyze` scope) and the skill's handler, run by the SDK once the AAuth
 * middleware has verified the caller for that scope.
 */
import type { AgentCard } from '@a2a-js/sdk';
import type { AAuthContext } from '@aauth-ts/resource';
import { aauthAgentCard } from '../../common/src/a2a-card.js';
import type { A2ASkillHandler } from '../../common/src/a2a-server.js';
import type { DemoConfig } from '../../common/src/config.js';
import { MARKET_OUTLOOK_SKILL, parseMarketAnalysisRequest, type MarketAnalysis } from '../../common/src/market-analysis.js';
import { SCOPES } from '../../common/src/scopes.js';
import type { StoryLogger } from '../../common/src/story-log.js';
import { analyzeMarket } from './analyze.js';

export const ACTOR = 'market-analysis-agent';

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

export interface MarketOutlookAnswer {
  readonly analysis: MarketAnalysis;
  readonly servedFor: ServedFor;
}

export function marketAnalysisCard(config: DemoConfig): AgentCard {
  return aauthAgentCard({
    name: 'Market-analysis agent',
    description: 'Demand outlook per laptop segment and cost / lead-time outlook per sourcing region.',
    identifier: config.marketAnalysis.identifier,
    authServer: config.issuer,
    profile: config.profile,
    skills: [{
      id: MARKET_OUTLOOK_SKILL, name: 'Market outlook', scope: SCOPES.marketRead,
      description: 'Given segments, regions and a horizon in weeks, returns demand growth and cost / lead-time indices.',
      tags: ['market', 'laptops', 'forecast'],
    }],
  });
}

function servedFor(caller: AAuthContext): ServedFor {
  return { agent: caller.agent, sub: caller.sub, scopes: caller.scopes, issuer: caller.issuer, ...(caller.ps === undefined ? {} : { ps: caller.ps }), ...(caller.missionS256 === undefined ? {} : { missionS256: caller.missionS256 }) };
}

export function marketOutlookHandler(logger?: StoryLogger): A2ASkillHandler {
  return {
    validate(data) {
      // Unknown segment and region names surface only in the analysis itself (cheap, deterministic).
      analyzeMarket(parseMarketAnalysisRequest(data));
    },
    run(data, caller): MarketOutlookAnswer {
      const analysis = analyzeMarket(parseMarketAnalysisRequest(data));
      logger?.info('served a market analysis', { actor: ACTOR, agent: caller.agent, sub: caller.sub, scope: caller.scopes.join(' '), skill: MARKET_OUTLOOK_SKILL });
      return { analysis, servedFor: servedFor(caller) };
    },
  };
}
