/**
 * docker-compose.yml, examples/Dockerfile and packages/keycloak-provider/Dockerfile, checked
 * statically (no Docker engine here): the structure, the paths they reference, and that ports,
 * identifiers and commands match the native demo (the same launcher flags, parsed by the
 * launcher's own CLI parser), and that the compose Keycloak is the native one (`npm run demo --
 * --keycloak`, scripts/keycloak.sh): same version, same realm file, same issuer origin and port.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { DEFAULT_PORTS, ENV, defaultIdentifiers, loadConfig } from '../../common/src/config.js';
import { keycloakLayout } from '../src/keycloak-auth-server.js';
import { parseCli } from '../src/main.js';
import { realmForConfig } from '../src/realm-for-config.js';
import { AUTH_SERVERS, SERVICES } from '../src/start-demo.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
type DependsOn = string[] | Record<string, { condition?: string; required?: boolean }>;
const compose = parse(readFileSync(`${root}docker-compose.yml`, 'utf8'), { merge: true }) as {
  name?: string;
  services: Record<string, {
    image?: string;
    build?: { context: string; dockerfile: string };
    command?: string[];
    ports?: string[];
    network_mode?: string;
    environment?: Record<string, string>;
    depends_on?: DependsOn;
    healthcheck?: { test: string[] };
    profiles?: string[];
  }>;
};
const dependencies = (d: DependsOn | undefined): string[] => (Array.isArray(d) ? d : Object.keys(d ?? {}));
const dockerfilePath = `${root}examples/Dockerfile`;
const dockerfile = readFileSync(dockerfilePath, 'utf8');
const keycloakDockerfilePath = `${root}packages/keycloak-provider/Dockerfile`;
const keycloakDockerfile = readFileSync(keycloakDockerfilePath, 'utf8');
const pom = readFileSync(`${root}packages/keycloak-provider/pom.xml`, 'utf8');
const keycloakScript = readFileSync(`${root}scripts/keycloak.sh`, 'utf8');
const realmJson = JSON.parse(readFileSync(`${root}keycloak-realm.json`, 'utf8')) as { realm: string; clients: { clientId: string }[] };
const NETWORK = 'demo-network';
const KEYCLOAK = 'keycloak';
const pomVersion = /<keycloak\.version>([^<]+)<\/keycloak\.version>/.exec(pom)?.[1];

/** `--name=value` flags of a command line. */
function flags(command: readonly string[]): Map<string, string> {
  return new Map(command.filter((a) => a.startsWith('--') && a.includes('=')).map((a) => [a.slice(2, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]));
}

describe('docker-compose.yml', () => {
  const services = compose.services;

  it('has one container per demo service, the network holder and Keycloak', () => {
    expect(Object.keys(services).sort()).toEqual([...SERVICES, NETWORK, KEYCLOAK].sort());
  });

  it('builds every demo service from examples/Dockerfile and Keycloak from the provider Dockerfile, with the repository as context', () => {
    for (const [name, service] of Object.entries(services)) {
      const dockerfileFor = name === KEYCLOAK ? 'packages/keycloak-provider/Dockerfile' : 'examples/Dockerfile';
      expect({ name, build: service.build }).toEqual({ name, build: { context: '.', dockerfile: dockerfileFor } });
      expect(existsSync(`${root}${service.build?.context}/${service.build?.dockerfile}`)).toBe(true);
    }
  });

  it('runs exactly one auth server: Keycloak under profile "keycloak" (the default, from .env), the embedded one under "embedded"', () => {
    const profiled = Object.entries(services).filter(([, s]) => s.profiles !== undefined).map(([name, s]) => [name, s.profiles]);
    expect(Object.fromEntries(profiled)).toEqual({ [KEYCLOAK]: ['keycloak'], 'auth-server': ['embedded'] });
    // docker compose reads COMPOSE_PROFILES from .env; `--profile embedded` replaces it.
    const env = readFileSync(`${root}.env`, 'utf8').split('\n').filter((l) => !l.startsWith('#') && l.trim() !== '');
    expect(env).toEqual(['COMPOSE_PROFILES=keycloak']);
    // The backend waits for whichever one is enabled; the other is then not part of the project.
    const depends = services.backend?.depends_on as Record<string, { condition?: string; required?: boolean }>;
    expect(depends[KEYCLOAK]).toEqual({ condition: 'service_healthy', required: false });
    expect(depends['auth-server']).toEqual({ condition: 'service_healthy', required: false });
    expect(services[KEYCLOAK]?.healthcheck).toBeDefined();
  });

  it('starts each demo service with the native launcher, --only <its own name>, with flags the launcher accepts', () => {
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
    for (const name of [...SERVICES, KEYCLOAK]) {
      expect(services[name]?.network_mode).toBe(`service:${NETWORK}`);
      expect(dependencies(services[name]?.depends_on)).toContain(NETWORK);
      // Ports cannot be published from a container that joins another's namespace.
      expect(services[name]?.ports).toBeUndefined();
    }
  });

  it('publishes the native default ports 1:1 (identifiers contain the port)', () => {
    const published = (services[NETWORK]?.ports ?? []).map((p) => p.split(':').slice(-2));
    for (const [host, container] of published) expect(host).toBe(container);
    expect(published.map(([host]) => Number(host)).sort()).toEqual(Object.values(DEFAULT_PORTS).sort());
  });

  it('publishes every port on the host\'s loopback only, never on all interfaces', () => {
    const ports = services[NETWORK]?.ports ?? [];
    expect(ports.length).toBeGreaterThan(0);
    for (const port of ports) expect(port).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
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
    const clients = realmJson.clients.map((c) => c.clientId);
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

  it('copies the package.json of every workspace before npm ci (npm ci installs the whole workspace set)', () => {
    const { workspaces } = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { workspaces: string[] };
    for (const workspace of workspaces) expect(copies).toContain(`${workspace}/package.json`);
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

describe('Keycloak in docker-compose.yml and natively', () => {
  const keycloak = compose.services[KEYCLOAK];
  const command = keycloak?.command ?? [];
  const native = keycloakLayout(loadConfig({}, false), realmJson as unknown as Record<string, unknown>);

  it('bakes no admin credentials into the image: compose passes them through from the environment, unset by default', () => {
    const instructions = keycloakDockerfile.split('\n').filter((line) => !line.trimStart().startsWith('#')).join('\n');
    expect(instructions).not.toMatch(/KC_BOOTSTRAP_ADMIN_(USERNAME|PASSWORD)|KEYCLOAK_ADMIN/);
    // A bare key (null in YAML) takes the value from the shell environment, and sets nothing when it is absent.
    const environment = keycloak?.environment as Record<string, string | null> | undefined;
    expect(environment).toEqual({ KC_BOOTSTRAP_ADMIN_USERNAME: null, KC_BOOTSTRAP_ADMIN_PASSWORD: null });
    expect(readFileSync(`${root}examples/README.md`, 'utf8')).toContain('KC_BOOTSTRAP_ADMIN_PASSWORD');
  });

  it('runs the optimized server and imports the realm at start', () => {
    expect(command.slice(0, 3)).toEqual(['start', '--optimized', '--import-realm']);
  });

  it('serves the issuer the demo services are configured with, at the native origin and port', () => {
    const f = flags(command);
    // Keycloak derives `iss` from --hostname; the native launcher passes the same origin to keycloak.sh.
    expect(f.get('hostname')).toBe(native.origin);
    expect(Number(f.get('http-port'))).toBe(native.port);
    expect(native.port).toBe(DEFAULT_PORTS.auth);
    const issuer = `${f.get('hostname')}/realms/${realmJson.realm}`;
    expect(issuer).toBe(defaultIdentifiers().issuer);
    for (const name of SERVICES) {
      if (name !== 'auth-server') expect(compose.services[name]?.environment?.[ENV.issuer]).toBe(issuer);
    }
  });

  it('checks its health at the realm metadata on the auth port', () => {
    const test = keycloak?.healthcheck?.test.join(' ') ?? '';
    expect(test).toContain(`/dev/tcp/127.0.0.1/${DEFAULT_PORTS.auth}`);
    expect(test).toContain(`GET /realms/${realmJson.realm}/.well-known/aauth-issuer.json`);
  });

  it('imports the same realm: the image copies keycloak-realm.json, the native launcher imports it unchanged for the default ports', () => {
    expect(keycloakDockerfile).toMatch(new RegExp(`^COPY keycloak-realm\\.json /opt/keycloak/data/import/${realmJson.realm}-realm\\.json$`, 'm'));
    expect(realmForConfig(loadConfig({}, false), realmJson)).toEqual(realmJson);
    expect(keycloakScript).toContain('add_realm "$ROOT/keycloak-realm.json"');
    expect(AUTH_SERVERS.keycloak).toBeDefined();
  });

  it('pins one Keycloak version: the Dockerfile, the pom (which scripts/keycloak.sh reads) and the docs agree', () => {
    expect(pomVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(/^ARG KEYCLOAK_VERSION=(\S+)$/m.exec(keycloakDockerfile)?.[1]).toBe(pomVersion);
    expect(keycloakScript).toMatch(/KC_VERSION="\$\(sed -n 's:\.\*<keycloak\.version>/);
    expect(keycloakScript).toContain('$PROVIDER_DIR/pom.xml');
    expect(readFileSync(`${root}packages/keycloak-provider/README.md`, 'utf8')).toContain(`Keycloak ${pomVersion}`);
  });
});

describe('packages/keycloak-provider/Dockerfile', () => {
  const stages = [...keycloakDockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?$/gm)].map((m) => ({ image: m[1], name: m[2] }));
  const copies = [...keycloakDockerfile.matchAll(/^COPY\s+(?!--from)(.+)$/gm)].map((m) => (m[1] as string).trim().split(/\s+/).slice(0, -1)).flat();

  it('has three stages: Maven builds the jar, Keycloak indexes it, the runtime image', () => {
    expect(stages).toEqual([
      { image: expect.stringMatching(/^maven:3\.9-eclipse-temurin-(17|21)$/), name: 'provider' },
      { image: 'quay.io/keycloak/keycloak:${KEYCLOAK_VERSION}', name: 'builder' },
      { image: 'quay.io/keycloak/keycloak:${KEYCLOAK_VERSION}', name: undefined },
    ]);
  });

  it('builds the jar the pom names and layers it into /opt/keycloak/providers/, then runs kc.sh build with the admin console tabs', () => {
    const finalName = /<finalName>([^<]+)<\/finalName>/.exec(pom)?.[1];
    expect(keycloakDockerfile).toMatch(/^RUN mvn -B -q package -DskipTests$/m);
    expect(keycloakDockerfile).toContain(`COPY --from=provider /build/target/${finalName}.jar /opt/keycloak/providers/`);
    expect(keycloakDockerfile).toMatch(/^RUN \/opt\/keycloak\/bin\/kc\.sh build --features=declarative-ui$/m);
    expect(keycloakDockerfile).toMatch(/^COPY --from=builder \/opt\/keycloak\/ \/opt\/keycloak\/$/m);
    expect(keycloakDockerfile).toMatch(/^ENTRYPOINT \["\/opt\/keycloak\/bin\/kc\.sh"\]$/m);
  });

  it('copies only paths that exist in the repository', () => {
    expect(copies).toEqual(expect.arrayContaining(['packages/keycloak-provider/pom.xml', 'packages/keycloak-provider/src', 'keycloak-realm.json']));
    for (const path of copies) expect({ path, exists: existsSync(`${root}${path}`) }).toEqual({ path, exists: true });
  });

  it('has an ignore file that keeps build output out but not what it copies', () => {
    const ignore = readFileSync(`${keycloakDockerfilePath}.dockerignore`, 'utf8').split('\n').filter((l) => l !== '');
    for (const entry of ['**/node_modules', '.keycloak', '.git', 'packages/keycloak-provider/target']) expect(ignore).toContain(entry);
    for (const path of copies) expect(ignore.filter((entry) => path === entry || path.startsWith(`${entry}/`))).toEqual([]);
  });
});
