/** Resource access without a user (2026-03 §Token Endpoint; contract "Issued auth token"). */
import type { World } from '../support/world.js';
import { decodeJwt } from '../support/world.js';
import { outcome, verifyIssued } from '../support/flows.js';
import { postJson, signedRequest } from '../support/signed-fetch.js';

export function autonomousExchangeCases(world: () => World): void {
  describe('autonomous exchange', () => {
    it('issues 200 with exactly the §2.1 claims, verifiable with the published JWKS', async () => {
      const w = world();
      const agent = w.autonomousAgent;
      const rt = await w.resourceToken(w.alpha, agent, { scope: 'alpha:read' });
      const res = await w.token(agent, { resource_token: rt });
      expect(outcome(res)).toEqual({ status: 200, error: undefined });
      expect(res.headers.get('cache-control')).toContain('no-store');
      const token = res.json.auth_token as string;
      const { header, payload } = decodeJwt(token);
      expect(header.typ).toBe('auth+jwt');
      expect(typeof header.kid).toBe('string');
      expect(Object.keys(payload).sort()).toEqual(['agent', 'aud', 'cnf', 'exp', 'iat', 'iss', 'jti', 'scope']);
      expect(payload).toEqual(expect.objectContaining({ iss: w.issuer, aud: w.alpha.id, agent: agent.id, scope: 'alpha:read' }));
      expect(payload).not.toHaveProperty('act');
      expect(payload).not.toHaveProperty('sub');
      expect((payload.cnf as { jwk: Record<string, unknown> }).jwk).not.toHaveProperty('d');
      expect(res.json.expires_in).toBe((payload.exp as number) - (payload.iat as number));
      const claims = await verifyIssued(w, token, { aud: w.alpha.id, agent: agent.id, jkt: agent.delegateKey.thumbprint });
      expect(claims.iss).toBe(w.issuer);
    });

    it('carries the resource token txn into the auth token', async () => {
      const w = world();
      const agent = w.autonomousAgent;
      const rt = await w.resourceToken(w.alpha, agent, { scope: 'alpha:read', txn: 'txn-42' });
      const res = await w.token(agent, { resource_token: rt });
      expect(outcome(res)).toEqual({ status: 200, error: undefined });
      expect(decodeJwt(res.json.auth_token as string).payload.txn).toBe('txn-42');
    });

    it('accepts the jwks_uri Signature-Key scheme (agent id = id)', async () => {
      const w = world();
      const agent = w.autonomousAgent;
      const rt = await w.resourceToken(w.alpha, agent, { scope: 'alpha:read' });
      const signer = { key: agent.delegateKey, signatureKey: { scheme: 'jwks_uri' as const, id: agent.id, kid: agent.delegateKey.kid, dwk: 'aauth-agent.json' } };
      const res = await postJson(w.metadata.token_endpoint, signer, { resource_token: rt });
      expect(outcome(res)).toEqual({ status: 200, error: undefined });
      expect(decodeJwt(res.json.auth_token as string).payload.agent).toBe(agent.id);
    });

    it('accepts a form-encoded body', async () => {
      const w = world();
      const agent = w.autonomousAgent;
      const rt = await w.resourceToken(w.alpha, agent, { scope: 'alpha:read' });
      const body = new URLSearchParams({ resource_token: rt }).toString();
      const res = await signedRequest('POST', w.metadata.token_endpoint, await w.signer(agent), body, { contentType: 'application/x-www-form-urlencoded' });
      expect(outcome(res)).toEqual({ status: 200, error: undefined });
    });

    it('self-access: scope only gives a token whose aud is the agent', async () => {
      const w = world();
      const agent = w.autonomousAgent;
      const res = await w.token(agent, { scope: 'autonomous:self' });
      expect(outcome(res)).toEqual({ status: 200, error: undefined });
      const { payload } = decodeJwt(res.json.auth_token as string);
      expect(payload).toEqual(expect.objectContaining({ aud: agent.id, agent: agent.id, scope: 'autonomous:self' }));
    });
  });
}
