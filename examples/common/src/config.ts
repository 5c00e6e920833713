/**
 * The demo's settings: ports, agent/resource identifiers, the auth server's issuer and the log
 * format. Every value has a default that matches `keycloak-realm.json` and can be overridden by an
 * environment variable or a command-line flag, so tests can pick free ports and a real Keycloak can
 * replace the embedded auth server by changing `AAUTH_ISSUER` alone.
 *
 * Identifiers are `http://<name>.localhost:<port>`: the development relaxation of the draft's
 * identifier rule (wire notes §5.3; DESIGN.md "Identifiers"). `*.localhost` is loopback by
 * RFC 6761 §6.3; browsers resolve it, and our HTTP clients map it to 127.0.0.1 in development mode.
 */

import { AAUTH_CURRENT, type ProfileName } from '@aauth-ts/core';

export type LogFormat = 'json' | 'pretty';

/**
 * The wire profile the whole demo speaks: `2026-03` (the default story, an auth server issuing
 * every token) or `current` (draft-hardt-oauth-aauth-protocol, the auth server's realm acting as
 * Person Server: person tokens, then auth tokens from the Person Server).
 */
export const DEMO_PROFILES: Readonly<Record<string, ProfileName>> = Object.freeze({ '2026-03': 'aauth-2026-03', 'current': 'aauth-current' });

export interface ServiceSettings {
  /** The identifier other parties know this service by (agent id and/or resource id). */
  readonly identifier: string;
  readonly port: number;
}

export interface DemoConfig {
  /** Which wire profile every party speaks. */
  readonly profile: ProfileName;
  /** The auth server's issuer, `{origin}/realms/{realm}` (Keycloak's layout). */
  readonly issuer: string;
  /** Port of the embedded auth server (ignored when the issuer is an external server). */
  readonly authPort: number;
  /** Address the services listen on: 127.0.0.1 natively, 0.0.0.0 in containers. */
  readonly bindHost: string;
  /** Development mode: `http` loopback identifiers, loopback metadata, `*.localhost` → 127.0.0.1. */
  readonly development: boolean;
  readonly backend: ServiceSettings;
  /** The backend's second identity, used in autonomous mode (no user, no consent). */
  readonly backendAutonomous: ServiceSettings;
  readonly supplyChain: ServiceSettings;
  readonly marketAnalysis: ServiceSettings;
  /** The MCP client script's agent identity (`npm run demo:mcp`), served by the script while it runs. */
  readonly mcpClient: ServiceSettings;
  readonly logFormat: LogFormat;
  /** The demo user printed by the launcher (and used by `--once` to approve consent). */
  readonly user: { readonly username: string; readonly password: string; readonly id?: string };
}

export const DEFAULT_PORTS = Object.freeze({ auth: 8080, backend: 8000, backendAutonomous: 8001, supplyChain: 9002, marketAnalysis: 9003 });
/**
 * The MCP client script's port (`npm run demo:mcp`): not a service of the demo (nothing listens
 * there while the demo runs alone), but its identifier is a client of the realm.
 */
export const MCP_CLIENT_DEFAULT_PORT = 8004;
export const REALM_NAME = 'aauth-test';
export const HOST_NAMES = Object.freeze({
  backend: 'backend.localhost',
  backendAutonomous: 'backend-autonomous.localhost',
  supplyChain: 'supply-chain-agent.localhost',
  marketAnalysis: 'market-analysis-agent.localhost',
  mcpClient: 'mcp-client.localhost',
  auth: 'localhost',
});
export const DEMO_USER = Object.freeze({ username: 'mcp-user', password: 'mcp-password' });

/** Environment variables read by `loadConfig` (documented in examples/README.md). */
export const ENV = Object.freeze({
  issuer: 'AAUTH_ISSUER',
  authPort: 'AUTH_PORT',
  bindHost: 'BIND_HOST',
  development: 'AAUTH_DEVELOPMENT',
  backendPort: 'BACKEND_PORT',
  backendId: 'BACKEND_ID',
  backendAutonomousPort: 'BACKEND_AUTONOMOUS_PORT',
  backendAutonomousId: 'BACKEND_AUTONOMOUS_ID',
  supplyChainPort: 'SCA_PORT',
  supplyChainId: 'SCA_ID',
  marketAnalysisPort: 'MAA_PORT',
  marketAnalysisId: 'MAA_ID',
  mcpClientPort: 'MCP_CLIENT_PORT',
  mcpClientId: 'MCP_CLIENT_ID',
  logFormat: 'LOG_FORMAT',
  username: 'DEMO_USERNAME',
  password: 'DEMO_PASSWORD',
  userId: 'DEMO_USER_ID',
  realmFile: 'AAUTH_REALM_FILE',
  profile: 'DEMO_PROFILE',
});

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'invalid_config';
}

export const identifierFor = (host: string, port: number): string => `http://${host}:${port}`;
export const issuerFor = (port: number, realm = REALM_NAME): string => `http://${HOST_NAMES.auth}:${port}/realms/${realm}`;

