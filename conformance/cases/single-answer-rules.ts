/**
 * Rules where a request could plausibly be read two ways; the contract fixes one answer, and both
 * servers give it (contract "Token request modes", "Responses", "Policy from the realm").
 */
import type { World } from '../support/world.js';
import { outcome } from '../support/flows.js';
import { signedRequest } from '../support/signed-fetch.js';

export function singleAnswerRuleCases(world: () => World): void {
  describe('rules with one answer', () => {
    it('self-access naming a scope that a resource offers → 400 invalid_scope', async () => {
      const w = world();
      // alpha:read is granted to the autonomous agent, but it belongs to resource alpha: a token with
      // aud = the agent itself must not carry it (a resource's scope is obtained with its resource token).
      const res = await w.token(w.autonomousAgent, { scope: 'alpha:read' });
      expect(outcome(res)).toEqual({ status: 400, error: 'invalid_scope' });
    });

    it('agent metadata without its "agent" member → 401 invalid_agent_token', async () => {
      const w = world();
      // The document must name the identifier it was fetched for; one that names nobody could be
      // any party's document served from that host.
      const rt = await w.resourceToken(w.alpha, w.unnamedAgent, { scope: 'alpha:read' });
      const res = await w.token(w.unnamedAgent, { resource_token: rt });
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_agent_token' });
    });

    it('clarification_response at a pending URL (the server never asks) → 400 invalid_request', async () => {
      const w = world();
      const signer = await w.signer(w.consentAgent);
      const rt = await w.resourceToken(w.alpha, w.consentAgent, { scope: 'alpha:read' });
      const first = await w.token(w.consentAgent, { resource_token: rt }, { signer });
      expect(first.status).toBe(202);
      const location = first.headers.get('location') as string;
      const res = await signedRequest('POST', location, signer, JSON.stringify({ clarification_response: 'for the quarterly report' }));
      expect(outcome(res)).toEqual({ status: 400, error: 'invalid_request' });
      // The request itself is untouched: still waiting for the user.
      expect(outcome(await w.poll(location, signer))).toEqual({ status: 202, error: undefined });
    });

    it('refresh naming a scope (auth_token + scope) → 400 invalid_request', async () => {
      const w = world();
      const rt = await w.resourceToken(w.alpha, w.autonomousAgent, { scope: 'alpha:read' });
      const issued = await w.token(w.autonomousAgent, { resource_token: rt });
      expect(issued.status).toBe(200);
      // A refresh repeats the grant as it was; narrowing or widening it is not offered.
      const res = await w.token(w.autonomousAgent, { auth_token: issued.json.auth_token as string, scope: 'alpha:read' });
      expect(outcome(res)).toEqual({ status: 400, error: 'invalid_request' });
    });
  });
}
