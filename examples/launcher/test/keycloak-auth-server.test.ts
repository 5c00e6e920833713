/**
 * The `keycloak` auth server of the launcher without a JVM: the issuer layout it demands, and the
 * process control around scripts/keycloak.sh, exercised with a stand-in script (records its
 * arguments, starts nothing) and a loopback HTTP server that plays the realm's metadata endpoint.
 * The real Keycloak run is `npm run demo -- --keycloak --once` (and scripts/test-keycloak.sh).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../common/src/config.js';
import { boundPort, closeServer } from '../../common/src/http.js';
import type { StoryLogger } from '../../common/src/story-log.js';
import { KeycloakStartError, keycloakLayout, startKeycloak } from '../src/keycloak-auth-server.js';

const realm = { realm: 'aauth-test', users: [] };
const silent: StoryLogger = { hop: () => undefined, info: () => undefined, error: () => undefined };

describe('keycloakLayout', () => {
  it('takes origin and port from the issuer, which must be {origin}/realms/{realm} on the auth port', () => {
    expect(keycloakLayout(loadConfig({}, false), realm)).toEqual({ origin: 'http://localhost:8080', port: 8080, realmName: 'aauth-test' });
    expect(keycloakLayout(loadConfig({ AUTH_PORT: '18080' }, false), realm)).toEqual({ origin: 'http://localhost:18080', port: 18080, realmName: 'aauth-test' });
  });

  it.each<[Record<string, string>, RegExp]>([
    [{ AAUTH_ISSUER: 'http://localhost:8080/realms/other' }, /serves the realm "aauth-test"/],
    [{ AAUTH_ISSUER: 'http://localhost:8080/auth/realms/aauth-test' }, /serves the realm/],
    [{ AAUTH_ISSUER: 'https://localhost:8080/realms/aauth-test' }, /plain http/],
    [{ AUTH_PORT: '8081' }, /names port 8080, but the auth port is 8081/],
  ])('refuses %j', (settings, message) => {
    const config = loadConfig({ AAUTH_ISSUER: 'http://localhost:8080/realms/aauth-test', AUTH_PORT: '8080', ...settings }, false);
    expect(() => keycloakLayout(config, realm)).toThrow(KeycloakStartError);
    expect(() => keycloakLayout(config, realm)).toThrow(message);
  });

  it('refuses a realm without a name', () => {
    expect(() => keycloakLayout(loadConfig({}, false), {})).toThrow(/no "realm" name/);
  });
});

describe('startKeycloak (stand-in script)', () => {
  let dir: string;
  let metadata: Server;
  let port: number;
  let answerIssuer: string | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kc-launcher-test-'));
    metadata = createServer((req, res) => {
      if (answerIssuer !== undefined && req.url === '/realms/aauth-test/.well-known/aauth-issuer.json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: answerIssuer }));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => metadata.listen(0, '127.0.0.1', resolve));
    port = boundPort(metadata);
  });

  afterAll(async () => {
    await closeServer(metadata);
    rmSync(dir, { recursive: true, force: true });
  });

  /** A script that appends its arguments (and, on start, the imported realm's name) to a log, then exits with `code`. */
  function script(name: string, code: number): { path: string; log: string } {
    const log = join(dir, `${name}.log`);
    const path = join(dir, `${name}.sh`);
    writeFileSync(path, `#!/usr/bin/env bash
echo "$*" >> "${log}"
while [ $# -gt 0 ]; do
  if [ "$1" = --import ]; then sed -n 's/^  "realm": "\\(.*\\)",$/imported \\1/p' "$2" >> "${log}"; fi
  shift
done
exit ${code}
`);
    chmodSync(path, 0o755);
    return { path, log };
  }

  it('passes port, pinned hostname, background, pidfile and the realm to the script; close() stops it', async () => {
    answerIssuer = `http://localhost:${port}/realms/aauth-test`;
    const { path, log } = script('ok', 0);
    const config = loadConfig({ AUTH_PORT: String(port) }, false);
    const handle = await startKeycloak({ config, realm, script: path, logger: silent });
    expect(handle.issuer).toBe(answerIssuer);
    await handle.close();
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^--port ${port} --hostname http://localhost:${port} --background --skip-tests --pidfile \\S+/keycloak\\.pid --import \\S+/realm\\.json$`));
    expect(lines[1]).toBe('imported aauth-test');
    expect(lines[2]).toMatch(new RegExp(`^--stop --port ${port} --pidfile \\S+/keycloak\\.pid$`));
    expect(lines).toHaveLength(3);
    await handle.close();
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('fails with the script\'s exit code and stops what may have started', async () => {
    const { path, log } = script('fails', 3);
    const config = loadConfig({ AUTH_PORT: String(port) }, false);
    await expect(startKeycloak({ config, realm, script: path, logger: silent })).rejects.toThrow(/exited with 3/);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines[lines.length - 1]).toMatch(/^--stop --port \d+ --pidfile /);
  });

  it('fails when the realm metadata names another issuer (a Keycloak with another --hostname)', async () => {
    answerIssuer = `http://127.0.0.1:${port}/realms/aauth-test`;
    const { path, log } = script('wrong-issuer', 0);
    const config = loadConfig({ AUTH_PORT: String(port) }, false);
    await expect(startKeycloak({ config, realm, script: path, logger: silent, realmTimeoutMs: 1_000 })).rejects.toThrow(/does not describe http:\/\/localhost:\d+\/realms\/aauth-test \(issuer http:\/\/127\.0\.0\.1/);
    expect(readFileSync(log, 'utf8')).toMatch(/--stop --port/);
  });
});
