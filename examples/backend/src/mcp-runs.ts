/**
 * The backend's MCP runs, for the web UI: the backend, as an agent acting for the user, is an MCP
 * client of the market-analysis agent (`market_outlook`); the tool's delegated hop to the
 * supply-chain agent comes back with the chain the SCA verified, which the page shows actor by
 * actor, outermost (the one calling the SCA) first.
 *
 * API (JSON): `POST /api/mcp-runs` → `202 {id}`; `GET /api/mcp-runs/{id}` → the run's state (the
 * consent link while the user's approval is pending, then the tools, the chain and the outlook).
 * 2026-03 profile only, like the MCP surface it calls.
 */
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { AAUTH_CURRENT } from '@aauth-ts/core';
import { AAuthClient, type Interaction, type RequestSigner } from '@aauth-ts/agent';
import type { DemoConfig } from '../../common/src/config.js';
import type { PartyNames } from '../../common/src/hop-from-event.js';
import { ACTORS } from '../../common/src/parties.js';
import type { StoryLogger } from '../../common/src/story-log.js';
import { mcpOutlook } from '../../mcp-client/src/mcp-outlook.js';
import { RecentRuns } from './recent-runs.js';
import type { MarketAnalysis } from '../../common/src/market-analysis.js';

export const MCP_RUNS_PATH = '/api/mcp-runs';
const MAX_RUNS = 20;

/** One actor of the delegated token's `act`, with the name the page shows. */
export interface ChainActor {
  readonly id: string;
  readonly name: string;
}

export interface McpRunState {
  readonly id: string;
  status: 'running' | 'awaiting-consent' | 'done' | 'failed';
  interaction?: Interaction;
  tools?: readonly string[];
  /** The tool's delegated hop: where it went, for whom, and every actor, outermost first. */
  delegatedHop?: { readonly resource: string; readonly subject: ChainActor; readonly act: readonly ChainActor[]; readonly scope: readonly string[] };
  outlook?: MarketAnalysis;
  error?: { readonly error: string; readonly error_description: string };
}

export interface McpRunsOptions {
  readonly config: DemoConfig;
  readonly session: RequestSigner;
  readonly parties: PartyNames;
  readonly logger?: StoryLogger;
  readonly signal: AbortSignal;
}

export function mcpRunsRouter(options: McpRunsOptions): Router {
  const { config, session, parties, logger, signal } = options;
  const router = Router();
  if (config.profile === AAUTH_CURRENT.name) return router;
  const runs = new RecentRuns<McpRunState>(MAX_RUNS);
  const actor = (id: string): ChainActor => ({ id, name: parties[id] ?? id });

  const run = async (state: McpRunState): Promise<void> => {
    const client = new AAuthClient({
      session, development: config.development, authServers: [config.issuer],
      onInteraction: (interaction) => {
        state.interaction = interaction;
        state.status = 'awaiting-consent';
      },
    });
    try {
      signal.throwIfAborted();
      const { tools, outlook } = await mcpOutlook(config, client);
      const { delegation } = outlook.downstream;
      state.tools = tools;
      state.delegatedHop = { resource: outlook.downstream.resource, subject: actor(delegation.subject), act: delegation.act.map(actor), scope: delegation.scope };
      state.outlook = outlook.analysis;
      state.status = 'done';
      delete state.interaction;
      logger?.info(`MCP run ${state.id} done`, { actor: ACTORS.backend, act: delegation.act.join(' <- ') });
    } catch (err) {
      state.status = 'failed';
      state.error = { error: (err as { code?: unknown }).code === undefined ? 'mcp_failed' : String((err as { code?: unknown }).code), error_description: err instanceof Error ? err.message : String(err) };
      logger?.error(`MCP run ${state.id} failed`, { actor: ACTORS.backend, error: state.error.error_description });
    }
  };

  router.post(MCP_RUNS_PATH, (_req, res) => {
    const state: McpRunState = { id: randomUUID(), status: 'running' };
    runs.add(state);
    void run(state);
    res.status(202).json({ id: state.id, status: state.status });
  });

  router.get(`${MCP_RUNS_PATH}/:id`, runs.show('MCP run'));
  return router;
}
