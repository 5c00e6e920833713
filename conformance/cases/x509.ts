/**
 * Agents identified by the `x509` Signature-Key scheme at the token endpoint (Signature-Key draft
 * at f22a52e, §X.509 Certificates; contract "x509 agents"). The realm's anchor is
 * `aauth.x509TrustAnchors` in conformance/realm.json; the chain and the leaf's key are test-only
 * fixtures made by fixtures/x509/make.sh (the leaf names the autonomous agent as a URI
 * subjectAltName). A chain to another anchor is made at test time with the openssl CLI.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { importSigningKey, generateSigningKey, type PrivateJwk, type SigningKey } from '@aauth-ts/core';
import { TestPki, x5tOf } from '../../packages/core/test/helpers/test-pki.js';
import { outcome, verifyIssued } from '../support/flows.js';
import type { Signer } from '../support/signed-fetch.js';
import type { World } from '../support/world.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../fixtures/x509/${name}`, import.meta.url)), 'utf8');
const PEM = 'application/pem-certificate-chain';

export function x509Cases(world: () => World): void {
  describe('x509 agents', () => {
    const chain = fixture('chain.pem');
    const expired = fixture('expired-chain.pem');
    const leafKey: SigningKey = importSigningKey(createPrivateKey(fixture('agent-key.pem')).export({ format: 'jwk' }) as PrivateJwk);
    let pki: TestPki;
    let untrusted: string;

    beforeAll(() => {
      const w = world();
      pki = new TestPki();
      const otherRoot = pki.root('other-root');
      untrusted = pki.issue(otherRoot, { name: 'untrusted-agent', key: leafKey.privateKey, san: `URI:${w.autonomousAgent.id}` }).pem;
      w.autonomousAgent.serveText('/x509/chain.pem', PEM, chain);
      w.autonomousAgent.serveText('/x509/expired.pem', PEM, expired);
      w.autonomousAgent.serveText('/x509/untrusted.pem', PEM, untrusted);
      w.alpha.serveText('/x509/chain.pem', PEM, chain);
    });
    afterAll(() => pki.dispose());

    const signer = (origin: string, path: string, pem: string, key: SigningKey = leafKey): Signer => ({ key, signatureKey: { scheme: 'x509', x5u: `${origin}${path}`, x5t: x5tOf(pem) } });

    async function request(w: World, s: Signer) {
      const rt = await w.resourceToken(w.alpha, w.autonomousAgent, { scope: 'alpha:read', jkt: leafKey.thumbprint });
      return w.token(w.autonomousAgent, { resource_token: rt }, { signer: s });
    }

    it('an agent whose chain leads to the realm\'s anchor gets an auth token bound to the leaf key', async () => {
      const w = world();
      const res = await request(w, signer(w.autonomousAgent.id, '/x509/chain.pem', chain));
      expect(outcome(res)).toEqual({ status: 200, error: undefined });
      await verifyIssued(w, res.json.auth_token as string, { aud: w.alpha.id, agent: w.autonomousAgent.id, jkt: leafKey.thumbprint });
    });

    it('an expired leaf is refused (401 invalid_signature)', async () => {
      const w = world();
      expect(outcome(await request(w, signer(w.autonomousAgent.id, '/x509/expired.pem', expired)))).toEqual({ status: 401, error: 'invalid_signature' });
    });

    it('a chain to an anchor the realm does not hold is refused (401 invalid_signature)', async () => {
      const w = world();
      expect(outcome(await request(w, signer(w.autonomousAgent.id, '/x509/untrusted.pem', untrusted)))).toEqual({ status: 401, error: 'invalid_signature' });
    });

    it('a request signed with a key other than the leaf\'s is refused (401 invalid_signature)', async () => {
      const w = world();
      expect(outcome(await request(w, signer(w.autonomousAgent.id, '/x509/chain.pem', chain, generateSigningKey('P-256'))))).toEqual({ status: 401, error: 'invalid_signature' });
    });

    it('x5t that does not name the leaf is refused (401 invalid_signature)', async () => {
      const w = world();
      const wrong = { ...signer(w.autonomousAgent.id, '/x509/chain.pem', chain), signatureKey: { scheme: 'x509' as const, x5u: `${w.autonomousAgent.id}/x509/chain.pem`, x5t: new Uint8Array(32) } };
      expect(outcome(await request(w, wrong))).toEqual({ status: 401, error: 'invalid_signature' });
    });

    it('x5u served from an origin that is not a registered agent is refused before any fetch (403 access_denied)', async () => {
      const w = world();
      expect(outcome(await request(w, signer(w.alpha.id, '/x509/chain.pem', chain)))).toEqual({ status: 403, error: 'access_denied' });
    });
  });
}
