/** Upstream-token checks for call chaining (contract check 4). */
import { createAuthToken, generateSigningKey } from '@aauth-ts/core';
import type { World } from '../support/world.js';
import { outcome } from '../support/flows.js';

export function upstreamTokenRefusalCases(world: () => World): void {
  describe('upstream token refusals', () => {
    it('upstream token for another audience → 400 invalid_auth_token', async () => {
      const w = world();
      // A genuine token of this issuer, but for alpha, not for the intermediary now acting as agent.
      const first = await w.token(w.autonomousAgent, { resource_token: await w.resourceToken(w.alpha, w.autonomousAgent, { scope: 'alpha:read' }) });
      expect(first.status).toBe(200);
      const rt = await w.resourceToken(w.alpha, w.intermediary, { scope: 'alpha:read' });
      const res = await w.token(w.intermediary, { resource_token: rt, upstream_token: first.json.auth_token as string });
      expect(outcome(res)).toEqual({ status: 400, error: 'invalid_auth_token' });
    });

    it('upstream token from an untrusted issuer → 400 invalid_auth_token', async () => {
      const w = world();
      const rogue = generateSigningKey();
      const forged = await createAuthToken(rogue, {
        iss: 'http://127.0.0.1:19199/realms/rogue', aud: w.intermediary.id, agent: w.consentAgent.id,
        cnfJwk: w.consentAgent.delegateKey.publicJwk, sub: 'someone', scope: 'intermediary:use', lifetimeSeconds: 300,
      });
      const rt = await w.resourceToken(w.alpha, w.intermediary, { scope: 'alpha:read' });
      const res = await w.token(w.intermediary, { resource_token: rt, upstream_token: forged });
      expect(outcome(res)).toEqual({ status: 400, error: 'invalid_auth_token' });
    });

    it('upstream token claiming this issuer but signed by another key → 400 invalid_auth_token', async () => {
      const w = world();
      const forged = await createAuthToken(generateSigningKey(), {
        iss: w.issuer, aud: w.intermediary.id, agent: w.consentAgent.id,
        cnfJwk: w.consentAgent.delegateKey.publicJwk, sub: 'someone', scope: 'intermediary:use', lifetimeSeconds: 300,
      });
      const rt = await w.resourceToken(w.alpha, w.intermediary, { scope: 'alpha:read' });
      const res = await w.token(w.intermediary, { resource_token: rt, upstream_token: forged });
      expect(outcome(res)).toEqual({ status: 400, error: 'invalid_auth_token' });
    });
  });
}
