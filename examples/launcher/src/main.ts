/**
 * `npm run demo [-- options]`: start the demo and run until Ctrl-C, or with `--once` run the flow
 * headlessly and exit 0 on success. Every setting is also an environment variable (see ENV in
 * common/src/config.ts); flags win over the environment.
 */
import { parseArgs } from 'node:util';
import { AAUTH_CURRENT } from '@aauth-ts/core';
import { DEMO_PROFILES, ENV, type Settings } from '../../common/src/config.js';
import { A2A_CARD_PATH } from '../../common/src/a2a-card.js';
import { defaultRealmPath } from './realm-for-config.js';
import { runOnce, type OnceMode } from './run-once.js';
import { AUTH_SERVERS, SERVICES, startDemo, type ServiceName } from './start-demo.js';

export const USAGE = `usage: npm run demo -- [options]

  --profile 2026-03|current  wire profile (env ${ENV.profile}; default 2026-03); current: the realm is the Person Server
  --once                     run the flow headlessly (auto-approving consent), print every hop, exit 0 on success
  --mode user|autonomous     which flow --once runs (default user)
  --only SERVICE[,SERVICE]   start only these: ${SERVICES.join(', ')}
  --auth-server NAME         ${Object.keys(AUTH_SERVERS).join(' | ')} (default embedded; external = use --issuer as is)
  --keycloak                 same as --auth-server keycloak: a real Keycloak with the AAuth provider (needs Java 17+ and Maven)
  --issuer URL               the auth server's issuer (env ${ENV.issuer}); default http://localhost:<auth port>/realms/aauth-test
  --realm FILE               realm file (default keycloak-realm.json at the repository root)
  --free-ports               bind every service to a free port (the realm is rewritten to match)
  --auth-port N  --backend-port N  --backend-autonomous-port N  --sca-port N  --maa-port N
  --bind HOST                listen address (env ${ENV.bindHost}; default 127.0.0.1, 0.0.0.0 in containers)
  --log json|pretty          log format (env ${ENV.logFormat}; default pretty on a terminal, json otherwise)
  --quiet                    no per-hop service logs (errors only)
`;

const PORT_FLAGS: Readonly<Record<string, string>> = {
  'auth-port': ENV.authPort,
  'backend-port': ENV.backendPort,
  'backend-autonomous-port': ENV.backendAutonomousPort,
  'sca-port': ENV.supplyChainPort,
  'maa-port': ENV.marketAnalysisPort,
};

export interface CliOptions {
  readonly once: boolean;
  readonly mode: OnceMode;
  readonly only: readonly ServiceName[] | undefined;
  readonly authServer: string;
  readonly realmPath: string;
  readonly quiet: boolean;
  readonly help: boolean;
  readonly settings: Settings;
}

export function parseCli(argv: readonly string[], env: Settings): CliOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      'profile': { type: 'string' },
      'once': { type: 'boolean', default: false },
      'mode': { type: 'string', default: 'user' },
      'only': { type: 'string' },
      'auth-server': { type: 'string' },
      'keycloak': { type: 'boolean', default: false },
      'issuer': { type: 'string' },
      'realm': { type: 'string' },
      'free-ports': { type: 'boolean', default: false },
      'auth-port': { type: 'string' },
      'backend-port': { type: 'string' },
      'backend-autonomous-port': { type: 'string' },
      'sca-port': { type: 'string' },
      'maa-port': { type: 'string' },
      'bind': { type: 'string' },
      'log': { type: 'string' },
      'quiet': { type: 'boolean', default: false },
      'help': { type: 'boolean', short: 'h', default: false },
    },
  });
  const settings: Record<string, string | undefined> = { ...env };
  if (values['free-ports']) for (const name of Object.values(PORT_FLAGS)) settings[name] = '0';
  for (const [flag, name] of Object.entries(PORT_FLAGS)) {
    const value = (values as Record<string, unknown>)[flag];
    if (typeof value === 'string') settings[name] = value;
  }
  if (values.issuer !== undefined) settings[ENV.issuer] = values.issuer;
  if (values.bind !== undefined) settings[ENV.bindHost] = values.bind;
  if (values.log !== undefined) settings[ENV.logFormat] = values.log;
  if (values.profile !== undefined) settings[ENV.profile] = values.profile;
  const profile = settings[ENV.profile] || '2026-03';
  if (!(profile in DEMO_PROFILES)) throw new TypeError(`--profile must be one of ${Object.keys(DEMO_PROFILES).join(', ')}`);
  if (values.mode !== 'user' && values.mode !== 'autonomous') throw new TypeError('--mode must be "user" or "autonomous"');
  // Every token a Person Server issues is for a person (§Auth Token Structure: `sub` required).
  if (profile === 'current' && values.mode === 'autonomous') throw new TypeError('--mode autonomous: the current profile has no run without a person (every token its Person Server issues is for one)');
  let only: ServiceName[] | undefined;
  if (values.only !== undefined) {
    only = values.only.split(',').map((s) => s.trim()) as ServiceName[];
    const unknown = only.filter((s) => !(SERVICES as readonly string[]).includes(s));
    if (unknown.length > 0) throw new TypeError(`--only: unknown service(s) ${unknown.join(', ')} (known: ${SERVICES.join(', ')})`);
  }
  if (values.keycloak && values['auth-server'] !== undefined && values['auth-server'] !== 'keycloak') throw new TypeError('--keycloak and --auth-server name different auth servers');
  const authServer = values.keycloak ? 'keycloak' : values['auth-server'] ?? 'embedded';
  if (!(authServer in AUTH_SERVERS)) throw new TypeError(`--auth-server must be one of ${Object.keys(AUTH_SERVERS).join(', ')}`);
  return {
    once: values.once,
    mode: values.mode,
    only,
    authServer,
    realmPath: values.realm ?? env[ENV.realmFile] ?? defaultRealmPath(),
    quiet: values.quiet || values.once,
    help: values.help,
    settings,
  };
}

