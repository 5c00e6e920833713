import { parseCli } from '../src/main.js';

describe('parseCli', () => {
  it('maps flags onto the same settings as the environment, flags winning', () => {
    const cli = parseCli(['--sca-port', '19002', '--issuer', 'https://kc.example/realms/aauth-test', '--log', 'json'], { SCA_PORT: '1', LOG_FORMAT: 'pretty' });
    expect(cli.settings).toMatchObject({ SCA_PORT: '19002', AAUTH_ISSUER: 'https://kc.example/realms/aauth-test', LOG_FORMAT: 'json' });
    expect(cli.once).toBe(false);
    expect(cli.authServer).toBe('embedded');
  });

  it('--free-ports asks for port 0 everywhere; an explicit port still wins', () => {
    const cli = parseCli(['--free-ports', '--backend-port', '18000'], {});
    expect(cli.settings).toMatchObject({ AUTH_PORT: '0', SCA_PORT: '0', MAA_PORT: '0', BACKEND_AUTONOMOUS_PORT: '0', BACKEND_PORT: '18000' });
  });

  it('--once implies quiet service logs', () => {
    expect(parseCli(['--once'], {})).toMatchObject({ once: true, quiet: true, mode: 'user' });
    expect(parseCli(['--once', '--mode', 'autonomous'], {}).mode).toBe('autonomous');
  });

  it('--keycloak selects the keycloak auth server, like --auth-server keycloak', () => {
    expect(parseCli(['--keycloak'], {}).authServer).toBe('keycloak');
    expect(parseCli(['--keycloak', '--auth-server', 'keycloak', '--once'], {}).authServer).toBe('keycloak');
    expect(parseCli(['--auth-server', 'keycloak'], {}).authServer).toBe('keycloak');
  });

  it('--profile current sets the profile for every party; the default stays 2026-03', () => {
    expect(parseCli(['--profile', 'current'], {}).settings).toMatchObject({ DEMO_PROFILE: 'current' });
    expect(parseCli([], {}).settings.DEMO_PROFILE).toBeUndefined();
  });

  it.each([
    [['--profile', 'draft-99'], /--profile must be one of 2026-03, current/],
    [['--profile', 'current', '--mode', 'autonomous'], /no run without a person/],
    [['--keycloak', '--auth-server', 'embedded'], /different auth servers/],
    [['--mode', 'root'], /--mode/],
    [['--only', 'backend,database'], /unknown service/],
    [['--auth-server', 'ldap'], /--auth-server/],
    [['--bogus'], /Unknown option/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCli(argv, {})).toThrow(message);
  });
});
