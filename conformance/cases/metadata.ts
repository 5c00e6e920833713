/** Metadata: `aauth-issuer.json` (2026-03 §Metadata) and the JWKS, in Keycloak's URL layout. */
import { PROFILE } from '@aauth-ts/core';
import type { World } from '../support/world.js';

export function metadataCases(world: () => World): void {
  describe('metadata', () => {
    it('aauth-issuer.json names the issuer and its endpoints under {issuer}', async () => {
      const w = world();
      expect(w.metadata).toEqual(expect.objectContaining({
        issuer: w.issuer,
        token_endpoint: `${w.issuer}/protocol/aauth/token`,
        interaction_endpoint: `${w.issuer}/protocol/aauth/interact`,
        jwks_uri: `${w.issuer}/protocol/openid-connect/certs`,
      }));
    });

    it('is also served without the .json suffix', async () => {
      const w = world();
      const res = await fetch(`${w.issuer}/.well-known/${PROFILE.wellKnown.issuer.replace(/\.json$/, '')}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { issuer: string }).issuer).toBe(w.issuer);
    });

    it('the JWKS publishes public signing keys only', async () => {
      const w = world();
      const res = await fetch(w.metadata.jwks_uri);
      expect(res.status).toBe(200);
      const jwks = (await res.json()) as { keys: Record<string, unknown>[] };
      expect(jwks.keys.length).toBeGreaterThan(0);
      for (const key of jwks.keys) {
        expect(typeof key.kid).toBe('string');
        for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(priv);
      }
    });
  });
}
