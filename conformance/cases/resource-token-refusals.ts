/** Resource-token checks at the token endpoint (contract check 3; 2026-03 §Resource Tokens). */
import { generateSigningKey } from '@aauth-ts/core';
import type { World } from '../support/world.js';
import { outcome } from '../support/flows.js';

export function resourceTokenRefusalCases(world: () => World): void {
  describe('resource token refusals', () => {
    it('resource token for another auth server (aud) → 400 invalid_resource_token', async () => {
      const w = world();
      const rt = await w.resourceToken(w.alpha, w.autonomousAgent, { scope: 'alpha:read', aud: 'http://127.0.0.1:19199/realms/elsewhere' });
      expect(outcome(await w.token(w.autonomousAgent, { resource_token: rt }))).toEqual({ status: 400, error: 'invalid_resource_token' });
    });

    it('resource token reused (same jti) → 400 invalid_resource_token', async () => {
      const w = world();
      const rt = await w.resourceToken(w.alpha, w.autonomousAgent, { scope: 'alpha:read' });
      expect((await w.token(w.autonomousAgent, { resource_token: rt })).status).toBe(200);
      expect(outcome(await w.token(w.autonomousAgent, { resource_token: rt }))).toEqual({ status: 400, error: 'invalid_resource_token' });
    });

    it('resource token bound to another agent → 400 invalid_resource_token', async () => {
      const w = world();
      const rt = await w.resourceToken(w.alpha, w.autonomousAgent, { scope: 'alpha:read', agentId: w.consentAgent.id });
      expect(outcome(await w.token(w.autonomousAgent, { resource_token: rt }))).toEqual({ status: 400, error: 'invalid_resource_token' });
    });

    it('resource token bound to another key (agent_jkt) → 400 invalid_resource_token', async () => {
      const w = world();
      const rt = await w.resourceToken(w.alpha, w.autonomousAgent, { scope: 'alpha:read', jkt: generateSigningKey().thumbprint });
      expect(outcome(await w.token(w.autonomousAgent, { resource_token: rt }))).toEqual({ status: 400, error: 'invalid_resource_token' });
    });

    it('resource token signed with a key the resource does not publish → 400 invalid_resource_token', async () => {
      const w = world();
      const { createResourceToken } = await import('@aauth-ts/core');
      const rogue = generateSigningKey('Ed25519', w.alpha.serverKey.kid);
      const rt = await createResourceToken(rogue, { iss: w.alpha.id, aud: w.issuer, agent: w.autonomousAgent.id, agentJkt: w.autonomousAgent.delegateKey.thumbprint, scope: 'alpha:read' });
      expect(outcome(await w.token(w.autonomousAgent, { resource_token: rt }))).toEqual({ status: 400, error: 'invalid_resource_token' });
    });

    it('expired resource token → 400 invalid_resource_token', async () => {
      const w = world();
      const past = Math.floor(Date.now() / 1000) - 3600;
      const rt = await w.alpha.resourceToken({ aud: w.issuer, agent: w.autonomousAgent.id, agentJkt: w.autonomousAgent.delegateKey.thumbprint, scope: 'alpha:read', now: past, lifetimeSeconds: 300 });
      expect(outcome(await w.token(w.autonomousAgent, { resource_token: rt }))).toEqual({ status: 400, error: 'invalid_resource_token' });
    });

    it('an agent token presented as resource token (typ) → 400 invalid_resource_token', async () => {
      const w = world();
      const wrongType = await w.autonomousAgent.agentToken();
      expect(outcome(await w.token(w.autonomousAgent, { resource_token: wrongType }))).toEqual({ status: 400, error: 'invalid_resource_token' });
    });
  });
}
