/**
 * Registered JWT claims on presented auth tokens (2026-03 §Auth Token Structure: an auth token MAY
 * carry claims of the IANA JSON Web Token Claims registry or OpenID Connect Core §5.1). They are
 * accepted on an `upstream_token`, and the time claims among them keep their meaning.
 */
import { REGISTERED, decodeJwt, type World } from '../support/world.js';
import { outcome } from '../support/flows.js';

function upstream(w: World, extra: Readonly<Record<string, unknown>>): string {
  const now = Math.floor(Date.now() / 1000);
  return w.trustedIssuer.authTokenWithClaims({
    aud: w.intermediary.id, agent: w.consentAgent.id, cnf: { jwk: w.consentAgent.delegateKey.publicJwk },
    sub: REGISTERED.foreign.user, scope: 'intermediary:use', iat: now, exp: now + 300, jti: `rc-${now}-${Math.random()}`, ...extra,
  });
}

export function registeredClaimCases(world: () => World): void {
  describe('registered claims on presented auth tokens', () => {
    it('an upstream_token carrying act, auth_time, acr, amr, azp, client_id and nbf is accepted', async () => {
      const w = world();
      const now = Math.floor(Date.now() / 1000);
      const token = upstream(w, {
        act: { sub: w.consentAgent.id, act: { sub: 'https://first-agent.example' } }, auth_time: now - 30, nbf: now - 5,
        acr: 'phr', amr: ['pwd', 'otp'], azp: w.consentAgent.id, client_id: w.consentAgent.id,
      });
      const rt = await w.resourceToken(w.alpha, w.intermediary, { scope: 'alpha:read' });
      const res = await w.token(w.intermediary, { resource_token: rt, upstream_token: token });
      expect(outcome(res)).toEqual({ status: 200, error: undefined });
      expect(decodeJwt(res.json.auth_token as string).payload).toEqual(expect.objectContaining({ sub: REGISTERED.user.id, aud: w.alpha.id, agent: w.intermediary.id }));
    });

    it.each([
      ['nbf in the future', { nbf: Math.floor(Date.now() / 1000) + 600 }],
      ['a malformed act (no sub)', { act: { iss: 'https://first-agent.example' } }],
      ['auth_time not a number', { auth_time: 'yesterday' }],
    ])('an upstream_token with %s → 400 invalid_auth_token', async (_name, extra) => {
      const w = world();
      const rt = await w.resourceToken(w.alpha, w.intermediary, { scope: 'alpha:read' });
      const res = await w.token(w.intermediary, { resource_token: rt, upstream_token: upstream(w, extra) });
      expect(outcome(res)).toEqual({ status: 400, error: 'invalid_auth_token' });
    });
  });
}
