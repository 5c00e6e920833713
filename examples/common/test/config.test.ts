import { ConfigError, DEFAULT_PORTS, defaultIdentifiers, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('defaults to the identifiers of keycloak-realm.json and pretty logs on a TTY', () => {
    const config = loadConfig({}, true);
    const ids = defaultIdentifiers();
    expect(config.issuer).toBe('http://localhost:8080/realms/aauth-test');
    expect(config.backend).toEqual({ identifier: ids.backend, port: DEFAULT_PORTS.backend });
    expect(config.supplyChain.identifier).toBe('http://supply-chain-agent.localhost:9002');
    expect(config.marketAnalysis.identifier).toBe('http://market-analysis-agent.localhost:9003');
    expect(config.backendAutonomous.identifier).toBe('http://backend-autonomous.localhost:8001');
    expect(config.logFormat).toBe('pretty');
    expect(config.development).toBe(true);
    expect(config.bindHost).toBe('127.0.0.1');
  });

  it('derives identifiers and the issuer from the ports, and logs JSON off a TTY', () => {
    const config = loadConfig({ SCA_PORT: '19002', AUTH_PORT: '18080' }, false);
    expect(config.supplyChain).toEqual({ identifier: 'http://supply-chain-agent.localhost:19002', port: 19002 });
    expect(config.issuer).toBe('http://localhost:18080/realms/aauth-test');
    expect(config.logFormat).toBe('json');
  });

  it('keeps the issuer a single setting (a real Keycloak replaces the embedded server)', () => {
    expect(loadConfig({ AAUTH_ISSUER: 'https://kc.example/realms/aauth-test' }).issuer).toBe('https://kc.example/realms/aauth-test');
  });

  it.each([
    [{ SCA_PORT: 'ninety' }, /SCA_PORT/],
    [{ BACKEND_PORT: '70000' }, /BACKEND_PORT/],
    [{ AAUTH_ISSUER: 'not a url' }, /AAUTH_ISSUER/],
    [{ LOG_FORMAT: 'xml' }, /LOG_FORMAT/],
    [{ MAA_ID: '::' }, /MAA_ID/],
  ])('refuses %j', (settings, message) => {
    expect(() => loadConfig(settings)).toThrow(ConfigError);
    expect(() => loadConfig(settings)).toThrow(message);
  });
});
