/** The current profile object beside 2026-03 (draft-hardt-oauth-aauth-protocol at a99d353). */
import { AAUTH_2026_03, AAUTH_CURRENT, PROFILE, profileByName, isProfileName, statusOf } from '@aauth-ts/core';

describe('profiles by name', () => {
  it('aauth-2026-03 stays the default; aauth-current is the second profile', () => {
    expect(PROFILE).toBe(AAUTH_2026_03);
    expect(profileByName('aauth-2026-03')).toBe(AAUTH_2026_03);
    expect(profileByName('aauth-current')).toBe(AAUTH_CURRENT);
    expect(isProfileName('aauth-current')).toBe(true);
    expect(() => profileByName('aauth-2025' as 'aauth-current')).toThrow(TypeError);
  });

  it('the current profile names the draft\'s headers, types and documents', () => {
    expect(AAUTH_CURRENT.headers).toMatchObject({ requirement: 'AAuth-Requirement', access: 'AAuth-Access', capabilities: 'AAuth-Capabilities', signatureError: 'Signature-Error', acceptSignatureScheme: 'Accept-Signature-Scheme', acceptSignatureAlg: 'Accept-Signature-Alg' });
    expect(AAUTH_CURRENT.typ).toEqual({ agent: 'aa-agent+jwt', person: 'aa-person+jwt', resource: 'aa-resource+jwt', auth: 'aa-auth+jwt' });
    expect(Object.values(AAUTH_CURRENT.wellKnown)).toEqual(['aauth-agent.json', 'aauth-person.json', 'aauth-access.json', 'aauth-resource.json']);
    expect(AAUTH_CURRENT.signatureKeySchemes).toEqual(['jwt']);
    expect(AAUTH_CURRENT.algorithms).not.toContain('EdDSA');
  });

  it('shared concepts keep the same member names in both profiles', () => {
    for (const key of ['headers', 'components', 'requiredComponents', 'bodyComponents', 'signatureComponents', 'typ', 'wellKnown', 'errors', 'tokenRequest', 'interaction', 'deferred'] as const) {
      expect(AAUTH_CURRENT).toHaveProperty(key);
      expect(AAUTH_2026_03).toHaveProperty(key);
    }
  });

  it('a code keeps its status per profile: invalid_agent_token is 401 in 2026-03 and 400 in the current draft', () => {
    expect(statusOf('invalid_agent_token')).toBe(401);
    expect(statusOf('invalid_agent_token', AAUTH_CURRENT)).toBe(400);
    expect(statusOf('mission_terminated')).toBe(403);
  });
});

describe('core modules take the profile as data', () => {
  it('under aauth-current a jwks_uri Signature-Key names its document with dwk (SK §JWKS URI Discovery); 2026-03 keeps well-known', async () => {
    const { serializeSignatureKey } = await import('@aauth-ts/core');
    const key = { label: 'sig', scheme: 'jwks_uri', id: 'https://ps.example', wellKnown: 'aauth-person.json', kid: 'k1' } as const;
    expect(serializeSignatureKey(key, { profile: AAUTH_CURRENT })).toBe('sig=jwks_uri;id="https://ps.example";dwk="aauth-person.json";kid="k1"');
    expect(serializeSignatureKey(key)).toBe('sig=jwks_uri;id="https://ps.example";well-known="aauth-person.json";kid="k1"');
  });
});
