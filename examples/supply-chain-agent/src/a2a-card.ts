/**
 * The supply-chain agent's A2A agent card: its skill and the scope it needs. Its caller, the web
 * backend, reaches it on its own HTTP route (`POST /optimize`), so the card lists no A2A interface;
 * it still tells any agent what the supply-chain agent does and how it is authorized (AAuth).
 */
import type { AgentCard } from '@a2a-js/sdk';
import { aauthAgentCard } from '../../common/src/a2a-card.js';
import type { DemoConfig } from '../../common/src/config.js';
import { SCOPES } from '../../common/src/scopes.js';

export function supplyChainCard(config: DemoConfig): AgentCard {
  return aauthAgentCard({
    name: 'Supply-chain agent',
    description: 'Plans laptop replenishment orders from inventory, demand history and supplier offers, using a market outlook from the market-analysis agent.',
    identifier: config.supplyChain.identifier,
    authServer: config.issuer,
    profile: config.profile,
    a2a: false,
    skills: [{
      id: 'optimize-supply-plan', name: 'Optimize laptop supply plan', scope: SCOPES.optimize,
      description: 'Returns per-SKU orders by supplier, cost, and stock-out risk over a horizon (default 8 weeks, 95 % service level).',
      tags: ['supply-chain', 'laptops', 'optimization'],
    }],
  });
}
