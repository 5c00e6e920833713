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
