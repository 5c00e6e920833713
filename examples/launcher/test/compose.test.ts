/**
 * docker-compose.yml and examples/Dockerfile, checked statically (no Docker engine here): the
 * structure, the paths they reference, and that ports, identifiers and commands match the native
 * demo (the same launcher flags, parsed by the launcher's own CLI parser).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { DEFAULT_PORTS, ENV, defaultIdentifiers, loadConfig } from '../../common/src/config.js';
import { parseCli } from '../src/main.js';
import { SERVICES } from '../src/start-demo.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const compose = parse(readFileSync(`${root}docker-compose.yml`, 'utf8'), { merge: true }) as {
  name?: string;
  services: Record<string, {
    image?: string;
    build?: { context: string; dockerfile: string };
    command?: string[];
    ports?: string[];
    network_mode?: string;
    environment?: Record<string, string>;
    depends_on?: string[];
    healthcheck?: { test: string[] };
  }>;
};
const dockerfilePath = `${root}examples/Dockerfile`;
const dockerfile = readFileSync(dockerfilePath, 'utf8');
const NETWORK = 'demo-network';

describe('docker-compose.yml', () => {
  const services = compose.services;

  it('has one container per demo service plus the network holder', () => {
    expect(Object.keys(services).sort()).toEqual([...SERVICES, NETWORK].sort());
  });

  it('builds every service from examples/Dockerfile with the repository as context', () => {
    for (const [name, service] of Object.entries(services)) {
      expect({ name, build: service.build }).toEqual({ name, build: { context: '.', dockerfile: 'examples/Dockerfile' } });
      expect(existsSync(`${root}${service.build?.context}/${service.build?.dockerfile}`)).toBe(true);
    }
  });

  it('starts each service with the native launcher, --only <its own name>, with flags the launcher accepts', () => {
    for (const name of SERVICES) {
      const command = services[name]?.command ?? [];
      expect(command.slice(0, 2)).toEqual(['node', 'scripts/demo.js']);
      const args = command.slice(2);
      const cli = parseCli(args, services[name]?.environment ?? {});
      expect(cli.only).toEqual([name]);
      expect(cli.once).toBe(false);
      expect(existsSync(`${root}${cli.realmPath}`)).toBe(true);
    }
  });

  it('shares one network namespace, so *.localhost identifiers mean the same as natively', () => {
    for (const name of SERVICES) {
      expect(services[name]?.network_mode).toBe(`service:${NETWORK}`);
      expect(services[name]?.depends_on).toContain(NETWORK);
      // Ports cannot be published from a container that joins another's namespace.
      expect(services[name]?.ports).toBeUndefined();
    }
  });

  it('publishes the native default ports 1:1 (identifiers contain the port)', () => {
    const published = (services[NETWORK]?.ports ?? []).map((p) => p.split(':'));
    for (const [host, container] of published) expect(host).toBe(container);
    expect(published.map(([host]) => Number(host)).sort()).toEqual(Object.values(DEFAULT_PORTS).sort());
  });

  it('configures each service like the native defaults, listening on all interfaces', () => {
    const ids = defaultIdentifiers();
    for (const name of SERVICES) {
      const env = services[name]?.environment ?? {};
      expect(env[ENV.issuer]).toBe(ids.issuer);
      expect(env[ENV.bindHost]).toBe('0.0.0.0');
      const config = loadConfig(env, false);
      expect(config.backend.identifier).toBe(ids.backend);
      expect(config.backendAutonomous.identifier).toBe(ids.backendAutonomous);
      expect(config.supplyChain.identifier).toBe(ids.supplyChain);
      expect(config.marketAnalysis.identifier).toBe(ids.marketAnalysis);
    }
  });

  it('checks the auth server health at the issuer metadata on the default port', () => {
    const test = services['auth-server']?.healthcheck?.test.join(' ') ?? '';
    expect(test).toContain(`127.0.0.1:${DEFAULT_PORTS.auth}/realms/aauth-test/.well-known/aauth-issuer.json`);
  });

  it('uses identifiers that are clients of keycloak-realm.json', () => {
    const realm = JSON.parse(readFileSync(`${root}keycloak-realm.json`, 'utf8')) as { clients: { clientId: string }[] };
    const clients = realm.clients.map((c) => c.clientId);
    const ids = defaultIdentifiers();
    for (const id of [ids.backend, ids.backendAutonomous, ids.supplyChain, ids.marketAnalysis]) expect(clients).toContain(id);
  });
});

describe('examples/Dockerfile', () => {
  const copies = [...dockerfile.matchAll(/^COPY\s+(?!--from)(.+)$/gm)].map((m) => (m[1] as string).trim().split(/\s+/).slice(0, -1)).flat();

  it('copies only paths that exist in the repository', () => {
    expect(copies.length).toBeGreaterThan(0);
    for (const path of copies) expect({ path, exists: existsSync(`${root}${path}`) }).toEqual({ path, exists: true });
  });

  it('copies every workspace package the examples depend on', () => {
    for (const pkg of ['core', 'resource', 'agent', 'auth-server']) {
      expect(copies).toContain(`packages/${pkg}/package.json`);
      expect(copies).toContain(`packages/${pkg}`);
    }
  });

  it('builds the examples and runs the launcher', () => {
    expect(dockerfile).toMatch(/^RUN npx tsc -b examples/m);
    expect(dockerfile).toMatch(/^CMD \["node", "scripts\/demo.js"\]$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it('exposes the default ports', () => {
    const exposed = /^EXPOSE (.+)$/m.exec(dockerfile)?.[1]?.split(/\s+/).map(Number).sort();
    expect(exposed).toEqual(Object.values(DEFAULT_PORTS).sort());
  });

  it('has a Dockerfile-specific ignore file that keeps build output and secrets out', () => {
    const ignore = readFileSync(`${dockerfilePath}.dockerignore`, 'utf8').split('\n');
    for (const entry of ['**/node_modules', '**/dist', '.git', '.keycloak']) expect(ignore).toContain(entry);
  });
});
