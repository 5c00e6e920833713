/** Options are validated when the resource is built: misuse is a TypeError, never a per-request failure. */
import { MemoryStore, generateSigningKey } from '@aauth-ts/core';
import { AAuthResource, aauth, requireAuth, type ResourceOptions } from '@aauth-ts/resource';

const base: ResourceOptions = { resource: 'https://resource.example', signingKey: generateSigningKey(), authServer: 'https://auth.example/realms/demo' };

describe('resource options', () => {
  test('a valid configuration builds, with trustedIssuers defaulting to the auth server', () => {
    const r = new AAuthResource(base);
    expect(r.options.trustedIssuers).toEqual(['https://auth.example/realms/demo']);
    expect(r.options.resourceTokenLifetime).toBe(300);
    expect(r.metadata).toEqual({ resource: 'https://resource.example', jwks_uri: 'https://resource.example/.well-known/jwks.json', additional_signature_components: ['@query', 'content-type', 'content-digest'] });
  });

  test.each<[string, Partial<Record<keyof ResourceOptions | 'nope', unknown>>]>([
    ['resource with a path', { resource: 'https://resource.example/api' }],
    ['resource over http without development', { resource: 'http://127.0.0.1:3000' }],
    ['resource over http on a public host even in development', { resource: 'http://resource.example:3000', development: true }],
    ['a missing signing key', { signingKey: undefined }],
    ['a public JWK as signing key', { signingKey: { kty: 'OKP' } }],
    ['an auth server with a query', { authServer: 'https://auth.example/realms/demo?x=1' }],
    ['an auth server with a trailing slash', { authServer: 'https://auth.example/realms/demo/' }],
    ['empty trustedIssuers', { trustedIssuers: [] }],
    ['a non-integer window', { signatureWindow: 1.5 }],
    ['a zero token lifetime', { resourceTokenLifetime: 0 }],
    ['an unknown derived component', { additionalSignatureComponents: ['@nonsense'] }],
    ['a bad scope description', { scopeDescriptions: { 'a b': 'x' } }],
    ['a misspelt option', { nope: true }],
    ['replay methods that are not methods', { replay: { methods: ['GET /x'] } }],
  ])('%s is a TypeError', (_name, patch) => {
    expect(() => new AAuthResource({ ...base, ...patch } as ResourceOptions)).toThrow(TypeError);
  });

  test.each<[string, unknown, RegExp]>([
    ['no secret', { store: new MemoryStore() }, /"sharedCache"\.secret must be .* at least 32 bytes/],
    ['a secret shorter than 32 bytes', { store: new MemoryStore(), secret: 'x'.repeat(31) }, /"sharedCache"\.secret must be .* at least 32 bytes/],
    ['no store', { secret: 'x'.repeat(32) }, /"sharedCache"\.store must be a SharedStore/],
    ['a misspelt member', { store: new MemoryStore(), secret: 'x'.repeat(32), ttl: 1 }, /"sharedCache": unknown option "ttl"/],
  ])('sharedCache with %s is a TypeError: no secret, no shared verdicts', (_name, sharedCache, message) => {
    expect(() => new AAuthResource({ ...base, sharedCache } as ResourceOptions)).toThrow(message);
  });

  test('sharedCache with a store and a 32-byte secret builds', () => {
    expect(() => new AAuthResource({ ...base, sharedCache: { store: new MemoryStore(), secret: new Uint8Array(32) } })).not.toThrow();
  });

  test('development allows loopback http + port identifiers', () => {
    expect(() => new AAuthResource({ ...base, resource: 'http://127.0.0.1:3000', authServer: 'http://localhost:8080/realms/demo', development: true })).not.toThrow();
  });

  test('route requirements validate their scope at mount time', () => {
    expect(() => requireAuth({ scope: 'ok "bad"' })).toThrow(TypeError);
    expect(() => aauth(base).requireAuth({ scope: ['a', 'b\\c'] })).toThrow(TypeError);
    expect(() => aauth(base, { serveMetadata: 'yes' as unknown as boolean })).toThrow(TypeError);
  });

  describe('profile', () => {
    const current: ResourceOptions = { resource: 'https://resource.example', signingKey: generateSigningKey(), profile: 'aauth-current', trustedPersonServers: ['https://ps.example/realms/demo'] };

    test('the default profile is 2026-03; a current-profile resource needs no auth server (three-party) and trusts Person Servers by exact string', () => {
      expect(new AAuthResource(base).options.profiles).toEqual(['aauth-2026-03']);
      const r = new AAuthResource(current);
      expect(r.options).toMatchObject({ profiles: ['aauth-current'], authServer: undefined, trustedIssuers: [], trustedPersonServers: ['https://ps.example/realms/demo'] });
      expect(new AAuthResource({ ...base, profile: ['aauth-current', 'aauth-2026-03'] }).options.profiles).toEqual(['aauth-current', 'aauth-2026-03']);
    });

    test.each<[string, Partial<Record<keyof ResourceOptions, unknown>>]>([
      ['an unknown profile name', { profile: 'aauth-2025' }],
      ['an empty profile list', { profile: [] }],
      ['a profile listed twice', { profile: ['aauth-current', 'aauth-current'] }],
      ['2026-03 without an auth server', { profile: ['aauth-current', 'aauth-2026-03'] }],
      ['a Person Server with a trailing slash', { trustedPersonServers: ['https://ps.example/'] }],
      ['an access mode the draft does not define', { accessMode: 'magic' }],
    ])('%s is a TypeError', (_name, patch) => {
      expect(() => new AAuthResource({ ...current, ...patch } as ResourceOptions)).toThrow(TypeError);
    });

    test('the current-profile options need that profile', () => {
      expect(() => new AAuthResource({ ...base, trustedPersonServers: ['https://ps.example'] })).toThrow(/needs the "aauth-current" profile/);
      expect(() => new AAuthResource({ ...base, accessMode: 'auth-token' })).toThrow(/needs the "aauth-current" profile/);
    });
  });
});
