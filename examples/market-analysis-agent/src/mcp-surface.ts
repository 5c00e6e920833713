/**
 * The market-analysis agent's MCP surface: its analysis as the MCP tool `market_outlook`, on a
 * streamable-HTTP endpoint (`/mcp`) behind the same `aauth()` as `/analysis` (scope
 * `market-analysis:analyze` for the tool; listing tools needs a signed request only). The tool
 * asks the supply-chain agent which segments and regions to cover (`GET /catalogue`) on behalf of
 * its caller: that route takes delegated tokens only, so the MAA, as an agent of its own, exchanges
 * its caller's token (RFC 8693) and the SCA sees the chain MAA ← caller.
 *
 * 2026-03 profile only: the current profile's auth tokens come from the Person Server, whose
 * token exchange is not part of this demo.
 */
import { Router } from 'express';
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { AAUTH_CURRENT } from '@aauth-ts/core';
import { AAuthClient, AgentServer, AgentSession } from '@aauth-ts/agent';
import type { AAuthMiddleware, Delegation } from '@aauth-ts/resource';
import { aauthOf, delegatedFetch, mcpEndpoint } from '@aauth-ts/mcp';
import type { DemoConfig } from '../../common/src/config.js';
import { parseMarketAnalysisRequest, type MarketAnalysis } from '../../common/src/market-analysis.js';
import { ACTORS } from '../../common/src/parties.js';
import { SCOPES } from '../../common/src/scopes.js';
import type { StoryLogger } from '../../common/src/story-log.js';
import { analyzeMarket } from './analyze.js';

export const MCP_PATH = '/mcp';
export const OUTLOOK_TOOL = 'market_outlook';
/** The SCA route the tool reads (see `examples/supply-chain-agent/src/catalogue.ts`). */
export const CATALOGUE_PATH = '/catalogue';
/** The MAA's agent role (for its downstream call) publishes its JWKS here, apart from the resource's. */
export const AGENT_JWKS_PATH = '/.well-known/agent-jwks.json';

/** What `market_outlook` returns (as the JSON text of its one content item). */
export interface McpOutlook {
  readonly analysis: MarketAnalysis;
  /** Who called the tool, as the MAA verified it. */
  readonly caller: { readonly agent: string | null; readonly sub: string | null; readonly scopes: readonly string[] };
  /** The downstream hop: the SCA's catalogue, and the delegated token's chain as the SCA saw it. */
  readonly downstream: { readonly resource: string; readonly delegation: Delegation };
}

export class DownstreamRefusedError extends Error {
  override readonly name = 'DownstreamRefusedError';
  readonly code = 'downstream_refused';
}

/** The `/mcp` endpoint and the MAA's agent documents, mounted after the MAA's `aauth()`. */
export function mcpSurface(options: { config: DemoConfig; guard: AAuthMiddleware; logger?: StoryLogger }): Router {
  const { config, guard, logger } = options;
  const router = Router();
  if (config.profile === AAUTH_CURRENT.name) return router;
  const identifier = config.marketAnalysis.identifier;
  const agent = new AgentServer({ identifier, development: config.development, jwksPath: AGENT_JWKS_PATH });
  const onward = new AAuthClient({ session: AgentSession.delegateOf(agent, { sub: 'mcp-tools' }), development: config.development, authServers: [config.issuer] });
  const catalogueUrl = new URL(CATALOGUE_PATH, config.supplyChain.identifier);

  const newServer = (): McpServer => {
    const server = new McpServer({ name: 'market-analysis-agent', version: '1.0.0' });
    server.registerTool(OUTLOOK_TOOL, {
      title: 'Market outlook',
      description: 'Demand growth per laptop segment and cost / lead-time outlook per sourcing region, for the segments and regions the supply chain covers.',
      inputSchema: { horizonWeeks: z.number().int().min(1).max(52).default(12) },
    }, async ({ horizonWeeks }, extra) => {
      const caller = aauthOf(extra);
      const response = await delegatedFetch(onward, extra)(catalogueUrl);
      const body = await response.json() as { catalogue?: { segments?: unknown; regions?: unknown }; delegation?: Delegation; error?: string; error_description?: string };
      if (response.status !== 200 || body.delegation === undefined) throw new DownstreamRefusedError(`the supply-chain catalogue answered ${response.status}${body.error === undefined ? '' : ` ${body.error}: ${body.error_description ?? ''}`}`);
      const question = parseMarketAnalysisRequest({ ...body.catalogue, horizonWeeks });
      const outlook: McpOutlook = {
        analysis: analyzeMarket(question),
        caller: { agent: caller.agent ?? null, sub: caller.sub ?? null, scopes: caller.scopes },
        downstream: { resource: config.supplyChain.identifier, delegation: body.delegation },
      };
      logger?.info('served the market outlook over MCP', { actor: ACTORS.marketAnalysis, agent: caller.agent, act: body.delegation.act.join(' <- ') });
      return { content: [{ type: 'text', text: JSON.stringify(outlook) }] };
    });
    return server;
  };

  router.use(agent.router());
  router.all(MCP_PATH, mcpEndpoint({ guard, server: newServer, tools: { [OUTLOOK_TOOL]: { scope: SCOPES.marketRead } } }));
  return router;
}
