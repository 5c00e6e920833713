/**
 * The Person Server's part of a realm (draft-hardt-oauth-aauth-protocol §Person Server), built once
 * by `createAuthServer` when the realm sets `aauth.personServer` = "true": its signing keys, its
 * stores and the deferred requests waiting for a person. Each store follows the auth server's
 * store pattern (`src/stores`): bounded, in memory, per realm.
 */
import { randomBytes } from 'node:crypto';
import type { PublicJwk } from '@aauth-ts/core';
import type { RealmKeys } from '../keys/realm-keys.js';
import type { RealmModel } from '../realm/types.js';
import { AgentBindings } from '../stores/agent-bindings.js';
import { DirectedSubjects } from '../stores/directed-subjects.js';
import { MissionStore } from '../stores/mission-store.js';
import { PendingStore } from '../stores/pending-store.js';
import { PersonTokenRecords } from '../stores/person-token-records.js';
import type { PsTokens } from './tokens.js';

/** §Interaction Code Format: Crockford base32, which leaves out I, L, O and U. */
export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Longest lifetime (`exp` − `iat`) of a resource token the auth token endpoint accepts, seconds;
 * person-token records are kept this long after the token's `exp` (§Person Token Endpoint).
 */
export const MAX_RESOURCE_TOKEN_LIFETIME = 3600;
/** §Person Token Structure: at most one hour. */
export const MAX_PERSON_TOKEN_LIFETIME = 3600;
/** §Auth Token Structure: at most one hour. */
export const MAX_AUTH_TOKEN_LIFETIME = 3600;

/**
 * The upstream auth token a chained request extends (§Call Chaining, §Upstream Token Verification),
 * as verified: the person is the one it names, not the intermediary's binding.
 */
export interface Upstream {
  /** Its `jti`, logged with every decision on the chained request. */
  readonly jti: string;
  /** The realm user its `sub` names. */
  readonly userId: string;
  /** Its `mission_s256`, carried into what is issued. */
  readonly missionS256: string | undefined;
}

/** Who asked, common to every deferred request. */
interface GrantBase {
  /** The agent identifier that signed the request (the parent, for a sub-agent's token). */
  readonly agent: string;
  /** Its agent provider (the agent token's `iss`). */
  readonly provider: string;
  /** The sub-agent a parent asked for (`subagent_token`'s `sub`). */
  readonly subagent: string | undefined;
  /** The key the issued token binds (`cnf.jwk`): the signer's, or the sub-agent's. */
  readonly cnfJwk: PublicJwk;
  /** No token issued for this request outlives the agent token(s) presented (§Person Token Structure). */
  readonly agentExp: number;
  /** The person bound to the agent, who alone may decide; undefined while the agent is unbound. */
  readonly requiredUser: string | undefined;
  readonly justification: string | undefined;
  /** Set on a chained request: the person is `upstream.userId`, and approving binds no agent. */
  readonly upstream?: Upstream | undefined;
}

export interface PersonTokenGrant extends GrantBase {
  readonly kind: 'person_token';
  readonly resource: string;
  readonly missionS256: string | undefined;
  readonly tenant: string | undefined;
}

export interface AuthTokenGrant extends GrantBase {
  readonly kind: 'auth_token';
  readonly resource: string;
  readonly scopes: readonly string[];
  /** The directed subject the resource token carried (verified against our record). */
  readonly sub: string;
  readonly missionS256: string | undefined;
  readonly tenant: string | undefined;
}

export interface MissionGrant extends GrantBase {
  readonly kind: 'mission';
  readonly description: string;
  readonly tools: readonly { readonly name: string; readonly description: string }[] | undefined;
  readonly resources: readonly string[] | undefined;
  /** Filled in when the person approves: the mission made from this proposal. */
  readonly outcome: { s256?: string };
}

export interface CompletionGrant extends GrantBase {
  readonly kind: 'completion';
  readonly s256: string;
  readonly summary: string;
}

export type PsGrant = PersonTokenGrant | AuthTokenGrant | MissionGrant | CompletionGrant;

export interface PersonServerState {
  readonly keys: RealmKeys;
  readonly tokens: PsTokens;
  readonly salt: string;
  readonly records: PersonTokenRecords;
  /** (audience, directed sub) → user, for `upstream_token` (§Person Token Endpoint). */
  readonly subjects: DirectedSubjects;
  readonly missions: MissionStore;
  readonly bindings: AgentBindings;
  readonly pending: PendingStore<PsGrant>;
}

export interface PersonServerOptions {
  readonly maxPending?: number;
  readonly maxPendingPerAgent?: number;
  readonly maxRecords?: number;
  readonly maxRecordsPerAgent?: number;
  readonly maxSubjects?: number;
}

export function createPersonServerState(realm: RealmModel, keys: RealmKeys, tokens: PsTokens, options: PersonServerOptions = {}): PersonServerState {
  return {
    keys,
    tokens,
    // Without a configured salt, subjects are stable for this process only.
    salt: realm.settings.pairwiseSalt ?? randomBytes(32).toString('base64url'),
    records: new PersonTokenRecords({ maxEntries: options.maxRecords, maxPerAgent: options.maxRecordsPerAgent, retentionSeconds: MAX_RESOURCE_TOKEN_LIFETIME + 60 }),
    subjects: new DirectedSubjects({ maxEntries: options.maxSubjects }),
    missions: new MissionStore(),
    bindings: new AgentBindings(realm),
    pending: new PendingStore<PsGrant>({ maxEntries: options.maxPending, maxPerAgent: options.maxPendingPerAgent, codeAlphabet: CROCKFORD_ALPHABET, codeLength: 8 }),
  };
}
