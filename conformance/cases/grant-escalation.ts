/**
 * Chained and exchanged grants stay within what the user approved or the realm explicitly allows
 * (contract "Call chaining and exchange: what a grant may carry"). An agent's own token — its
 * `agent` is the requester, or its `aud` is its `agent` (self-access) — is not an upstream token
 * nor a subject token: call chaining serves an intermediary that a user reached through another
 * agent. Without the user's approval a chained or exchanged token carries only the scopes in the
 * acting agent's `aauth.chainScopes`.
 */
import { REGISTERED, type World } from '../support/world.js';
import { exchangeForm, outcome, pollUntilDone } from '../support/flows.js';

/** The consent agent gets the user to approve its narrow self-access scope; returns that token. */
async function approvedSelfAccessToken(w: World): Promise<string> {
  const signer = await w.signer(w.consentAgent);
  const first = await w.token(w.consentAgent, { scope: 'consent-agent:self' }, { signer });
  expect(first.status).toBe(202);
  await w.interact(String(first.json.code), 'approve');
  const final = await pollUntilDone(w, first.headers.get('location') as string, signer);
  expect(outcome(final)).toEqual({ status: 200, error: undefined });
  return final.json.auth_token as string;
}

/** A trusted-issuer token for `aud`, naming the linked foreign subject of the registered user. */
function linkedUpstream(w: World, aud: string): Promise<string> {
  return w.trustedIssuer.authToken({
    aud, agent: w.consentAgent.id, cnfJwk: w.consentAgent.delegateKey.publicJwk, sub: REGISTERED.foreign.user, scope: 'relay:use',
  });
}

export function grantEscalationCases(world: () => World): void {
  describe('consent escalation through chaining and exchange', () => {
    it('consent escalation: the agent\'s own self-access token as upstream_token → 400 invalid_auth_token', async () => {
      const w = world();
      const own = await approvedSelfAccessToken(w);
      const rt = await w.resourceToken(w.alpha, w.consentAgent, { scope: 'alpha:read' });
      const res = await w.token(w.consentAgent, { resource_token: rt, upstream_token: own });
      expect(outcome(res)).toEqual({ status: 400, error: 'invalid_auth_token' });
    });

    it('consent escalation: the agent\'s own self-access token as subject_token → 400 invalid_grant', async () => {
      const w = world();
      const own = await approvedSelfAccessToken(w);
      const res = await w.exchange(w.consentAgent, exchangeForm(own, w.alpha.id, { scope: 'alpha:read' }));
      expect(outcome(res)).toEqual({ status: 400, error: 'invalid_grant' });
    });

    it('a chained grant outside the agent\'s aauth.chainScopes needs the user\'s approval → 202', async () => {
      const w = world();
      // The autonomous agent has no chaining policy: a user arriving through an upstream token
      // does not let it obtain tokens naming that user without asking them.
      const rt = await w.resourceToken(w.alpha, w.autonomousAgent, { scope: 'alpha:read' });
      const res = await w.token(w.autonomousAgent, { resource_token: rt, upstream_token: await linkedUpstream(w, w.autonomousAgent.id) });
      expect(outcome(res)).toEqual({ status: 202, error: undefined });
      expect(res.json.require).toBe('interaction');
    });

    it('an exchanged grant outside the actor\'s aauth.chainScopes → 403 access_denied', async () => {
      const w = world();
      const subject = await linkedUpstream(w, w.autonomousAgent.id);
      const res = await w.exchange(w.autonomousAgent, exchangeForm(subject, w.alpha.id, { scope: 'alpha:read' }));
      expect(outcome(res)).toEqual({ status: 403, error: 'access_denied' });
    });
  });
}
