/**
 * An A2A-style agent card (`/.well-known/agent.json`): the self-description agent frameworks
 * publish (name, description, endpoint, skills). Here it also points at the AAuth documents, so a
 * caller can see that this agent is reached with AAuth request signatures.
 */

export interface AgentSkill {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly tags: readonly string[];
  /** The AAuth scope a caller needs for this skill. */
  readonly scope: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
}

export interface AgentCard {
  readonly name: string;
  readonly description: string;
  readonly url: string;
  readonly version: string;
  readonly provider: { readonly organization: string };
  readonly capabilities: { readonly streaming: boolean; readonly pushNotifications: boolean };
  readonly defaultInputModes: readonly string[];
  readonly defaultOutputModes: readonly string[];
  readonly skills: readonly AgentSkill[];
  readonly authentication: {
    readonly schemes: readonly string[];
    readonly authServer: string;
    readonly resourceMetadata: string;
    readonly agentMetadata: string;
  };
}

export const AGENT_CARD_PATH = '/.well-known/agent.json';

export function agentCard(input: {
  name: string;
  description: string;
  identifier: string;
  authServer: string;
  skills: readonly AgentSkill[];
  resourceMetadataName: string;
  agentMetadataName: string;
}): AgentCard {
  return {
    name: input.name,
    description: input.description,
    url: input.identifier,
    version: '0.1.0',
    provider: { organization: 'aauth-ts examples' },
    capabilities: { streaming: false, pushNotifications: false },
    defaultInputModes: ['application/json'],
    defaultOutputModes: ['application/json'],
    skills: input.skills,
    authentication: {
      schemes: ['AAuth'],
      authServer: input.authServer,
      resourceMetadata: `${input.identifier}/.well-known/${input.resourceMetadataName}`,
      agentMetadata: `${input.identifier}/.well-known/${input.agentMetadataName}`,
    },
  };
}
