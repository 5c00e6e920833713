/** Request-signature checks at the token endpoint (contract "Request signature"; wire notes §1.7). */
import { generateSigningKey } from '@aauth-ts/core';
import type { World } from '../support/world.js';
import { outcome } from '../support/flows.js';
import { postJson, signedRequest } from '../support/signed-fetch.js';

export function signatureRefusalCases(world: () => World): void {
  describe('signature refusals', () => {
    async function body(w: World): Promise<Record<string, unknown>> {
      return { resource_token: await w.resourceToken(w.alpha, w.autonomousAgent, { scope: 'alpha:read' }) };
    }

    it('tampered body (Content-Digest no longer matches) → 401 invalid_signature', async () => {
      const w = world();
      const b = await body(w);
      const res = await w.token(w.autonomousAgent, b, { tamperedBody: JSON.stringify({ ...b, scope: 'alpha:admin' }) });
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
    });

    it('missing signature → 401 invalid_signature', async () => {
      const w = world();
      const res = await postJson(w.metadata.token_endpoint, undefined, await body(w));
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
    });

    it('created too far in the past → 401 invalid_signature', async () => {
      const w = world();
      const res = await w.token(w.autonomousAgent, await body(w), { created: Math.floor(Date.now() / 1000) - 600 });
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
    });

    it('created too far in the future → 401 invalid_signature', async () => {
      const w = world();
      const res = await w.token(w.autonomousAgent, await body(w), { created: Math.floor(Date.now() / 1000) + 600 });
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
    });

    it('hwk scheme (pseudonymous) at the token endpoint → 401 invalid_signature', async () => {
      const w = world();
      const res = await postJson(w.metadata.token_endpoint, { key: w.autonomousAgent.delegateKey, signatureKey: { scheme: 'hwk' } }, await body(w));
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
    });

    it('request signed by a key other than the agent token cnf → 401 invalid_signature', async () => {
      const w = world();
      const jwt = await w.autonomousAgent.agentToken();
      const res = await postJson(w.metadata.token_endpoint, { key: generateSigningKey(), signatureKey: { scheme: 'jwt', jwt } }, await body(w));
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
    });

    it('agent token signed by a key its agent server does not publish → 401 invalid_agent_token', async () => {
      const w = world();
      const { createAgentToken } = await import('@aauth-ts/core');
      const agent = w.autonomousAgent;
      const jwt = await createAgentToken(generateSigningKey('Ed25519', agent.serverKey.kid), { iss: agent.id, sub: 'x', cnfJwk: agent.delegateKey.publicJwk });
      const res = await postJson(w.metadata.token_endpoint, { key: agent.delegateKey, signatureKey: { scheme: 'jwt', jwt } }, await body(w));
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_agent_token' });
    });

    it('a request signed for another @authority, sent with a forged Host naming it → 401 invalid_signature', async () => {
      // The server's @authority is its issuer's, never the Host a client sent (RFC 9421 §2.2.3).
      const w = world();
      const res = await w.token(w.autonomousAgent, await body(w), { forgedHost: 'auth.other.example' });
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
    });

    it('body that is not JSON → 400 invalid_request', async () => {
      const w = world();
      const res = await signedRequest('POST', w.metadata.token_endpoint, await w.signer(w.autonomousAgent), '{"resource_token":');
      expect(outcome(res)).toEqual({ status: 400, error: 'invalid_request' });
    });

    it('body naming no mode → 400 invalid_request', async () => {
      const w = world();
      const res = await w.token(w.autonomousAgent, { purpose: 'nothing else' });
      expect(outcome(res)).toEqual({ status: 400, error: 'invalid_request' });
    });
  });
}
