/** Friendly names for the demo's identifiers, used in hop titles and explanations. */
import type { DemoConfig } from './config.js';
import type { PartyNames } from './hop-from-event.js';

export const ACTORS = Object.freeze({
  backend: 'backend',
  supplyChain: 'supply-chain-agent',
  marketAnalysis: 'market-analysis-agent',
  authServer: 'auth-server',
});

export function partyNames(config: DemoConfig): PartyNames {
  return {
    [config.backend.identifier]: 'backend',
    [config.backendAutonomous.identifier]: 'backend (autonomous)',
    [config.supplyChain.identifier]: 'supply-chain agent',
    [config.marketAnalysis.identifier]: 'market-analysis agent',
    [config.issuer]: 'auth server',
    [new URL(config.issuer).origin]: 'auth server',
    // The user's `sub` (the realm user id), so hops can say "mcp-user" instead of a UUID.
    ...(config.user.id ? { [config.user.id]: config.user.username } : {}),
  };
}
