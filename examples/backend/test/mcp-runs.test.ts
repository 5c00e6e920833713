/**
 * The page's MCP panel, through the backend's API over real HTTP on free loopback ports: the
 * backend, for the demo user (who approves over HTTP), calls the market-analysis agent's
 * `market_outlook` over MCP; the run reports the tool's delegated hop with its `act` chain, each
 * actor named and outermost first: [market-analysis agent, backend], for mcp-user.
 */
import { approveConsent } from '../../launcher/src/auto-consent.js';
import { defaultRealmPath } from '../../launcher/src/realm-for-config.js';
import { startDemo, type RunningDemo } from '../../launcher/src/start-demo.js';
import { SCOPES } from '../../common/src/scopes.js';
import type { McpRunState } from '../src/mcp-runs.js';

const FREE = { AUTH_PORT: '0', BACKEND_PORT: '0', BACKEND_AUTONOMOUS_PORT: '0', SCA_PORT: '0', MAA_PORT: '0', LOG_FORMAT: 'json' };

describe('the backend\'s MCP runs (the page\'s "Ask over MCP")', () => {
  let demo: RunningDemo;
  let api: string;

  beforeAll(async () => {
    demo = await startDemo({ settings: FREE, realmPath: defaultRealmPath(), quiet: true, isTty: false });
    api = `http://127.0.0.1:${demo.config.backend.port}/api/mcp-runs`;
  }, 30_000);

  afterAll(async () => {
    await demo?.close();
  });

  async function until(id: string, done: (run: McpRunState) => boolean): Promise<McpRunState> {
    for (;;) {
      const run = await (await fetch(`${api}/${id}`)).json() as McpRunState;
      if (done(run) || run.status === 'failed') return run;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('after the user approves, the run shows the delegated hop\'s act chain, outermost first', async () => {
    const { config } = demo;
    const started = await fetch(api, { method: 'POST' });
    expect(started.status).toBe(202);
    const { id } = await started.json() as { id: string };
    const waiting = await until(id, (run) => run.status === 'awaiting-consent');
    expect(waiting.status).toBe('awaiting-consent');
    await approveConsent(waiting.interaction?.url as string, config.user, config.development);
    const run = await until(id, (r) => r.status === 'done');
    expect(run.error).toBeUndefined();
    expect(run.tools).toEqual(['market_outlook']);
    expect(run.delegatedHop).toEqual({
      resource: config.supplyChain.identifier,
      subject: { id: demo.userId, name: config.user.username },
      act: [{ id: config.marketAnalysis.identifier, name: 'market-analysis agent' }, { id: config.backend.identifier, name: 'backend' }],
      scope: [SCOPES.catalogue],
    });
  }, 60_000);

  it('an unknown run → 404 with a JSON error', async () => {
    const res = await fetch(`${api}/nope`);
    expect(res.status).toBe(404);
    expect((await res.json()).error).toBe('invalid_request');
  });
});
