/**
 * The demo agents' A2A agent cards (A2A Protocol v1.0 §Agent Card, the `AgentCard` type of
 * `@a2a-js/sdk`), published at the SDK's well-known path `/.well-known/agent-card.json`.
 *
 * AAuth is not one of A2A's security scheme types. The card declares it as an HTTP authentication
 * scheme named `AAuth` (A2A §Security Schemes, `httpAuthSecurityScheme`, the OpenAPI `http` type):
 * it is an HTTP-level scheme whose challenge and credentials travel in HTTP headers, and the
 * current draft even answers with `Authorization: AAuth <token>` (draft-hardt-oauth-aauth-protocol
 * §AAuth-Access Response Header). The other types would misdescribe it: `oauth2` implies bearer
 * tokens from OAuth flows, `openIdConnect` a discovery document AAuth does not publish, `apiKey` a
 * static secret. The scheme's description names the AAuth metadata a caller starts from.
 *
 * Each skill lists the scope it needs as the scheme's scopes in its `securityRequirements`; the
 * card-level requirement (AAuth, no scope) says every call is signed.
 */
import { A2A_PROTOCOL_VERSION, AGENT_CARD_PATH, AgentCard, type AgentSkill, type SecurityRequirement } from '@a2a-js/sdk';
import type { RequestHandler } from 'express';
import { AAUTH_2026_03, AAUTH_CURRENT, profileByName, type ProfileName } from '@aauth-ts/core';

/** Where the card is served: the SDK's well-known path (A2A §Agent Discovery). */
export const A2A_CARD_PATH = `/${AGENT_CARD_PATH}`;
/** The A2A JSON-RPC endpoint of each agent. */
export const A2A_RPC_PATH = '/a2a';
/** The name the cards give the AAuth security scheme. */
export const AAUTH_SECURITY_SCHEME = 'AAuth';
/** The A2A protocol binding the demo agents speak (A2A §Transport Protocols), in the SDK's version. */
const JSON_RPC_BINDING = 'JSONRPC';
const JSON_MEDIA_TYPE = 'application/json';

/** A skill as the demo describes it: the A2A fields plus the AAuth scope it needs. */
export interface SkillSpec {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly scope: string;
}

export interface CardInput {
  readonly name: string;
  readonly description: string;
  /** The agent's identifier (its origin): the A2A endpoint lives under it. */
  readonly identifier: string;
  /** The auth server (2026-03) or Person Server (current profile) that issues its auth tokens. */
  readonly authServer: string;
  readonly profile: ProfileName;
  readonly skills: readonly SkillSpec[];
  /**
   * Whether the agent takes A2A calls at `{identifier}/a2a` (default true). An agent reached only
   * by its own HTTP routes still publishes its card, with no A2A interface.
   */
  readonly a2a?: boolean;
}

function requirement(scopes: readonly string[]): SecurityRequirement {
  return { schemes: { [AAUTH_SECURITY_SCHEME]: { list: [...scopes] } } };
}

export function aauthAgentCard(input: CardInput): AgentCard {
  const metadata = `${input.identifier}/.well-known/${profileByName(input.profile).wellKnown.resource}`;
  // The header a refusal names what the caller needs in: 2026-03 §Resource Challenge, current
  // draft §AAuth-Requirement Header Structure.
  const requirementHeader = input.profile === AAUTH_CURRENT.name ? AAUTH_CURRENT.headers.requirement : AAUTH_2026_03.headers.challenge;
  const skills: AgentSkill[] = input.skills.map((skill) => ({
    id: skill.id,
    name: skill.name,
    description: skill.description,
    tags: [...skill.tags],
    examples: [],
    inputModes: [JSON_MEDIA_TYPE],
    outputModes: [JSON_MEDIA_TYPE],
    securityRequirements: [requirement([skill.scope])],
  }));
  return {
    name: input.name,
    description: input.description,
    supportedInterfaces: input.a2a === false ? [] : [{ url: `${input.identifier}${A2A_RPC_PATH}`, protocolBinding: JSON_RPC_BINDING, tenant: '', protocolVersion: A2A_PROTOCOL_VERSION }],
    provider: { organization: 'aauth-ts examples', url: input.identifier },
    version: '0.1.0',
    capabilities: { streaming: false, pushNotifications: false, extensions: [] },
    securitySchemes: {
      [AAUTH_SECURITY_SCHEME]: {
        scheme: {
          $case: 'httpAuthSecurityScheme',
          value: {
            scheme: AAUTH_SECURITY_SCHEME,
            bearerFormat: '',
            description: `AAuth (${input.profile}): every request is signed with HTTP Message Signatures (RFC 9421) and a Signature-Key header; `
              + `a call without the skill's scope is answered 401 with an ${requirementHeader} header asking for an auth token from ${input.authServer}. `
              + `Resource metadata: ${metadata}. ${input.profile === AAUTH_CURRENT.name ? 'Person Server' : 'Auth server'}: ${input.authServer}.`,
          },
        },
      },
    },
    securityRequirements: [requirement([])],
    defaultInputModes: [JSON_MEDIA_TYPE],
    defaultOutputModes: [JSON_MEDIA_TYPE],
    skills,
    signatures: [],
  };
}

/** The AAuth scopes a skill of `card` needs, or `undefined` when the card has no such skill. */
export function scopesOfSkill(card: AgentCard, skillId: string): string[] | undefined {
  const skill = card.skills.find((s) => s.id === skillId);
  return skill?.securityRequirements.flatMap((r) => r.schemes[AAUTH_SECURITY_SCHEME]?.list ?? []);
}

/** `GET /.well-known/agent-card.json`: the card in the protocol's JSON form (public). */
export function agentCardRoute(card: AgentCard): RequestHandler {
  const body = AgentCard.toJSON(card);
  return (_req, res) => {
    res.json(body);
  };
}
