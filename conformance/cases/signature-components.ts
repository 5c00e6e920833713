/**
 * Required signature components (2026-03 §Covered Components, §Error Responses `invalid_signature`;
 * contract "Request signature"). The realm's policy `aauth.signatureComponents`: `strict` (default)
 * also requires `@query` with a query and `content-type content-digest` with a body, and says so in
 * `aauth-issuer.json`; `draft-minimum` (the suite's second realm) accepts the draft's four.
 */
import type { World } from '../support/world.js';
import { outcome } from '../support/flows.js';
import { postJson } from '../support/signed-fetch.js';

const DRAFT_FOUR = ['@method', '@authority', '@path', 'signature-key'];

export function signatureComponentCases(world: () => World): void {
  describe('signature components', () => {
    async function tokenBody(w: World, aud: string): Promise<Record<string, unknown>> {
      return { resource_token: await w.resourceToken(w.alpha, w.autonomousAgent, { scope: 'alpha:read', aud }) };
    }

    it('issuer metadata lists the components the token endpoint requires beyond the draft four', () => {
      expect(world().metadata.additional_signature_components).toEqual(['@query', 'content-type', 'content-digest']);
    });

    it('a token request signed over the draft four only → 401 invalid_signature naming required_components', async () => {
      const w = world();
      const res = await w.token(w.autonomousAgent, await tokenBody(w, w.issuer), { componentPolicy: 'draft-minimum' });
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
      expect(res.json.required_components).toEqual([...DRAFT_FOUR, 'content-type', 'content-digest']);
    });

    it('a draft-minimum realm publishes no extra components', () => {
      expect(world().minimum.metadata).not.toHaveProperty('additional_signature_components');
    });

    it('a draft-minimum realm issues an auth token for a request signed over the draft four only', async () => {
      const w = world();
      const { token_endpoint: endpoint } = w.minimum.metadata;
      const res = await postJson(endpoint, await w.signer(w.autonomousAgent), await tokenBody(w, w.minimum.issuer), { componentPolicy: 'draft-minimum' });
      expect(outcome(res)).toEqual({ status: 200, error: undefined });
      expect(typeof res.json.auth_token).toBe('string');
    });

    it('a draft-minimum realm still checks a Content-Digest the agent covers', async () => {
      const w = world();
      const body = await tokenBody(w, w.minimum.issuer);
      const res = await postJson(w.minimum.metadata.token_endpoint, await w.signer(w.autonomousAgent), body, { tamperedBody: JSON.stringify({ ...body, scope: 'alpha:admin' }) });
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
    });
  });
}
