/**
 * Call chaining (2026-03 §Call Chaining; wire notes §6.1): the user's agent calls the
 * intermediary; the intermediary, as an agent, trades its upstream token plus the downstream
 * resource token for a token naming itself as `agent`, the downstream resource as `aud`, the
 * user as `sub`.
 */
import { REGISTERED, decodeJwt, type World } from '../support/world.js';
import { outcome, userDelegated, verifyIssued } from '../support/flows.js';

export function callChainingCases(world: () => World): void {
  describe('call chaining', () => {
    it('two hops: agent → intermediary → alpha gives agent = intermediary, aud = alpha, sub = user, no consent', async () => {
      const w = world();
      const hop1 = await userDelegated(w, w.consentAgent, w.intermediary, 'intermediary:use');
      expect(outcome(hop1.final)).toEqual({ status: 200, error: undefined });
      const upstream = hop1.final.json.auth_token as string;

      const rt = await w.resourceToken(w.alpha, w.intermediary, { scope: 'alpha:read' });
      const hop2 = await w.token(w.intermediary, { resource_token: rt, upstream_token: upstream });
      expect(outcome(hop2)).toEqual({ status: 200, error: undefined });
      const token = hop2.json.auth_token as string;
      const { payload } = decodeJwt(token);
      expect(payload).toEqual(expect.objectContaining({ iss: w.issuer, aud: w.alpha.id, agent: w.intermediary.id, sub: REGISTERED.user.id, scope: 'alpha:read' }));
      expect(payload).not.toHaveProperty('act');
      await verifyIssued(w, token, { aud: w.alpha.id, agent: w.intermediary.id, jkt: w.intermediary.delegateKey.thumbprint });
    });
  });
}
