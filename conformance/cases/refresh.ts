/**
 * Refresh (2026-03 §Token Refresh): the agent presents its expired auth token as `auth_token`,
 * signed by the key the token is bound to; an unexpired token may be refreshed early too
 * (realm attribute `aauth.earlyRefresh`, default on). The expired-token cases use agents whose
 * tokens live 1 s (client attribute `access.token.lifespan`) and wait at most ~2 s of wall clock.
 */
import { generateSigningKey } from '@aauth-ts/core';
import type { Party } from '../support/parties.js';
import { REGISTERED, decodeJwt, type World } from '../support/world.js';
import { outcome, userDelegated } from '../support/flows.js';

/** Seconds since the epoch, as both servers count them. */
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Wait (polling the clock, never longer than the token's remaining second or two) until `now > exp + after`. */
async function waitPast(token: string, after: number): Promise<void> {
  const exp = decodeJwt(token).payload.exp as number;
  const wait = exp + after + 1 - nowSeconds();
  if (wait > 3) throw new Error(`the token expires in ${wait} s: the server did not apply the client's access.token.lifespan (1 s)`);
  while (nowSeconds() <= exp + after) await new Promise((r) => setTimeout(r, 100));
}

/** An auth token for `agent` at alpha (no consent), already expired when this returns. */
async function expiredToken(w: World, agent: Party): Promise<string> {
  const rt = await w.resourceToken(w.alpha, agent, { scope: 'alpha:read' });
  const issued = await w.token(agent, { resource_token: rt });
  expect(outcome(issued)).toEqual({ status: 200, error: undefined });
  const token = issued.json.auth_token as string;
  await waitPast(token, 0);
  return token;
}

export function refreshCases(world: () => World): void {
  describe('refresh', () => {
    it('a new token keeps aud, sub and scope, with a new jti', async () => {
      const w = world();
      const agent = w.consentAgent;
      const { final, signer } = await userDelegated(w, agent, w.alpha, 'alpha:read');
      const old = final.json.auth_token as string;
      const res = await w.token(agent, { auth_token: old }, { signer });
      expect(outcome(res)).toEqual({ status: 200, error: undefined });
      const before = decodeJwt(old).payload;
      const after = decodeJwt(res.json.auth_token as string).payload;
      expect(after).toEqual(expect.objectContaining({ aud: w.alpha.id, agent: agent.id, sub: REGISTERED.user.id, scope: 'alpha:read' }));
      expect(after.jti).not.toBe(before.jti);
    });

    it('a refreshed token keeps the original authorization time (auth_time)', async () => {
      const w = world();
      const agent = w.consentAgent;
      const { final, signer } = await userDelegated(w, agent, w.alpha, 'alpha:read');
      const old = final.json.auth_token as string;
      const authTime = decodeJwt(old).payload.auth_time;
      expect(typeof authTime).toBe('number');
      const res = await w.token(agent, { auth_token: old }, { signer });
      expect(outcome(res)).toEqual({ status: 200, error: undefined });
      expect(decodeJwt(res.json.auth_token as string).payload.auth_time).toBe(authTime);
    });

    it('refresh is single use: the same auth_token refreshed twice → the second is 400 invalid_auth_token', async () => {
      const w = world();
      const rt = await w.resourceToken(w.alpha, w.autonomousAgent, { scope: 'alpha:read' });
      const issued = await w.token(w.autonomousAgent, { resource_token: rt });
      expect(issued.status).toBe(200);
      const old = issued.json.auth_token as string;
      const once = await w.token(w.autonomousAgent, { auth_token: old });
      expect(outcome(once)).toEqual({ status: 200, error: undefined });
      expect(outcome(await w.token(w.autonomousAgent, { auth_token: old }))).toEqual({ status: 400, error: 'invalid_auth_token' });
      // The new token is refreshable once in turn.
      expect(outcome(await w.token(w.autonomousAgent, { auth_token: once.json.auth_token as string }))).toEqual({ status: 200, error: undefined });
    });

    it('an authorization older than aauth.maxAuthAge is not carried on: old upstream auth_time → 400 invalid_auth_token', async () => {
      const w = world();
      const now = Math.floor(Date.now() / 1000);
      const upstream = await w.trustedIssuer.authToken({
        aud: w.intermediary.id, agent: w.consentAgent.id, cnfJwk: w.consentAgent.delegateKey.publicJwk,
        sub: REGISTERED.foreign.user, scope: 'intermediary:use', claims: { auth_time: now - 30 * 86_400 },
      });
      const rt = await w.resourceToken(w.alpha, w.intermediary, { scope: 'alpha:read' });
      const res = await w.token(w.intermediary, { resource_token: rt, upstream_token: upstream });
      expect(outcome(res)).toEqual({ status: 400, error: 'invalid_auth_token' });
      expect(res.json.error_description).toContain('auth_time');
    });

    it('refusal: refresh signed by another agent (invalid_auth_token)', async () => {
      const w = world();
      const rt = await w.resourceToken(w.alpha, w.autonomousAgent, { scope: 'alpha:read' });
      const issued = await w.token(w.autonomousAgent, { resource_token: rt });
      expect(issued.status).toBe(200);
      const res = await w.token(w.consentAgent, { auth_token: issued.json.auth_token as string });
      expect(outcome(res)).toEqual({ status: 400, error: 'invalid_auth_token' });
    });
  });

  describe('refresh of an expired auth token (the draft\'s shape)', () => {
    it('an expired auth_token, signed by its cnf key, is refreshed: 200, same aud and scope, new jti, exp in the future', async () => {
      const w = world();
      const agent = w.shortLivedAgent;
      const old = await expiredToken(w, agent);
      const res = await w.token(agent, { auth_token: old });
      expect(outcome(res)).toEqual({ status: 200, error: undefined });
      const after = decodeJwt(res.json.auth_token as string).payload;
      expect(after).toEqual(expect.objectContaining({ aud: w.alpha.id, agent: agent.id, scope: 'alpha:read' }));
      expect(after.jti).not.toBe(decodeJwt(old).payload.jti);
      expect(after.exp as number).toBeGreaterThanOrEqual(nowSeconds());
    });

    it('replay: the same expired auth_token refreshed twice → the second is 400 invalid_auth_token', async () => {
      const w = world();
      const agent = w.shortLivedAgent;
      const old = await expiredToken(w, agent);
      expect(outcome(await w.token(agent, { auth_token: old }))).toEqual({ status: 200, error: undefined });
      const again = await w.token(agent, { auth_token: old });
      expect(outcome(again)).toEqual({ status: 400, error: 'invalid_auth_token' });
    });

    it('stolen token: an expired auth_token presented with another key of the same agent → 401 key_binding_failed, and the token is not used up', async () => {
      const w = world();
      const agent = w.shortLivedAgent;
      const old = await expiredToken(w, agent);
      const thief = await w.signer(agent, generateSigningKey('Ed25519', 'other-delegate'));
      expect(outcome(await w.token(agent, { auth_token: old }, { signer: thief }))).toEqual({ status: 401, error: 'key_binding_failed' });
      // The refused attempt did not spend the token: its holder still refreshes it.
      expect(outcome(await w.token(agent, { auth_token: old }))).toEqual({ status: 200, error: undefined });
    });

    it('an auth_token expired longer ago than the refresh window → 400 invalid_auth_token', async () => {
      const w = world();
      const agent = w.windowlessAgent; // aauth.refreshWindow = 0 on its client
      const old = await expiredToken(w, agent); // now > exp + 0
      const res = await w.token(agent, { auth_token: old });
      expect(outcome(res)).toEqual({ status: 400, error: 'invalid_auth_token' });
      expect(res.json.error_description).toContain('refresh window');
    });

    it('an auth_token issued by another (even trusted) issuer is never refreshed → 400 invalid_auth_token', async () => {
      const w = world();
      const agent = w.shortLivedAgent;
      const now = nowSeconds();
      const foreign = await w.trustedIssuer.authToken({ aud: w.alpha.id, agent: agent.id, cnfJwk: agent.delegateKey.publicJwk, scope: 'alpha:read', lifetimeSeconds: 1, now: now - 5 });
      expect(outcome(await w.token(agent, { auth_token: foreign }))).toEqual({ status: 400, error: 'invalid_auth_token' });
    });

    it('an expired auth_token whose signature does not verify → 400 invalid_auth_token', async () => {
      const w = world();
      const agent = w.shortLivedAgent;
      const old = await expiredToken(w, agent);
      const [h, p, sig] = old.split('.') as [string, string, string];
      const flipped = `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
      expect(outcome(await w.token(agent, { auth_token: `${h}.${p}.${flipped}` }))).toEqual({ status: 400, error: 'invalid_auth_token' });
    });
  });
}
