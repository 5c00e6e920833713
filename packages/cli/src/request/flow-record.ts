/**
 * What `aauth request` saw, from the agent library's hop events (2026-03 §Request Signing,
 * §Challenge, §Token Endpoint): each step in order, the tokens met on the way, and the signature
 * base of each signed resource request.
 */
import type { AAuthEvent } from '@aauth-ts/agent';
import { decodeJwt, type DecodedJwt } from '../tokens/decode-jwt.js';
import { signatureBases, type SignedBase } from './signature-base.js';

export interface Step {
  readonly type: AAuthEvent['type'];
  readonly summary: string;
  readonly [member: string]: unknown;
}

export interface SeenToken extends DecodedJwt {
  readonly token: string;
}

export class FlowRecord {
  readonly steps: Step[] = [];
  readonly tokens: SeenToken[] = [];
  readonly #seen = new Set<string>();
  readonly #onStep: (step: Step, bases: readonly SignedBase[]) => void;

  constructor(onStep: (step: Step, bases: readonly SignedBase[]) => void) {
    this.#onStep = onStep;
  }

  addToken(token: string): void {
    if (this.#seen.has(token)) return;
    this.#seen.add(token);
    this.tokens.push({ token, ...decodeJwt(token) });
  }

  readonly onEvent = (event: AAuthEvent): void => {
    let bases: SignedBase[] = [];
    let step: Step;
    switch (event.type) {
      case 'request.signed':
        bases = signatureBases(event.method, new URL(event.url), event.headers);
        step = { type: event.type, summary: `${event.method} ${event.url} signed (Signature-Key sig=${event.scheme}${event.attempt === 2 ? ', with the auth token' : ''})`, method: event.method, url: event.url, scheme: event.scheme, attempt: event.attempt, signatureBases: bases };
        break;
      case 'delegation.challenge':
        step = { type: event.type, summary: `401 challenge: require=delegated-token, exchange at ${event.authServer} for ${event.audience}`, url: event.url, require: 'delegated-token', authServer: event.authServer };
        break;
      case 'challenge': {
        this.addToken(event.resourceToken);
        const authServer = 'authServer' in event.challenge ? event.challenge.authServer : undefined;
        step = { type: event.type, summary: `401 challenge: require=${event.challenge.require}${authServer ? `, auth server ${authServer}` : ''}`, url: event.url, require: event.challenge.require, authServer };
        break;
      }
      case 'token.request':
        step = { type: event.type, summary: `POST ${event.url} (${event.mode} token request)`, url: event.url, mode: event.mode };
        break;
      case 'token.response':
        step = { type: event.type, summary: `token endpoint answered ${event.status}`, url: event.url, status: event.status };
        break;
      case 'pending':
        step = { type: event.type, summary: `202 pending at ${event.location}${event.require ? ` (require=${event.require})` : ''}`, location: event.location, require: event.require };
        break;
      case 'interaction':
        step = { type: event.type, summary: `waiting for a user at ${event.url}`, url: event.url, code: event.code };
        break;
      case 'poll':
        step = { type: event.type, summary: `poll ${event.location}: ${event.status}`, location: event.location, status: event.status };
        break;
      case 'token.issued':
        this.addToken(event.authToken);
        step = { type: event.type, summary: `auth token issued by ${event.authServer} for ${event.resource}`, authServer: event.authServer, resource: event.resource, mode: event.mode };
        break;
      case 'token.cached':
        step = { type: event.type, summary: `cached auth token for ${event.resource}`, resource: event.resource };
        break;
      case 'retry':
        step = { type: event.type, summary: `retry ${event.method} ${event.url}`, method: event.method, url: event.url };
        break;
      case 'resign':
        step = { type: event.type, summary: `re-sign ${event.method} ${event.url} covering ${event.components.join(' ')}`, method: event.method, url: event.url, components: event.components };
        break;
      case 'response':
        step = { type: event.type, summary: `${event.method} ${event.url} → ${event.status}`, method: event.method, url: event.url, status: event.status, attempt: event.attempt };
        break;
      case 'pending.cancelled':
        step = { type: event.type, summary: `pending request at ${event.location} cancelled: ${event.status}`, location: event.location, status: event.status };
        break;
      case 'requirement':
        step = { type: event.type, summary: `401 AAuth-Requirement: requirement=${event.requirement}`, url: event.url, requirement: event.requirement };
        break;
      case 'ps.request':
        step = { type: event.type, summary: `POST ${event.url} (person server)`, url: event.url };
        break;
      case 'ps.response':
        step = { type: event.type, summary: `person server answered ${event.status}`, url: event.url, status: event.status };
        break;
      case 'person-token.issued':
        this.addToken(event.personToken);
        step = { type: event.type, summary: `person token issued by ${event.personServer} for ${event.resource}`, personServer: event.personServer, resource: event.resource, mission: event.mission };
        break;
      case 'resource-token.verified':
        this.addToken(event.resourceToken);
        step = { type: event.type, summary: `resource token from ${event.resource} for ${event.claims.aud}`, resource: event.resource };
        break;
      case 'auth-token.issued':
        this.addToken(event.authToken);
        step = { type: event.type, summary: `auth token issued by ${event.authServer} for ${event.resource}`, authServer: event.authServer, resource: event.resource };
        break;
      case 'delegated-token.issued':
        this.addToken(event.token);
        step = { type: event.type, summary: `delegated token issued by ${event.authServer} for ${event.resource} (act ${JSON.stringify(event.claims.act)})`, authServer: event.authServer, resource: event.resource };
        break;
      case 'mission.approved':
        step = { type: event.type, summary: `mission ${event.s256} approved`, s256: event.s256, resources: event.resources };
        break;
    }
    this.steps.push(step);
    this.#onStep(step, bases);
  };
}
