/**
 * Subjects of a trusted issuer (contract "Foreign subjects"): `sub` is unique only within its
 * issuer, so a trusted issuer's `sub` never names a local user by itself. It becomes one only
 * through an explicit link (user attribute `aauth.federatedSubject` = `{issuer} {sub}`), for call
 * chaining and token exchange alike; an unlinked foreign subject is refused.
 */
import { REGISTERED, decodeJwt, type World } from '../support/world.js';
import { exchangeForm, outcome } from '../support/flows.js';

function foreignToken(w: World, sub: string): Promise<string> {
  return w.trustedIssuer.authToken({
    aud: w.intermediary.id, agent: w.consentAgent.id, cnfJwk: w.consentAgent.delegateKey.publicJwk, sub, scope: 'intermediary:use',
  });
}

export function foreignSubjectCases(world: () => World): void {
  describe('foreign subjects', () => {
    it('a trusted issuer\'s sub equal to a local user id is not that user: upstream_token → 400 invalid_auth_token', async () => {
      const w = world();
      const rt = await w.resourceToken(w.alpha, w.intermediary, { scope: 'alpha:read' });
      const res = await w.token(w.intermediary, { resource_token: rt, upstream_token: await foreignToken(w, REGISTERED.user.id) });
      expect(outcome(res)).toEqual({ status: 400, error: 'invalid_auth_token' });
    });

    it('a trusted issuer\'s sub equal to a local user id is not that user: subject_token → 400 invalid_grant', async () => {
      const w = world();
      const subject = await foreignToken(w, REGISTERED.user.id);
      const res = await w.exchange(w.intermediary, exchangeForm(subject, w.alpha.id));
      expect(outcome(res)).toEqual({ status: 400, error: 'invalid_grant' });
    });

    it('a linked foreign subject is carried on as the local user it is linked to', async () => {
      const w = world();
      const rt = await w.resourceToken(w.alpha, w.intermediary, { scope: 'alpha:read' });
      const res = await w.token(w.intermediary, { resource_token: rt, upstream_token: await foreignToken(w, REGISTERED.foreign.user) });
      expect(outcome(res)).toEqual({ status: 200, error: undefined });
      expect(decodeJwt(res.json.auth_token as string).payload).toEqual(expect.objectContaining({ sub: REGISTERED.user.id, aud: w.alpha.id, agent: w.intermediary.id }));
    });

    it('a foreign subject linked to a disabled user → 403 access_denied', async () => {
      const w = world();
      const rt = await w.resourceToken(w.alpha, w.intermediary, { scope: 'alpha:read' });
      const res = await w.token(w.intermediary, { resource_token: rt, upstream_token: await foreignToken(w, REGISTERED.foreign.disabledUser) });
      expect(outcome(res)).toEqual({ status: 403, error: 'access_denied' });
    });
  });
}
