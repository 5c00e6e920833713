import { fileURLToPath } from 'node:url';
import { RealmConfigError, loadRealmFile, parseRealm } from '@aauth-ts/auth-server';

const root = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

const minimal = (over: Record<string, unknown> = {}): Record<string, unknown> => ({ realm: 'r', ...over });

describe('parseRealm', () => {
  it('loads the demo realm with its agents, scopes and consent rules', () => {
    const realm = loadRealmFile(root('keycloak-realm.json'));
    expect(realm.name).toBe('aauth-test');
    expect(realm.settings.allowLoopback).toBe(true);
    const backend = realm.clients.get('http://backend.localhost:8000');
    expect(backend).toEqual(expect.objectContaining({ isAgent: true, consentRequired: true, optionalClientScopes: ['supply-chain:optimize', 'market-analysis:analyze'] }));
    expect(realm.clients.get('http://backend-autonomous.localhost:8001')?.consentRequired).toBe(false);
    const sca = realm.clients.get('http://supply-chain-agent.localhost:9002');
    expect(sca).toEqual(expect.objectContaining({ isAgent: true, isResource: true, consentRequired: false, optionalClientScopes: ['market-analysis:analyze'] }));
    expect(realm.scopes.get('market-analysis:analyze')?.resource).toBe('http://market-analysis-agent.localhost:9003');
    // The MAA's MCP tool acts for its caller at the SCA's delegated-only catalogue.
    expect(realm.clients.get('http://market-analysis-agent.localhost:9003')).toEqual(expect.objectContaining({ isAgent: true, chainScopes: ['supply-chain:catalogue'], optionalClientScopes: ['supply-chain:catalogue'] }));
    expect(realm.scopes.get('supply-chain:catalogue')?.resource).toBe('http://supply-chain-agent.localhost:9002');
    expect(realm.clients.get('http://mcp-client.localhost:8004')).toEqual(expect.objectContaining({ isAgent: true, consentRequired: true, optionalClientScopes: ['market-analysis:analyze'] }));
    const user = realm.users.get('mcp-user');
    expect(user).toEqual(expect.objectContaining({ id: expect.any(String), email: 'mcp-user@example.com' }));
    expect(user?.password).toMatchObject({ kdf: 'scrypt' });
  });

  it('loads the conformance realm', () => {
    const realm = loadRealmFile(root('conformance/realm.json'));
    expect(realm.name).toBe('aauth-conformance');
    expect(realm.settings.consentScopes).toEqual(['beta:read']);
    expect(realm.clients.size).toBe(11);
    // The refresh cases' agents: 1 s tokens (Keycloak's per-client lifespan), one without a refresh window.
    expect(realm.clients.get('http://127.0.0.1:19112')).toEqual(expect.objectContaining({ accessTokenLifespan: 1, refreshWindow: 0 }));
  });

  it('uses Keycloak defaults for absent settings', () => {
    const realm = parseRealm(minimal());
    expect(realm.accessTokenLifespan).toBe(300);
    expect(realm.settings).toEqual({ allowLoopback: false, signatureWindow: 60, refreshWindow: 86400, earlyRefresh: true, pendingLifespan: 600, maxPollWait: 5, maxHeldPolls: 16, maxAuthAge: 36000, consentScopes: [], trustedIssuers: [], maxChainDepth: 15, chainActors: undefined, signatureComponents: 'strict', x509TrustAnchors: [], personServer: false, pairwiseSalt: undefined });
  });

  it('accepts attribute values given as single-element arrays, as Keycloak exports may', () => {
    const realm = parseRealm(minimal({ attributes: { 'aauth.trustedIssuers': ['["https://as.example/realms/x"]'] } }));
    expect(realm.settings.trustedIssuers).toEqual(['https://as.example/realms/x']);
  });

  it('reads aauth.signatureComponents (draft-minimum accepts the draft four)', () => {
    expect(parseRealm(minimal({ attributes: { 'aauth.signatureComponents': 'draft-minimum' } })).settings.signatureComponents).toBe('draft-minimum');
  });

  it('reads aauth.earlyRefresh and a refresh window of 0 (no refresh once expired)', () => {
    const realm = parseRealm(minimal({ attributes: { 'aauth.earlyRefresh': 'false', 'aauth.refreshWindow': '0' } }));
    expect(realm.settings).toEqual(expect.objectContaining({ earlyRefresh: false, refreshWindow: 0 }));
  });

  it('an empty access.token.lifespan on a client inherits the realm\'s, as in Keycloak', () => {
    const realm = parseRealm(minimal({ clients: [{ clientId: 'https://a.example', attributes: { 'aauth.agent': 'true', 'access.token.lifespan': '' } }] }));
    expect(realm.clients.get('https://a.example')?.accessTokenLifespan).toBeUndefined();
  });

  it('ignores ordinary OIDC clients', () => {
    const realm = parseRealm(minimal({ clients: [{ clientId: 'account-console', attributes: {} }] }));
    expect(realm.clients.size).toBe(0);
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ['no realm name', { realm: undefined }, 'realm'],
    ['a non-string attribute', minimal({ attributes: { 'aauth.allowLoopback': true } }), 'attributes.aauth.allowLoopback'],
    ['a flag that is not true/false', minimal({ attributes: { 'aauth.allowLoopback': 'yes' } }), 'attributes.aauth.allowLoopback'],
    ['a list that is not a JSON array', minimal({ attributes: { 'aauth.consentScopes': 'a,b' } }), 'attributes.aauth.consentScopes'],
    ['a window that is not a positive integer', minimal({ attributes: { 'aauth.signatureWindow': '-5' } }), 'attributes.aauth.signatureWindow'],
    ['an early-refresh flag that is not true/false', minimal({ attributes: { 'aauth.earlyRefresh': 'no' } }), 'attributes.aauth.earlyRefresh'],
    ['a negative refresh window', minimal({ attributes: { 'aauth.refreshWindow': '-1' } }), 'attributes.aauth.refreshWindow'],
    ['a client token lifespan of 0', minimal({ clients: [{ clientId: 'https://a.example', attributes: { 'aauth.agent': 'true', 'access.token.lifespan': '0' } }] }), 'clients[0].attributes.access.token.lifespan'],
    ['an unknown signature-components policy', minimal({ attributes: { 'aauth.signatureComponents': 'lenient' } }), 'attributes.aauth.signatureComponents'],
    ['a user without id', minimal({ users: [{ username: 'u' }] }), 'users[0].id'],
    ['an agent clientId that is not an origin', minimal({ clients: [{ clientId: 'https://a.example/path', attributes: { 'aauth.agent': 'true' } }] }), 'clients[0].clientId'],
    ['an unknown optional scope', minimal({ clients: [{ clientId: 'https://a.example', attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['nope'] }] }), 'clients[0].optionalClientScopes[0]'],
    ['a scope naming a non-resource', minimal({ clientScopes: [{ name: 's', attributes: { 'aauth.resource': 'https://r.example' } }] }), 'clientScopes[name=s].attributes.aauth.resource'],
  ];
  it.each(bad)('refuses %s with the offending path', (_name, json, path) => {
    let caught: unknown;
    try {
      parseRealm(json);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RealmConfigError);
    expect((caught as RealmConfigError).path).toBe(path);
  });
});
