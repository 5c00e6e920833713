/** The pending URL answers only the key that made the request (contract "Responses"). */
import { generateSigningKey } from '@aauth-ts/core';
import type { World } from '../support/world.js';
import { outcome } from '../support/flows.js';
import { signedRequest } from '../support/signed-fetch.js';

export function pendingUrlCases(world: () => World): void {
  describe('pending URL', () => {
    async function pending(w: World): Promise<string> {
      const rt = await w.resourceToken(w.alpha, w.consentAgent, { scope: 'alpha:read' });
      const res = await w.token(w.consentAgent, { resource_token: rt });
      expect(res.status).toBe(202);
      return res.headers.get('location') as string;
    }

    it('polling with another agent key → 403 access_denied', async () => {
      const w = world();
      const location = await pending(w);
      const res = await w.poll(location, await w.signer(w.autonomousAgent));
      expect(outcome(res)).toEqual({ status: 403, error: 'access_denied' });
    });

    it('polling with another delegate key of the same agent → 403 access_denied', async () => {
      const w = world();
      const location = await pending(w);
      const res = await w.poll(location, await w.signer(w.consentAgent, generateSigningKey()));
      expect(outcome(res)).toEqual({ status: 403, error: 'access_denied' });
    });

    it('unsigned polling → 401 invalid_signature', async () => {
      const w = world();
      const location = await pending(w);
      const res = await signedRequest('GET', location, undefined);
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
    });

    it('a made-up pending id → 404', async () => {
      const w = world();
      const res = await w.poll(`${w.issuer}/protocol/aauth/pending/not-a-real-id`, await w.signer(w.consentAgent));
      expect(res.status).toBe(404);
    });
  });
}
