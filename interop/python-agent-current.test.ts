/**
 * A Python agent built on PyPI `aauth` (newest pinned release) through surfaces 2-4 of the current
 * profile against our resource (`profile: 'aauth-current'`) and our embedded Person Server, over
 * loopback (`interop/python/agent_current.py`). The agent's key and agent token come from our
 * agent provider (the library issues agent tokens only for https issuers); the person's part, the
 * consent on the Person Server's interaction page, is played here when the agent announces it.
 *
 *  - `signer`: the library signs every request (`sig=jwt`) and reads every `AAuth-Requirement`.
 *  - `library`: the library's own `request_person_token`, which checks the Person Server identifier.
 *
 * Skips, saying so, without the virtual environment (fails instead on CI).
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { exportPrivateJwk, generateSigningKey } from '@aauth-ts/core';
import { aauth, aauthErrorHandler, type AAuthRequest } from '@aauth-ts/resource';
import { AgentServer } from '@aauth-ts/agent';
import { createAuthServer, type AuthServer } from '@aauth-ts/auth-server';
import { attemptInteraction } from '../conformance/support/consent-driver.js';
import { oneLine } from './our-side.js';
import { newestRelease, pinnedVersion } from './python-aauth.js';
import { formatText, recordTable, type KnownRed, type Row } from './table.js';

interface Step { readonly step: string; readonly status: number; readonly ok: boolean; readonly detail: string }

const STEPS = [
  'resource → 401 person-token',
  'PS → person token',
  'resource → 401 auth-token + resource token',
  'PS → auth token',
  'resource with auth token → 200',
] as const;
const PERSON = { username: 'interop-person', password: 'interop-password' };

/** The red step of each mode, with the deviation behind it; every other step green. */
const EXPECTED: Readonly<Record<string, Readonly<Record<string, KnownRed>>>> = {
  signer: {},
  library: {
    'PS → person token': {
      reason: /Invalid server identifier|Server identifier/,
      why: 'ours: it takes a Person Server only by an https identifier without port or path (§Server Identifiers); ours is {origin}/realms/{realm} on loopback',
    },
  },
};

const release = newestRelease();
const skip = !release.installed && process.env.CI !== 'true';
if (skip) process.stderr.write(`\nPyPI aauth current-profile agent flow SKIPPED: no virtual environment for ${pinnedVersion(release)}; run \`bash interop/python/setup.sh\`.\n\n`);

interface Host { readonly origin: string; close(): Promise<void> }

async function host(app: express.Express): Promise<Host> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Runs the Python agent; each interaction it announces on stderr is approved as the person. */
function runAgent(input: object, interactionEndpoint: string): Promise<{ steps: Step[]; interactions: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(release.python, [fileURLToPath(new URL('python/agent_current.py', import.meta.url))], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let interactions = 0;
    const decisions: Promise<unknown>[] = [];
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
      let newline = err.indexOf('\n');
      while (newline >= 0) {
        const line = err.slice(0, newline);
        err = err.slice(newline + 1);
        newline = err.indexOf('\n');
        const ask = ((): { code?: string } => { try { return JSON.parse(line) as { code?: string }; } catch { return {}; } })();
        if (typeof ask.code !== 'string') continue;
        interactions += 1;
        decisions.push(attemptInteraction(interactionEndpoint, ask.code, PERSON, 'approve'));
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      void Promise.allSettled(decisions).then(() => {
        if (code !== 0) { reject(new Error(`agent_current.py exited ${String(code)}: ${err.trim().slice(-300)}`)); return; }
        resolve({ steps: (JSON.parse(out) as { steps: Step[] }).steps, interactions });
      });
    });
    child.stdin.end(JSON.stringify(input));
  });
}

function rows(library: string, mode: string, steps: readonly Step[]): Row[] {
  let stopped = false;
  return STEPS.map((name) => {
    const keys = [library, mode, name];
    if (stopped) return { keys, outcome: 'not reached' };
    const step = steps.find((s) => s.step === name) ?? steps.find((s) => !(STEPS as readonly string[]).includes(s.step));
    if (step?.ok === true) return { keys, outcome: 'green' };
    stopped = true;
    const why = EXPECTED[mode]?.[name]?.why;
    return { keys, outcome: 'RED', reason: step === undefined ? 'no answer' : oneLine(`${step.status === 0 ? 'Python' : String(step.status)}: ${step.detail}`), ...(why === undefined ? {} : { why }) };
  });
}

