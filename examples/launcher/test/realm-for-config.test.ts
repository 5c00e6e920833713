import { readFileSync } from 'node:fs';
import { loadConfig } from '../../common/src/config.js';
import { defaultRealmPath, identifierRewrites, realmForConfig, rewriteStrings, userIdOf } from '../src/realm-for-config.js';

const realm: unknown = JSON.parse(readFileSync(defaultRealmPath(), 'utf8'));

describe('realmForConfig', () => {
  it('leaves the realm alone on the default ports', () => {
    const config = loadConfig({});
    expect(identifierRewrites(config).size).toBe(0);
    expect(realmForConfig(config, realm)).toEqual(realm);
  });

  it('rewrites client ids and scope resources for other ports, and nothing else', () => {
    const config = loadConfig({ SCA_PORT: '19002', MAA_PORT: '19003', BACKEND_PORT: '18000', BACKEND_AUTONOMOUS_PORT: '18001', MCP_CLIENT_PORT: '18004' });
    const out = realmForConfig(config, realm) as { clients: { clientId: string }[]; clientScopes: { name: string; attributes?: Record<string, string> }[] };
    expect(out.clients.map((c) => c.clientId).sort()).toEqual([
      'http://backend-autonomous.localhost:18001', 'http://backend.localhost:18000',
      'http://market-analysis-agent.localhost:19003', 'http://mcp-client.localhost:18004', 'http://supply-chain-agent.localhost:19002',
    ]);
    expect(out.clientScopes.find((s) => s.name === 'supply-chain:catalogue')?.attributes?.['aauth.resource']).toBe('http://supply-chain-agent.localhost:19002');
    expect(out.clientScopes.find((s) => s.name === 'market-analysis:analyze')?.attributes?.['aauth.resource']).toBe('http://market-analysis-agent.localhost:19003');
    expect(JSON.stringify(out)).not.toMatch(/localhost:900[23]|localhost:800[014]/);
  });

  it('current profile: the same realm as Person Server, the demo user bound to the backend\'s agents', () => {
    const config = loadConfig({ DEMO_PROFILE: 'current', BACKEND_PORT: '18000' });
    const out = realmForConfig(config, realm) as { attributes: Record<string, string>; users: { username: string; attributes?: Record<string, string[]> }[] };
    expect(out.attributes).toMatchObject({ 'aauth.personServer': 'true', 'aauth.allowLoopback': 'true' });
    expect(out.attributes['aauth.pairwiseSalt']).toEqual(expect.any(String));
    expect(out.attributes['aauth.consentScopes']).toBe('["market-analysis:analyze"]');
    expect(out.users.find((u) => u.username === 'mcp-user')?.attributes?.['aauth.agentBinding']).toEqual([
      'http://backend.localhost:18000 aauth:web-ui@backend.localhost:18000',
      'http://backend-autonomous.localhost:8001 aauth:scheduler@backend-autonomous.localhost:8001',
    ]);
  });

  it('replaces whole strings only', () => {
    const rewrites = new Map([['http://a.localhost:1', 'http://a.localhost:2']]);
    expect(rewriteStrings({ x: ['http://a.localhost:1', 'http://a.localhost:1/path'], n: 1, b: null }, rewrites)).toEqual({ x: ['http://a.localhost:2', 'http://a.localhost:1/path'], n: 1, b: null });
  });

  it('finds the demo user id (the sub of every token issued for the user)', () => {
    expect(userIdOf(realm, 'mcp-user')).toMatch(/^[0-9a-f-]{36}$/);
    expect(userIdOf(realm, 'nobody')).toBeUndefined();
    expect(userIdOf({}, 'mcp-user')).toBeUndefined();
  });
});
