/**
 * The demo's MCP surface over real HTTP on free loopback ports: the MCP client (an agent of the
 * realm, on a socket the test owns, approved by the demo user over HTTP) lists the market-analysis agent's tools
 * and calls `market_outlook` through AAuth; the tool's downstream call to the supply-chain agent's
 * catalogue carries a delegated token whose `act` is [market-analysis agent, MCP client].
 */
import { createServer, type Server } from 'node:http';
import { boundPort, closeServer } from '../../common/src/http.js';
import { approveConsent } from '../../launcher/src/auto-consent.js';
import { defaultRealmPath } from '../../launcher/src/realm-for-config.js';
import { startDemo, type RunningDemo } from '../../launcher/src/start-demo.js';
import { SCOPES } from '../../common/src/scopes.js';
import { describeChain, runMcpClient } from '../src/main.js';

const FREE = { AUTH_PORT: '0', BACKEND_PORT: '0', BACKEND_AUTONOMOUS_PORT: '0', SCA_PORT: '0', MAA_PORT: '0', LOG_FORMAT: 'json' };

describe('the demo over MCP (npm run demo:mcp)', () => {
  let demo: RunningDemo;
  let own: Server;

  beforeAll(async () => {
    own = createServer();
    await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
    demo = await startDemo({
      settings: { ...FREE, MCP_CLIENT_PORT: String(boundPort(own)) },
      realmPath: defaultRealmPath(),
      only: ['auth-server', 'supply-chain-agent', 'market-analysis-agent'],
      quiet: true,
      isTty: false,
    });
  }, 30_000);

  afterAll(async () => {
    await demo?.close();
    if (own) await closeServer(own);
  });

  it('lists market_outlook and calls it; the supply-chain agent sees the chain market-analysis agent ← MCP client', async () => {
    const { config } = demo;
    const run = await runMcpClient(config, { bound: own, onInteraction: (interaction) => approveConsent(interaction.url, config.user, config.development) });
    expect(run.tools).toEqual(['market_outlook']);
    expect(run.outlook.caller).toEqual({ agent: config.mcpClient.identifier, sub: demo.userId, scopes: [SCOPES.marketRead] });
    expect(run.outlook.downstream).toEqual({
      resource: config.supplyChain.identifier,
      delegation: { issuer: config.issuer, subject: demo.userId, act: [config.marketAnalysis.identifier, config.mcpClient.identifier], scope: [SCOPES.catalogue] },
    });
    expect(Object.keys(run.outlook.analysis.segments).length).toBeGreaterThan(0);
    expect(describeChain(config, run.outlook.downstream.delegation.act)).toBe(`market-analysis agent (${config.marketAnalysis.identifier})\n    acting for MCP client (${config.mcpClient.identifier})`);
  });
});
