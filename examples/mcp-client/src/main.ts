/**
 * `npm run demo:mcp`: a small MCP client against the running demo (2026-03 profile). It is an
 * agent of its own (`http://mcp-client.localhost:8004` by default, a client of the demo realm
 * that needs the user's consent), serves its identity documents on its port while it runs, lists
 * the market-analysis agent's MCP tools and calls `market_outlook` through AAuth (the user approves
 * in the browser, or `--approve` approves as the demo user), then prints the outlook and the `act`
 * chain of the tool's delegated hop to the supply-chain agent. `--json` prints the whole result.
 */
import { createServer, type Server } from 'node:http';
import express from 'express';
import { AAuthClient, AgentServer, AgentSession, type InteractionHandler } from '@aauth-ts/agent';
import { approveConsent } from '../../launcher/src/auto-consent.js';
import { closeServer } from '../../common/src/http.js';
import { loadConfig, type DemoConfig } from '../../common/src/config.js';
import { partyNames } from '../../common/src/parties.js';
import { mcpOutlook, type McpOutlookRun } from './mcp-outlook.js';

export interface McpClientOptions {
  /** A socket already listening on `config.mcpClient.port` to serve the identity on (left open). */
  readonly bound?: Server;
  /** The user's approval is needed (the realm asks consent for this agent): show or drive it. */
  readonly onInteraction: InteractionHandler;
}

/** Serve the client's identity on `config.mcpClient.port` and run the MCP calls as that agent. */
export async function runMcpClient(config: DemoConfig, options: McpClientOptions): Promise<McpOutlookRun> {
  const { bound, onInteraction } = options;
  const agent = new AgentServer({ identifier: config.mcpClient.identifier, development: config.development });
  const app = express();
  app.use(agent.router());
  const server = bound ?? createServer();
  server.on('request', app);
  if (bound === undefined) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.mcpClient.port, config.bindHost, () => resolve());
    });
  }
  try {
    const client = new AAuthClient({ session: AgentSession.delegateOf(agent, { sub: 'mcp-client' }), development: config.development, authServers: [config.issuer], onInteraction });
    return await mcpOutlook(config, client);
  } finally {
    if (bound === undefined) await closeServer(server);
    else server.off('request', app);
  }
}

/** The chain as people read it: each actor, outermost (the one calling now) first. */
export function describeChain(config: DemoConfig, act: readonly string[]): string {
  const names = partyNames(config);
  return act.map((id) => `${names[id] ?? id} (${id})`).join('\n    acting for ');
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const config = loadConfig(process.env, false);
  // `--approve`: approve as the demo user over HTTP, as `npm run demo -- --once` does.
  const onInteraction: InteractionHandler = argv.includes('--approve')
    ? (interaction) => approveConsent(interaction.url, config.user, config.development)
    : (interaction) => { process.stderr.write(`open ${interaction.url} and approve as ${config.user.username} (waiting)\n`); };
  const run = await runMcpClient(config, { onInteraction });
  if (argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
    return 0;
  }
  const { delegation } = run.outlook.downstream;
  process.stdout.write([
    `MCP tools of ${config.marketAnalysis.identifier}/mcp: ${run.tools.join(', ')}`,
    `market_outlook for ${Object.keys(run.outlook.analysis.segments).join(', ')} / ${Object.keys(run.outlook.analysis.regions).join(', ')} (${run.outlook.analysis.horizonWeeks} weeks)`,
    `the tool's delegated hop to ${run.outlook.downstream.resource}: token for ${partyNames(config)[delegation.subject] ?? delegation.subject}, act (outermost first):`,
    `    ${describeChain(config, delegation.act)}`,
    '',
  ].join('\n'));
  return 0;
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  main().then((code) => process.exit(code), (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
