/** Friendly names for the demo's identifiers, used in hop titles and explanations. */
import { AAUTH_CURRENT, formatAgentIdentifier } from '@aauth-ts/core';
import type { DemoConfig } from './config.js';
import type { PartyNames } from './hop-from-event.js';

export const ACTORS = Object.freeze({
  backend: 'backend',
  supplyChain: 'supply-chain-agent',
  marketAnalysis: 'market-analysis-agent',
  authServer: 'auth-server',
});

export function partyNames(config: DemoConfig): PartyNames {
  const current = config.profile === AAUTH_CURRENT.name;
  const server = current ? 'Person Server' : 'auth server';
  const agent = (provider: string, local: string): string => agentIdentifierOf(provider, local, config.development);
  return {
    // Current profile: the agents by their agent identifiers (`aauth:local@domain`).
    ...(current ? {
      [agent(config.backend.identifier, AGENT_LOCAL_NAMES.backend)]: 'backend',
      [agent(config.backendAutonomous.identifier, AGENT_LOCAL_NAMES.backendAutonomous)]: 'backend (autonomous)',
      [agent(config.supplyChain.identifier, AGENT_LOCAL_NAMES.supplyChain)]: 'supply-chain agent',
    } : {}),
    [config.backend.identifier]: 'backend',
    [config.backendAutonomous.identifier]: 'backend (autonomous)',
    [config.supplyChain.identifier]: 'supply-chain agent',
    [config.marketAnalysis.identifier]: 'market-analysis agent',
    [config.mcpClient.identifier]: 'MCP client',
    [config.issuer]: server,
    [new URL(config.issuer).origin]: server,
    // The user's `sub` (the realm user id), so hops can say "mcp-user" instead of a UUID.
    ...(config.user.id ? { [config.user.id]: config.user.username } : {}),
  };
}

/**
 * Current profile: the local part of each demo agent's identifier (`aauth:{local}@{host}`,
 * draft-hardt-oauth-aauth-protocol §Agent Identifiers); the provider is the service's identifier.
 */
export const AGENT_LOCAL_NAMES = Object.freeze({ backend: 'web-ui', backendAutonomous: 'scheduler', supplyChain: 'planner' });

/** Current profile: the agent identifier `local` has under the agent provider `provider`. */
export function agentIdentifierOf(provider: string, local: string, development: boolean): string {
  return formatAgentIdentifier(local, new URL(provider).host, { allowLoopbackHttp: development });
}
