/** Refresh (2026-03 §Token Endpoint refresh): present the auth token again, signed by the same key. */
import { REGISTERED, decodeJwt, type World } from '../support/world.js';
import { outcome, userDelegated } from '../support/flows.js';

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
}
