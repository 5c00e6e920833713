/** Policy from the realm (contract check 6): scopes and realm membership. */
import { createResourceToken, generateSigningKey } from '@aauth-ts/core';
import type { World } from '../support/world.js';
import { outcome } from '../support/flows.js';
import { postJson } from '../support/signed-fetch.js';

export function policyRefusalCases(world: () => World): void {
  describe('policy refusals', () => {
    it('scope the policy does not grant the agent → 400 invalid_scope', async () => {
      const w = world();
      const rt = await w.resourceToken(w.alpha, w.autonomousAgent, { scope: 'alpha:admin' });
      expect(outcome(await w.token(w.autonomousAgent, { resource_token: rt }))).toEqual({ status: 400, error: 'invalid_scope' });
    });

    it('scope offered by another resource → 400 invalid_scope', async () => {
      const w = world();
      const rt = await w.resourceToken(w.beta, w.autonomousAgent, { scope: 'alpha:read' });
      expect(outcome(await w.token(w.autonomousAgent, { resource_token: rt }))).toEqual({ status: 400, error: 'invalid_scope' });
    });

    it('self-access scope the agent may not obtain → 400 invalid_scope', async () => {
      const w = world();
      expect(outcome(await w.token(w.consentAgent, { scope: 'autonomous:self' }))).toEqual({ status: 400, error: 'invalid_scope' });
    });

    it('resource unknown to the realm → 403 access_denied', async () => {
      const w = world();
      const stranger = generateSigningKey();
      const rt = await createResourceToken(stranger, { iss: 'http://127.0.0.1:19198', aud: w.issuer, agent: w.autonomousAgent.id, agentJkt: w.autonomousAgent.delegateKey.thumbprint, scope: 'alpha:read' });
      expect(outcome(await w.token(w.autonomousAgent, { resource_token: rt }))).toEqual({ status: 403, error: 'access_denied' });
    });

    it('agent unknown to the realm → 403 access_denied', async () => {
      const w = world();
      const { createAgentToken } = await import('@aauth-ts/core');
      const server = generateSigningKey();
      const delegate = generateSigningKey();
      const jwt = await createAgentToken(server, { iss: 'http://127.0.0.1:19197', sub: 'x', cnfJwk: delegate.publicJwk });
      const res = await postJson(w.metadata.token_endpoint, { key: delegate, signatureKey: { scheme: 'jwt', jwt } }, { scope: 'alpha:read' });
      expect(outcome(res)).toEqual({ status: 403, error: 'access_denied' });
    });
  });
}
