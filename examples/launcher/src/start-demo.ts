/**
 * Start the demo: the auth server (embedded, or an external one named by its issuer), the
 * market-analysis agent, the supply-chain agent, the backend with its UI, and the backend's
 * autonomous identity. Every listening socket is bound first, so port 0 (free ports) works: the
 * identifiers and the realm are then built from the ports actually bound.
 *
 * Auth servers are pluggable by name (`AUTH_SERVERS`): `embedded` runs `@aauth-ts/auth-server`
 * with the realm rewritten for the chosen ports; `keycloak` starts a real Keycloak with the AAuth
 * provider (scripts/keycloak.sh) and imports that same rewritten realm; `external` starts nothing
 * and trusts the issuer given by `AAUTH_ISSUER`/`--issuer` (a Keycloak you run yourself, for instance).
 */
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express } from 'express';
import { createAuthServer } from '@aauth-ts/auth-server';
import { createBackendApp, createAutonomousIdentityApp } from '../../backend/src/app.js';
import { ENV, issuerFor, loadConfig, type DemoConfig, type Settings } from '../../common/src/config.js';
import { boundPort, closeServer } from '../../common/src/http.js';
import { ACTORS } from '../../common/src/parties.js';
import { createStoryLogger, type StoryLogger } from '../../common/src/story-log.js';
import { createMarketAnalysisApp } from '../../market-analysis-agent/src/app.js';
import { createSupplyChainApp } from '../../supply-chain-agent/src/app.js';
import { startKeycloak } from './keycloak-auth-server.js';
import { loadRealmJson, realmForConfig, userIdOf } from './realm-for-config.js';

export const SERVICES = ['auth-server', 'backend', 'supply-chain-agent', 'market-analysis-agent'] as const;
export type ServiceName = typeof SERVICES[number];

export interface AuthServerHandle {
  readonly issuer: string;
  close(): Promise<void>;
}

export interface AuthServerStartContext {
  readonly config: DemoConfig;
  /** The realm with identifiers rewritten for the chosen ports. */
  readonly realm: Record<string, unknown>;
  /** A bound socket for the embedded server (port `config.authPort`). */
  readonly server: Server | undefined;
  readonly logger: StoryLogger;
}

export type AuthServerStarter = (context: AuthServerStartContext) => Promise<AuthServerHandle>;

export interface AuthServerKind {
  /** The launcher binds the auth port and hands the socket to `start`. */
  readonly bindsPort: boolean;
  /** The server listens on `config.authPort` itself, so port 0 (free ports) must become a real port first. */
  readonly ownsPort?: boolean;
  readonly start: AuthServerStarter;
}

/** A file of this repository, found from this module upwards (source or dist tree). */
export function repositoryFile(relative: string, from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`${relative} not found above ${from}`);
  }
}

export const AUTH_SERVERS: Readonly<Record<string, AuthServerKind>> = {
  embedded: {
    bindsPort: true,
    async start({ config, realm, server, logger }) {
      if (!server) throw new Error('the embedded auth server needs a bound socket');
      const origin = new URL(config.issuer).origin;
      const auth = createAuthServer({ realm, origin, log: (message, err) => logger.error(message, { error: String(err) }) });
      if (auth.issuer !== config.issuer) {
        throw new Error(`the realm "${String(realm.realm)}" at ${origin} gives issuer ${auth.issuer}, but ${ENV.issuer} is ${config.issuer}`);
      }
      attach(server, auth.app);
      // The socket belongs to the launcher, which closes it with the others.
      return { issuer: auth.issuer, close: async () => undefined };
    },
  },
  keycloak: {
    bindsPort: false,
    ownsPort: true,
    start: ({ config, realm, logger }) => startKeycloak({ config, realm, logger, script: repositoryFile('scripts/keycloak.sh'), progress: process.stderr }),
  },
  external: {
    bindsPort: false,
    async start({ config }) {
      return { issuer: config.issuer, close: async () => undefined };
    },
  },
};

export interface StartOptions {
  /** Environment and flags, named as in `ENV`. */
  readonly settings: Settings;
  readonly realmPath: string;
  /** Which auth server (a key of `AUTH_SERVERS`). Default `embedded`. */
  readonly authServer?: string;
  /** Start only these services (docker-compose runs one per container). Default: all. */
  readonly only?: readonly ServiceName[];
  /** Silence the per-hop story logs (errors are still written). */
  readonly quiet?: boolean;
  readonly isTty?: boolean;
}

export interface RunningDemo {
  readonly config: DemoConfig;
  /** `sub` of the demo user in the realm (what the chain must carry). */
  readonly userId: string | undefined;
  readonly started: readonly ServiceName[];
  close(): Promise<void>;
}

