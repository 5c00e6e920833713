/** User-delegated access: 202, login and approval over HTTP, polling (2026-03 §Token Endpoint, §Polling). */
import { parseChallenge } from '@aauth-ts/core';
import { REGISTERED, decodeJwt, type World } from '../support/world.js';
import { outcome, startPending, userDelegated, verifyIssued } from '../support/flows.js';

export function userDelegatedCases(world: () => World): void {
  describe('user-delegated access', () => {
    it('answers 202 with Location, Retry-After, no-store and an interaction code', async () => {
      const w = world();
      const agent = w.consentAgent;
      const rt = await w.resourceToken(w.alpha, agent, { scope: 'alpha:read' });
      const res = await w.token(agent, { resource_token: rt, purpose: 'nightly report' });
      expect(res.status).toBe(202);
      const location = res.headers.get('location') as string;
      expect(location.startsWith(`${w.issuer}/protocol/aauth/pending/`)).toBe(true);
      expect(res.headers.get('retry-after')).toBe('0');
      expect(res.headers.get('cache-control')).toContain('no-store');
      const challenge = parseChallenge(res.headers.get('aauth') as string);
      expect(challenge.require).toBe('interaction');
      const code = challenge.require === 'interaction' ? challenge.code : '';
      expect(code).toMatch(/^[A-Z0-9]{8}$/);
      expect(res.json).toEqual({ status: 'pending', location, require: 'interaction', code });
    });

    it('polling before the user answers says pending (202)', async () => {
      const w = world();
      const { location, signer } = await startPending(w, w.consentAgent, w.alpha, 'alpha:read');
      const poll = await w.poll(location, signer);
      expect(poll.status).toBe(202);
      expect(poll.headers.get('location')).toBe(location);
      expect(poll.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(['pending', 'interacting']).toContain(poll.json.status);
    });

    it('after login and approval the poll returns the token with sub = the user, then the URL is gone', async () => {
      const w = world();
      const agent = w.consentAgent;
      const { final, location, signer } = await userDelegated(w, agent, w.alpha, 'alpha:read');
      expect(outcome(final)).toEqual({ status: 200, error: undefined });
      const token = final.json.auth_token as string;
      const { payload } = decodeJwt(token);
      expect(payload).toEqual(expect.objectContaining({ iss: w.issuer, aud: w.alpha.id, agent: agent.id, sub: REGISTERED.user.id, scope: 'alpha:read' }));
      expect(payload).not.toHaveProperty('act');
      await verifyIssued(w, token, { aud: w.alpha.id, agent: agent.id, jkt: agent.delegateKey.thumbprint });
      const again = await w.poll(location, signer);
      expect(again.status).toBe(404);
    });

    it('a scope in aauth.consentScopes needs the user even for an autonomous agent', async () => {
      const w = world();
      const agent = w.autonomousAgent;
      const rt = await w.resourceToken(w.beta, agent, { scope: 'beta:read' });
      const res = await w.token(agent, { resource_token: rt });
      expect(res.status).toBe(202);
    });
  });

  describe('denial', () => {
    it('the user denies: the poll answers 403 denied, then the URL is gone', async () => {
      const w = world();
      const { final, location, signer } = await userDelegated(w, w.consentAgent, w.alpha, 'alpha:read', 'deny');
      expect(outcome(final)).toEqual({ status: 403, error: 'denied' });
      const again = await w.poll(location, signer);
      expect(again.status).toBe(404);
    });
  });
}
