/** Resource access without a user (2026-03 §Token Endpoint; contract "Issued auth token"). */
import { sign as cryptoSign } from 'node:crypto';
import { parseDictionary, type InnerList } from 'structured-headers';
import { buildSignatureBase } from '@aauth-ts/core';
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

    // Signature-Key draft at f22a52e, §JWKS URI Discovery: `id`, `well-known`, `kid`; a later
    // draft's `dwk` for the document is accepted too. The header is written out by hand so that the
    // parameter name under test is exactly what goes on the wire.
    it.each([
      ['well-known', 'well-known="aauth-agent.json"'],
      ['well-known without .json (the draft\'s example form)', 'well-known="aauth-agent"'],
      ['dwk (a later draft\'s name)', 'dwk="aauth-agent.json"'],
    ])('jwks_uri Signature-Key with %s: the agent (id) gets a token', async (_name, documentParam) => {
      const w = world();
      const agent = w.autonomousAgent;
      const key = agent.delegateKey;
      const rt = await w.resourceToken(w.alpha, agent, { scope: 'alpha:read' });
      const signer = { key, signatureKey: { scheme: 'jwks_uri' as const, id: agent.id, kid: key.kid } };
      const signatureKey = `sig=jwks_uri;id="${agent.id}";${documentParam};kid="${key.kid}"`;
      const res = await postJson(w.metadata.token_endpoint, signer, { resource_token: rt }, {
        replaceHeaders: (signed) => {
          const headers = { 'content-type': 'application/json', ...signed, 'signature-key': signatureKey };
          const inner = parseDictionary(signed['signature-input']).get('sig') as InnerList;
          const base = buildSignatureBase({ method: 'POST', url: new URL(w.metadata.token_endpoint), headers }, inner);
          return { 'signature-key': signatureKey, signature: `sig=:${cryptoSign(null, Buffer.from(base), key.privateKey).toString('base64')}:` };
        },
      });
      expect(outcome(res)).toEqual({ status: 200, error: undefined });
      expect(decodeJwt(res.json.auth_token as string).payload.agent).toBe(agent.id);
    });

    it('jwks_uri Signature-Key naming another document than aauth-agent.json → 401 invalid_signature', async () => {
      const w = world();
      const agent = w.autonomousAgent;
      const rt = await w.resourceToken(w.alpha, agent, { scope: 'alpha:read' });
      const signer = { key: agent.delegateKey, signatureKey: { scheme: 'jwks_uri' as const, id: agent.id, kid: agent.delegateKey.kid, wellKnown: 'aauth-issuer.json' } };
      const res = await postJson(w.metadata.token_endpoint, signer, { resource_token: rt });
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
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
