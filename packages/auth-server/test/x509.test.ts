/**
 * The `x509` Signature-Key scheme at the embedded token endpoint where the conformance realm
 * cannot go: a realm without `aauth.x509TrustAnchors`, and an attribute that is not PEM.
 */
import { createAuthServer } from '@aauth-ts/auth-server';
import { postJson } from '../../../conformance/support/signed-fetch.js';
import { Party } from '../../../conformance/support/parties.js';
import { realmFor, startFixture } from './helpers.js';

describe('x509 at the embedded token endpoint', () => {
  it('a realm without aauth.x509TrustAnchors refuses the scheme with 401 invalid_signature and says why', async () => {
    const f = await startFixture();
    try {
      const rt = await f.resource.resourceToken({ aud: f.issuer, agent: f.agent.id, agentJkt: f.agent.delegateKey.thumbprint, scope: 'data:read' });
      const signer = { key: f.agent.delegateKey, signatureKey: { scheme: 'x509' as const, x5u: `${f.agent.id}/chain.pem`, x5t: new Uint8Array(32) } };
      const res = await postJson(`${f.issuer}/protocol/aauth/token`, signer, { resource_token: rt });
      expect(res.status).toBe(401);
      expect(res.json).toMatchObject({ error: 'invalid_signature', error_description: expect.stringMatching(/no X\.509 trust anchors are configured/) as unknown });
    } finally {
      await f.close();
    }
  });

  it('an aauth.x509TrustAnchors value that holds no PEM certificate stops the realm from loading', () => {
    const agent = new Party({ port: 1, agent: true });
    const resource = new Party({ port: 2, resource: true });
    expect(() => createAuthServer({ log: () => undefined, realm: realmFor(agent, resource, { attributes: { 'aauth.x509TrustAnchors': 'not a certificate' } }) }))
      .toThrow(/aauth\.x509TrustAnchors.*PEM/);
  });
});