/** A port the demo was told to use is taken (a demo still running, say). */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(readonly port: number, readonly host: string) {
    super(`port ${port} on ${host} is already in use (is another demo still running?): stop what holds it, or run \`npm run demo -- --free-ports\` to put every service on a free port`);
  }
}

function bind(port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    const fail = (err: NodeJS.ErrnoException): void => reject(err.code === 'EADDRINUSE' ? new PortInUseError(port, host) : err);
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve(server);
    });
  });
}

/** A port free on `host` right now (for servers that bind it themselves). */
async function freePort(host: string): Promise<number> {
  const probe = await bind(0, host);
  const port = boundPort(probe);
  await closeServer(probe);
  return port;
}

function attach(server: Server, app: Express): void {
  server.on('request', app);
}

function quietLogger(inner: StoryLogger): StoryLogger {
  return { hop: () => undefined, info: () => undefined, error: (m, f) => inner.error(m, f) };
}

export async function startDemo(options: StartOptions): Promise<RunningDemo> {
  const only = new Set<ServiceName>(options.only ?? SERVICES);
  const authKind = options.authServer ?? 'embedded';
  const authServer = AUTH_SERVERS[authKind];
  if (!authServer) throw new Error(`unknown auth server "${authKind}" (known: ${Object.keys(AUTH_SERVERS).join(', ')})`);
  const first = loadConfig(options.settings, options.isTty);
  const servers: Server[] = [];
  const closers: (() => Promise<void> | void)[] = [];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c();
    await Promise.all(servers.map((s) => closeServer(s)));
  };
  try {
    // 1. Bind every socket this process serves, so port 0 becomes a real port before identifiers exist.
    const bindIf = async (wanted: boolean, port: number): Promise<Server | undefined> => {
      if (!wanted) return undefined;
      const server = await bind(port, first.bindHost);
      servers.push(server);
      return server;
    };
    const authSocket = await bindIf(only.has('auth-server') && authServer.bindsPort, first.authPort);
    const backendSocket = await bindIf(only.has('backend'), first.backend.port);
    const autonomousSocket = await bindIf(only.has('backend'), first.backendAutonomous.port);
    const scaSocket = await bindIf(only.has('supply-chain-agent'), first.supplyChain.port);
    const maaSocket = await bindIf(only.has('market-analysis-agent'), first.marketAnalysis.port);

    // 2. The configuration of the ports actually bound (explicit identifiers and issuer still win).
    const actual: Record<string, string | undefined> = { ...options.settings };
    const setPort = (name: string, server: Server | undefined): void => {
      if (server) actual[name] = String(boundPort(server));
    };
    setPort(ENV.authPort, authSocket);
    setPort(ENV.backendPort, backendSocket);
    setPort(ENV.backendAutonomousPort, autonomousSocket);
    setPort(ENV.supplyChainPort, scaSocket);
    setPort(ENV.marketAnalysisPort, maaSocket);
    if (!options.settings[ENV.issuer] && authSocket) actual[ENV.issuer] = issuerFor(boundPort(authSocket));
    if (only.has('auth-server') && authServer.ownsPort && first.authPort === 0) {
      const port = await freePort(first.bindHost);
      actual[ENV.authPort] = String(port);
      if (!options.settings[ENV.issuer]) actual[ENV.issuer] = issuerFor(port);
    }
    const realmJson = loadRealmJson(options.realmPath);
    actual[ENV.userId] ||= userIdOf(realmJson, first.user.username);
    const config = loadConfig(actual, options.isTty);
    const logger = (service: string): StoryLogger => {
      const base = createStoryLogger(service, config.logFormat, process.stdout, options.isTty);
      return options.quiet ? quietLogger(base) : base;
    };

    // 3. Start the services on their sockets.
    if (only.has('auth-server')) {
      const handle = await authServer.start({ config, realm: realmForConfig(config, realmJson), server: authSocket, logger: logger(ACTORS.authServer) });
      closers.push(() => handle.close());
    }
    if (maaSocket) attach(maaSocket, createMarketAnalysisApp({ config, logger: logger(ACTORS.marketAnalysis) }));
    if (scaSocket) attach(scaSocket, createSupplyChainApp({ config, logger: logger(ACTORS.supplyChain) }));
    if (backendSocket && autonomousSocket) {
      const backend = createBackendApp({ config, logger: logger(ACTORS.backend) });
      attach(backendSocket, backend.app);
      attach(autonomousSocket, createAutonomousIdentityApp(backend.identities.autonomous));
      closers.push(() => backend.close());
    }
    return { config, userId: config.user.id, started: SERVICES.filter((s) => only.has(s)), close };
  } catch (err) {
    await close();
    throw err;
  }
}