function banner(lines: readonly string[]): string {
  return `\n${lines.join('\n')}\n\n`;
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  let cli: CliOptions;
  try {
    cli = parseCli(argv, process.env);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (cli.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const demo = await startDemo({
    settings: cli.settings,
    realmPath: cli.realmPath,
    authServer: cli.authServer,
    quiet: cli.quiet,
    isTty: Boolean(process.stdout.isTTY),
    ...(cli.only ? { only: cli.only } : {}),
  });
  const { config } = demo;
  const serverLabel = config.profile === AAUTH_CURRENT.name ? 'Person Server       ' : 'auth server         ';
  const has = (s: ServiceName): boolean => demo.started.includes(s);
  process.stdout.write(banner([
    'AAuth supply-chain demo',
    ...(has('backend') ? [`  web UI              ${config.backend.identifier}/   (also http://localhost:${config.backend.port}/)`] : []),
    ...(config.profile === AAUTH_CURRENT.name ? [`  profile             current (draft-hardt-oauth-aauth-protocol): the realm is the Person Server`] : []),
    ...(has('auth-server') ? [`  ${serverLabel}${config.issuer}   (${cli.authServer})`] : [`  ${serverLabel}${config.issuer}`]),
    ...(has('supply-chain-agent') ? [`  supply-chain agent  ${config.supplyChain.identifier}${A2A_CARD_PATH}`] : []),
    ...(has('market-analysis-agent') ? [`  market-analysis     ${config.marketAnalysis.identifier}${A2A_CARD_PATH}`] : []),
    `  login               ${config.user.username} / ${config.user.password}`,
    ...(cli.once ? [] : ['  Ctrl-C to stop']),
  ]));

  if (cli.once) {
    if (!has('backend')) {
      process.stderr.write('--once needs the backend in this process\n');
      await demo.close();
      return 2;
    }
    let result: Awaited<ReturnType<typeof runOnce>>;
    try {
      result = await runOnce({
        config,
        userId: demo.userId,
        mode: cli.mode,
        backendUrl: `http://127.0.0.1:${config.backend.port}`,
        out: process.stdout,
      });
    } finally {
      await demo.close();
    }
    if (result.ok) {
      const forWhom = config.profile === AAUTH_CURRENT.name ? `, all for ${config.user.username} (a directed sub at each resource, from the Person Server)` : `, all for ${config.user.username}`;
      process.stdout.write(`\nOK: the chain is ${cli.mode === 'user' ? `backend → supply-chain agent → market-analysis agent${forWhom}` : 'backend (autonomous) → supply-chain agent → market-analysis agent, with no user'}\n`);
      return 0;
    }
    process.stdout.write(`\nFAILED:\n${result.reasons.map((r) => `  - ${r}`).join('\n')}\n`);
    return 1;
  }

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.stdout.write('\nstopping…\n');
  await demo.close();
  return 0;
}
