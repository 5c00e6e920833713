/**
 * draft-hardt-oauth-aauth-protocol §Person Server Metadata, §JWKS Discovery and Caching, and the
 * realm switch `aauth.personServer` (docs/person-server-contract.md "Identifiers and endpoints").
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CurrentWorld } from '../../support/current/world.js';

export function personServerMetadataCases(world: () => CurrentWorld): void {
  describe('Person Server metadata', () => {
    it('aauth-person.json names its own issuer and the fixed endpoint layout under it', async () => {
      const w = world();
      const m = w.metadata;
      expect(m.issuer).toBe(w.issuer);
      expect(m.person_token_endpoint).toBe(`${w.issuer}/protocol/aauth/ps/person`);
      expect(m.auth_token_endpoint).toBe(`${w.issuer}/protocol/aauth/ps/token`);
      expect(m.mission_endpoint).toBe(`${w.issuer}/protocol/aauth/ps/mission`);
      expect(m.interaction_endpoint).toBe(`${w.issuer}/protocol/aauth/ps/interaction`);
      expect(m.jwks_uri).toBe(`${w.issuer}/protocol/openid-connect/certs`);
    });

    it('accept_signature_algs is exactly the shared list (packages/core/data/accept-signature-algs.json) on both servers', () => {
      const shared = (JSON.parse(readFileSync(fileURLToPath(new URL('../../../packages/core/data/accept-signature-algs.json', import.meta.url)), 'utf8')) as { algorithms: string[] }).algorithms;
      expect((world().metadata as unknown as Record<string, unknown>).accept_signature_algs).toEqual(shared);
    });

    it('the JWKS offers a key with the fully specified alg Ed25519 for the Person Server tokens', async () => {
      const w = world();
      const jwks = (await (await fetch(w.metadata.jwks_uri)).json()) as { keys: { alg?: string; kty?: string; crv?: string }[] };
      expect(jwks.keys.some((k) => k.alg === 'Ed25519' && k.kty === 'OKP' && k.crv === 'Ed25519')).toBe(true);
    });

    it('a realm without aauth.personServer publishes no aauth-person.json', async () => {
      const w = world();
      const res = await fetch(`${w.otherRealmIssuer}/.well-known/aauth-person.json`);
      expect(res.status).toBe(404);
    });
  });
}
