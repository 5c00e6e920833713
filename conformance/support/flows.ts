/** Multi-step flows several cases share. */
import { GuardedFetcher, KeyDiscovery, verifyAuthToken, type AuthTokenClaims } from '@aauth-ts/core';
import type { Decision } from './consent-driver.js';
import type { Party } from './parties.js';
import type { JsonResponse, Signer } from './signed-fetch.js';
import type { World } from './world.js';

/** Read `error` and `status` together, so a failing assertion shows both. */
export function outcome(res: JsonResponse): { status: number; error: unknown } {
  return { status: res.status, error: res.json.error };
}

/**
 * Verify an issued auth token the way a resource would: keys from the issuer's published
 * `aauth-issuer.json` → `jwks_uri`, audience, agent and key binding.
 */
export async function verifyIssued(world: World, token: string, expect: { aud: string; agent: string; jkt: string }): Promise<AuthTokenClaims> {
  const discovery = new KeyDiscovery(new GuardedFetcher({ allowLoopback: true }));
  return verifyAuthToken(token, { keys: discovery, trustedIssuers: [world.issuer], audience: expect.aud, agent: expect.agent, cnfThumbprint: expect.jkt });
}

/** Poll until the answer is no longer 202 (bounded: at most `max` polls). */
export async function pollUntilDone(world: World, location: string, signer: Signer, max = 20): Promise<JsonResponse> {
  let res = await world.poll(location, signer);
  for (let i = 0; i < max && res.status === 202; i++) {
    await new Promise((r) => setTimeout(r, 50));
    res = await world.poll(location, signer);
  }
  return res;
}

export interface PendingStart {
  /** The resource token the request was made with (single-use: a second redemption is refused). */
  readonly resourceToken: string;
  readonly first: JsonResponse;
  readonly location: string;
  readonly signer: Signer;
}

export interface DelegatedResult extends PendingStart {
  readonly final: JsonResponse;
}

/** `agent` asks `resource` for `scope` and gets 202: a pending request waiting for the user. */
export async function startPending(world: World, agent: Party, resource: Party, scope: string, extra: Record<string, unknown> = {}): Promise<PendingStart> {
  const signer = await world.signer(agent);
  const resourceToken = await world.resourceToken(resource, agent, { scope });
  const first = await world.token(agent, { resource_token: resourceToken, ...extra }, { signer });
  if (first.status !== 202) throw new Error(`expected 202, got ${first.status} ${JSON.stringify(first.json)}`);
  return { resourceToken, first, location: first.headers.get('location') as string, signer };
}

/** `agent` asks `resource` for `scope`, gets 202, the user answers `decision`, the agent polls. */
export async function userDelegated(world: World, agent: Party, resource: Party, scope: string, decision: Decision = 'approve', extra: Record<string, unknown> = {}): Promise<DelegatedResult> {
  const pending = await startPending(world, agent, resource, scope, extra);
  await world.interact(String(pending.first.json.code), decision);
  const final = await pollUntilDone(world, pending.location, pending.signer);
  return { ...pending, final };
}

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

/** An RFC 8693 token-exchange form for `subject` (a JWT) at `audience`. */
export function exchangeForm(subject: string, audience: string, extra: Record<string, string> = {}): Record<string, string> {
  return { grant_type: TOKEN_EXCHANGE_GRANT, subject_token: subject, subject_token_type: JWT_TOKEN_TYPE, audience, ...extra };
}

/** Resolves with the response, or with `undefined` once `ms` have passed and it has not come. */
export function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([promise, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms))]);
}
