/**
 * A full flow with PyPI `aauth` as the agent (`interop/python/flow.py`): our express resource
 * (`requireAuth`) and the embedded auth server, over loopback. The Python agent signs with its own
 * agent token, meets the 401 `AAuth: require=auth-token` challenge, exchanges the resource token at
 * the token endpoint and retries with the auth token. Each release's steps are asserted: 0.1.1
 * (2026-03 wire) completes; 0.5.0 issues agent tokens only for https agent servers, so on loopback
 * it stops before its first request. Skips, saying so, like the matrix without the environments.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { PROFILE, exportPrivateJwk, generateSigningKey, toJwks } from '@aauth-ts/core';
import { aauth, aauthErrorHandler, type AAuthRequest } from '@aauth-ts/resource';
import { createAuthServer, type AuthServer } from '@aauth-ts/auth-server';
import { oneLine } from './our-side.js';
import { pinnedVersion, pythonReleases } from './python-aauth.js';
import { formatText, recordTable, type Row } from './table.js';

interface Step { readonly step: string; readonly status: number; readonly ok: boolean; readonly detail: string }

const STEPS = ['resource → 401 challenge', 'token endpoint → auth token', 'resource with auth token → 200'] as const;
/** The deviation behind a red step, per release. */
const WHY: Readonly<Record<string, string>> = {
  'py-aauth-0.5.0': 'it issues agent tokens only for https agent servers, so no loopback agent server can vouch',
};

/** One row per flow step: its outcome, a failure before any request standing for the first step. */
function stepRows(library: string, steps: readonly Step[], why: string | undefined): Row[] {
  let stopped = false;
  return STEPS.map((name) => {
    const keys = [library, 'py→ours', name];
    if (stopped) return { keys, outcome: 'not reached' };
    const step = steps.find((s) => s.step === name) ?? steps.find((s) => !STEPS.includes(s.step as (typeof STEPS)[number]));
    if (step?.ok === true) return { keys, outcome: 'green' };
    stopped = true;
    return { keys, outcome: 'RED', reason: step === undefined ? 'no answer' : oneLine(`${step.status === 0 ? 'Python' : String(step.status)}: ${step.detail}`), ...(why === undefined ? {} : { why }) };
  });
}

const releases = pythonReleases();
const skip = releases.some((r) => !r.installed) && process.env.CI !== 'true';
if (skip) process.stderr.write('\nPyPI aauth flow SKIPPED: no virtual environments; run `bash interop/python/setup.sh`.\n\n');

/** Per release: each step's name, status and whether it went as the flow needs. */
const EXPECTED: Readonly<Record<string, readonly object[]>> = {
  'py-aauth-0.1.1': [
    { step: 'resource → 401 challenge', status: 401, ok: true },
    { step: 'token endpoint → auth token', status: 200, ok: true },
    { step: 'resource with auth token → 200', status: 200, ok: true },
  ],
  // Its create_agent_token takes https issuers only: no loopback agent server can vouch.
  'py-aauth-0.5.0': [{ step: 'python', ok: false, detail: expect.stringMatching(/Invalid server identifier/) }],
};

async function listen(app: express.Express): Promise<{ url: string; server: Server }> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function runFlow(python: string, input: object): Promise<{ steps: Step[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [fileURLToPath(new URL('python/flow.py', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString('utf8'); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as { steps: Step[] }) : reject(new Error(`flow.py exited ${String(code)}`))));
    child.stdin.end(JSON.stringify(input));
  });
}

(skip ? describe.skip : describe)('PyPI aauth agent → our resource + embedded auth server', () => {
  const agentServerKey = generateSigningKey('Ed25519', 'py-flow-agent-server');
  let authServer: AuthServer;
  let agentHost: { url: string; server: Server };
  let resourceHost: { url: string; server: Server };
  const resourceApp = express();

  beforeAll(async () => {
    const agentApp = express();
    agentHost = await listen(agentApp);
    agentApp.get(`/.well-known/${PROFILE.wellKnown.agent}`, (_req, res) => { res.json({ agent: agentHost.url, jwks_uri: `${agentHost.url}/jwks.json` }); });
    agentApp.get('/jwks.json', (_req, res) => { res.json(toJwks([agentServerKey])); });
    resourceHost = await listen(resourceApp);
    authServer = createAuthServer({
      log: () => undefined,
      realm: {
        realm: 'interop',
        attributes: { 'aauth.allowLoopback': 'true' },
        clientScopes: [{ name: 'inventory:read', description: 'Read the inventory', attributes: { 'aauth.resource': resourceHost.url } }],
        clients: [
          { clientId: agentHost.url, name: 'Python agent', attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['inventory:read'] },
          { clientId: resourceHost.url, name: 'Inventory', attributes: { 'aauth.resource': 'true' } },
        ],
      },
    });
    const { issuer } = await authServer.listen(0);
    const mw = aauth({ resource: resourceHost.url, signingKey: generateSigningKey(), authServer: issuer, development: true });
    resourceApp.use(mw);
    resourceApp.get('/inventory', mw.requireAuth({ scope: 'inventory:read' }), (req, res) => { res.json({ agent: (req as AAuthRequest).aauth.agent }); });
    resourceApp.use(aauthErrorHandler({ log: () => undefined }));
  });

  const rows: Row[] = [];

  afterAll(async () => {
    if (rows.length > 0) {
      const table = { id: '3-python-agent-flow', title: 'PyPI aauth agent → our express resource + embedded auth server', head: ['library', 'flow', 'step'], rows };
      recordTable(table);
      process.stdout.write(`\n${formatText(table)}\n\n`);
    }
    await authServer.close();
    await Promise.all([agentHost, resourceHost].map(({ server }) => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); })));
  });

  test.each(releases.map((r) => [pinnedVersion(r), r] as const))('%s', async (_name, release) => {
    expect(release.installed).toBe(true);
    const { d } = exportPrivateJwk(agentServerKey) as { d: string };
    const { steps } = await runFlow(release.python, { resource: `${resourceHost.url}/inventory`, iss: agentHost.url, d, kid: agentServerKey.kid });
    rows.push(...stepRows(`aauth ${pinnedVersion(release).replace('aauth==', '')}`, steps, WHY[release.name]));
    expect(steps).toMatchObject(EXPECTED[release.name] ?? [{ ok: true }]);
    expect(steps).toHaveLength(EXPECTED[release.name]?.length ?? -1);
  }, 60_000);
});