function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${name} must be a port number, got ${JSON.stringify(value)}`);
  return n;
}

function identifier(value: string | undefined, host: string, p: number, name: string): string {
  if (value === undefined || value === '') return identifierFor(host, p);
  if (!URL.canParse(value)) throw new ConfigError(`${name} must be a URL, got ${JSON.stringify(value)}`);
  return value;
}

/** A flat view of settings: environment variables, with command-line flags laid over them. */
export type Settings = Readonly<Record<string, string | undefined>>;

/** Build the configuration from settings named as in `ENV`. */
export function loadConfig(settings: Settings = process.env, isTty = Boolean(process.stdout.isTTY)): DemoConfig {
  const authPort = port(settings[ENV.authPort], DEFAULT_PORTS.auth, ENV.authPort);
  const backendPort = port(settings[ENV.backendPort], DEFAULT_PORTS.backend, ENV.backendPort);
  const autoPort = port(settings[ENV.backendAutonomousPort], DEFAULT_PORTS.backendAutonomous, ENV.backendAutonomousPort);
  const scaPort = port(settings[ENV.supplyChainPort], DEFAULT_PORTS.supplyChain, ENV.supplyChainPort);
  const maaPort = port(settings[ENV.marketAnalysisPort], DEFAULT_PORTS.marketAnalysis, ENV.marketAnalysisPort);
  const mcpPort = port(settings[ENV.mcpClientPort], MCP_CLIENT_DEFAULT_PORT, ENV.mcpClientPort);
  const issuer = settings[ENV.issuer] || issuerFor(authPort);
  if (!URL.canParse(issuer)) throw new ConfigError(`${ENV.issuer} must be a URL, got ${JSON.stringify(issuer)}`);
  const format = settings[ENV.logFormat];
  if (format !== undefined && format !== '' && format !== 'json' && format !== 'pretty') throw new ConfigError(`${ENV.logFormat} must be "json" or "pretty"`);
  const profileSetting = settings[ENV.profile] || '2026-03';
  const profile = DEMO_PROFILES[profileSetting];
  if (profile === undefined) throw new ConfigError(`${ENV.profile} must be one of ${Object.keys(DEMO_PROFILES).join(', ')}, got ${JSON.stringify(profileSetting)}`);
  return {
    profile,
    issuer,
    authPort,
    bindHost: settings[ENV.bindHost] || '127.0.0.1',
    development: settings[ENV.development] !== 'false',
    backend: { port: backendPort, identifier: identifier(settings[ENV.backendId], HOST_NAMES.backend, backendPort, ENV.backendId) },
    backendAutonomous: { port: autoPort, identifier: identifier(settings[ENV.backendAutonomousId], HOST_NAMES.backendAutonomous, autoPort, ENV.backendAutonomousId) },
    supplyChain: { port: scaPort, identifier: identifier(settings[ENV.supplyChainId], HOST_NAMES.supplyChain, scaPort, ENV.supplyChainId) },
    marketAnalysis: { port: maaPort, identifier: identifier(settings[ENV.marketAnalysisId], HOST_NAMES.marketAnalysis, maaPort, ENV.marketAnalysisId) },
    mcpClient: { port: mcpPort, identifier: identifier(settings[ENV.mcpClientId], HOST_NAMES.mcpClient, mcpPort, ENV.mcpClientId) },
    logFormat: format === 'json' || format === 'pretty' ? format : isTty ? 'pretty' : 'json',
    user: {
      username: settings[ENV.username] || DEMO_USER.username,
      password: settings[ENV.password] || DEMO_USER.password,
      ...(settings[ENV.userId] ? { id: settings[ENV.userId] } : {}),
    },
  };
}

/** The identifiers of the default configuration, as written in `keycloak-realm.json`. */
export function defaultIdentifiers(): Readonly<Record<'issuer' | 'backend' | 'backendAutonomous' | 'supplyChain' | 'marketAnalysis' | 'mcpClient', string>> {
  return {
    issuer: issuerFor(DEFAULT_PORTS.auth),
    backend: identifierFor(HOST_NAMES.backend, DEFAULT_PORTS.backend),
    backendAutonomous: identifierFor(HOST_NAMES.backendAutonomous, DEFAULT_PORTS.backendAutonomous),
    supplyChain: identifierFor(HOST_NAMES.supplyChain, DEFAULT_PORTS.supplyChain),
    marketAnalysis: identifierFor(HOST_NAMES.marketAnalysis, DEFAULT_PORTS.marketAnalysis),
    mcpClient: identifierFor(HOST_NAMES.mcpClient, MCP_CLIENT_DEFAULT_PORT),
  };
}

/**
 * How a demo resource names its authorization server. 2026-03: the auth server issues its auth
 * tokens. Current profile, three-party: the Person Server both vouches for the person (person
 * tokens) and issues the auth tokens (§PS Token Endpoint), and is trusted by its exact issuer.
 */
export function resourceProfileOptions(config: DemoConfig): { authServer: string } | { profile: ProfileName; trustedPersonServers: readonly string[]; accessMode: 'auth-token' } {
  if (config.profile === AAUTH_CURRENT.name) return { profile: config.profile, trustedPersonServers: [config.issuer], accessMode: 'auth-token' };
  return { authServer: config.issuer };
}
