/**
 * Who may answer a consent request (contract "Consent"). A request that carries a user from an
 * upstream token and still needs consent (a scope in `aauth.consentScopes`) is that user's to
 * decide: another realm user who logs in is refused and the request keeps waiting.
 */
import { REGISTERED, type World } from '../support/world.js';
import { outcome, userDelegated } from '../support/flows.js';

export function consentUserBindingCases(world: () => World): void {
  describe('consent bound to the upstream user', () => {
    it('consent for an upstream-token request can only be given by the upstream user', async () => {
      const w = world();
      const hop1 = await userDelegated(w, w.consentAgent, w.intermediary, 'intermediary:use');
      expect(outcome(hop1.final)).toEqual({ status: 200, error: undefined });

      // beta:read is in aauth.consentScopes: even with the user known, the user must approve.
      const signer = await w.signer(w.intermediary);
      const rt = await w.resourceToken(w.beta, w.intermediary, { scope: 'beta:read' });
      const first = await w.token(w.intermediary, { resource_token: rt, upstream_token: hop1.final.json.auth_token as string }, { signer });
      expect(first.status).toBe(202);

      const attempt = await w.interactAs(String(first.json.code), REGISTERED.otherUser, 'approve');
      expect(attempt.decided).toBe(false);
      expect(attempt.page.status).toBeGreaterThanOrEqual(400);
      expect(attempt.page.status).toBeLessThan(500);

      const poll = await w.poll(first.headers.get('location') as string, signer);
      expect(poll.status).toBe(202);
    });
  });
}