(skip ? describe.skip : describe)(`PyPI ${pinnedVersion(release)} agent → our resource + embedded Person Server (current profile)`, () => {
  let ps: AuthServer;
  let issuer: string;
  let provider: AgentServer;
  let providerHost: Host;
  let resourceHost: Host;
  const table: Row[] = [];

  beforeAll(async () => {
    const providerApp = express();
    providerHost = await host(providerApp);
    const resourceApp = express();
    resourceHost = await host(resourceApp);
    ps = createAuthServer({
      log: () => undefined,
      realm: {
        realm: 'interop-ps',
        attributes: { 'aauth.allowLoopback': 'true', 'aauth.personServer': 'true', 'aauth.pairwiseSalt': 'interop-pairwise-salt' },
        users: [{ id: 'b7e2c1d0-0000-4000-8000-00000000000a', username: PERSON.username, enabled: true, credentials: [{ type: 'password', value: PERSON.password }] }],
        clientScopes: [{ name: 'data.read', description: 'Read the data', attributes: { 'aauth.resource': resourceHost.origin } }],
        clients: [
          { clientId: providerHost.origin, name: 'Interop agent provider', attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['data.read'] },
          { clientId: resourceHost.origin, name: 'Interop resource', attributes: { 'aauth.resource': 'true' } },
        ],
      },
    });
    issuer = (await ps.listen(0, '127.0.0.1')).issuer;
    // Its agent tokens name no `ps` (OPTIONAL, §Agent Token Structure): the Python agent is told its Person Server.
    provider = new AgentServer({ identifier: providerHost.origin, development: true, profile: 'aauth-current' });
    providerApp.use(provider.router());
    const guard = aauth({ resource: resourceHost.origin, signingKey: generateSigningKey(), development: true, profile: 'aauth-current', trustedPersonServers: [issuer] });
    resourceApp.use(guard);
    resourceApp.get('/data', guard.requireAuth({ scope: 'data.read' }), (req, res) => { res.json({ sub: (req as AAuthRequest).aauth.sub ?? null }); });
    resourceApp.use(aauthErrorHandler({ log: () => undefined }));
  });

  afterAll(async () => {
    if (table.length > 0) {
      const t = { id: '7-python-agent-current', profile: 'aauth-current' as const, title: `PyPI ${pinnedVersion(release)} agent → our resource + our embedded Person Server (surfaces 2-4)`, head: ['library', 'mode', 'step'], rows: table };
      recordTable(t);
      process.stdout.write(`\n${formatText(t)}\n\n`);
    }
    await ps?.close();
    await Promise.all([providerHost?.close(), resourceHost?.close()]);
  });

  test.each(['signer', 'library'] as const)('%s', async (mode) => {
    expect(release.installed).toBe(true);
    const key = generateSigningKey('Ed25519', `py-${mode}`);
    const agentToken = await provider.issueAgentToken(key.publicJwk, provider.agentIdentifier(`py-${mode}`));
    const { d } = exportPrivateJwk(key) as { d: string };
    const interactionEndpoint = `${issuer}/protocol/aauth/ps/interaction`;
    const { steps, interactions } = await runAgent({ mode, resource_url: `${resourceHost.origin}/data`, resource: resourceHost.origin, ps: issuer, agent_token: agentToken, d }, interactionEndpoint);
    table.push(...rows(`aauth ${pinnedVersion(release).replace('aauth==', '')}`, mode, steps));
    const wanted: object[] = [];
    for (const step of STEPS) {
      const red = EXPECTED[mode]?.[step];
      wanted.push(red === undefined ? { step, ok: true } : { ok: false, detail: expect.stringMatching(red.reason) });
      if (red !== undefined) break;
    }
    expect(steps).toMatchObject(wanted);
    expect(steps).toHaveLength(wanted.length);
    // The person approved the agent once, for its first person token at this resource (§Person Token Endpoint).
    expect(interactions).toBe(mode === 'signer' ? 1 : 0);
  }, 60_000);
});
