/**
 * A full flow with our agent (`AAuthClient`, fetch) against a resource built from PyPI `aauth`'s
 * own `RequestVerifier` and `ChallengeBuilder` (`interop/python/resource.py`, one per pinned
 * release, on loopback), with the embedded auth server issuing the tokens. Steps: the signed
 * request meets a 401 challenge carrying a resource token; the token endpoint answers it with an
 * auth token; the retry with the auth token gets 200. Each step is a cell; a step after a red one
 * is "not reached". A second flow has the resource challenge before its verifier runs, so the
 * steps after the first show too. Every cell is asserted, so a change on either side shows. Skips,
 * saying so, like the matrix without the virtual environments (on CI it fails instead).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { AAuthClient, AgentSession, type AAuthEvent } from '@aauth-ts/agent';
import { createAuthServer, type AuthServer } from '@aauth-ts/auth-server';
import { startAgentHost, type AgentHost } from '../packages/agent/test/support/agent-host.js';
import { oneLine, reasonOf } from './our-side.js';
import { pinnedVersion, pythonReleases, type Release } from './python-aauth.js';
import { formatText, recordTable, type Outcome, type Row } from './table.js';

const SCOPE = 'inventory:read';
const STEPS = ['401 challenge + resource token', 'token endpoint → auth token', 'retry with auth token → 200'] as const;
type Step = (typeof STEPS)[number];
/**
 * `ours→py`: the resource as built. `ours→py, challenge first`: it answers a request without an
 * auth token with its challenge before its verifier runs, to show the steps after the first.
 */
const FLOWS = ['ours→py', 'ours→py, challenge first'] as const;
type Flow = (typeof FLOWS)[number];
const PATHS: Readonly<Record<Flow, string>> = { 'ours→py': '/inventory', 'ours→py, challenge first': '/challenge' };
interface StepCell { readonly step: Step; readonly outcome: Outcome; readonly reason?: string }

const releases = pythonReleases();
const skip = releases.some((r) => !r.installed) && process.env.CI !== 'true';
if (skip) process.stderr.write('\nPyPI aauth resource flow SKIPPED: no virtual environments; run `bash interop/python/setup.sh`.\n\n');

interface KnownStep { readonly outcome: Outcome; readonly reason?: RegExp; readonly why?: string }
const NOT_REACHED: KnownStep = { outcome: 'not reached' };
/** Per release: each step's expected outcome, and for a red one the reason and the deviation. */
const OLD_SK_PARSER: KnownStep = { outcome: 'RED', reason: /401 invalid_signature: Invalid Signature-Key: Invalid Signature-Key format/, why: 'its parser reads only its own parenthesised Signature-Key form, not RFC 8941' };
const GREEN: KnownStep = { outcome: 'green' };
const EXPECTED: Readonly<Record<string, Readonly<Record<Flow, readonly KnownStep[]>>>> = {
  'py-aauth-0.1.1': {
    'ours→py': [OLD_SK_PARSER, NOT_REACHED, NOT_REACHED],
    // Its resource token passes our agent's challenge checks and the embedded auth server.
    'ours→py, challenge first': [GREEN, GREEN, OLD_SK_PARSER],
  },
  'py-aauth-0.5.0': {
    'ours→py': [
      { outcome: 'RED', reason: /401 invalid_jwt: Unexpected request token type/, why: 'it takes only aa-agent+jwt / aa-auth+jwt tokens (a later draft); the 2026-03 profile is agent+jwt' },
      NOT_REACHED, NOT_REACHED,
    ],
    'ours→py, challenge first': [
      { outcome: 'RED', reason: /500 server_error: TokenError: Invalid server identifier/, why: 'it mints resource tokens only for https auth servers (aud), so none for a loopback one' },
      NOT_REACHED, NOT_REACHED,
    ],
  },
};

interface PythonResource { readonly origin: string; readonly identifier: string; readonly version: string; readonly child: ChildProcess }

/** Starts `resource.py` and waits for the line naming its origin. */
function startPythonResource(release: Release, authServer: string): Promise<PythonResource> {
  return new Promise((resolve, reject) => {
    const child = spawn(release.python, [fileURLToPath(new URL('python/resource.py', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.on('error', reject);
    const early = (code: number | null): void => reject(new Error(`resource.py exited ${String(code)} before listening`));
    child.once('exit', early);
    createInterface({ input: child.stdout }).once('line', (line) => {
      child.off('exit', early);
      const { resource, identifier, version } = JSON.parse(line) as { resource: string; identifier: string; version: string };
      resolve({ origin: resource, identifier, version, child });
    });
    child.stdin.end(JSON.stringify({ auth_server: authServer, scope: SCOPE }));
  });
}

/** A loopback port for the auth server, known before it starts: the resources name its issuer. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Each step's outcome, read from the agent's hop events and the final answer. */
async function runFlow(client: AAuthClient, events: AAuthEvent[], url: string): Promise<StepCell[]> {
  let response: Response | undefined;
  let failure: string | undefined;
  try {
    response = await client.fetch(url);
  } catch (err) {
    failure = reasonOf(err);
  }
  const body = response === undefined ? '' : await response.text();
  const answer = (): string => {
    if (failure !== undefined) return failure;
    try {
      const parsed = JSON.parse(body) as { error?: string; error_description?: string };
      return oneLine(`${String(response?.status)} ${parsed.error ?? ''}: ${parsed.error_description ?? ''}`);
    } catch {
      return oneLine(`${String(response?.status)} ${body}`);
    }
  };
  const cells: StepCell[] = [];
  const steps: [Step, boolean][] = [
    [STEPS[0], events.some((e) => e.type === 'challenge')],
    [STEPS[1], events.some((e) => e.type === 'token.issued')],
    [STEPS[2], response?.status === 200 && events.some((e) => e.type === 'retry')],
  ];
  for (const [step, ok] of steps) {
    if (cells.some((c) => c.outcome !== 'green')) cells.push({ step, outcome: 'not reached' });
    else if (ok) cells.push({ step, outcome: 'green' });
    else {
      const tokenAnswer = events.find((e): e is Extract<AAuthEvent, { type: 'token.response' }> => e.type === 'token.response');
      const reason = step === STEPS[1] && tokenAnswer !== undefined && failure === undefined ? oneLine(`${tokenAnswer.status} ${JSON.stringify(tokenAnswer.body)}`) : answer();
      cells.push({ step, outcome: 'RED', reason });
    }
  }
  return cells;
}

(skip ? describe.skip : describe)('our agent → PyPI aauth resource (its verifier and challenge builder) + embedded auth server', () => {
  let agent: AgentHost;
  const rows: Row[] = [];

  beforeAll(async () => { agent = await startAgentHost(); });

  afterAll(async () => {
    await agent.close();
    if (rows.length > 0) {
      const table = { id: '4-python-resource-flow', title: 'Our agent → PyPI aauth resource (RequestVerifier, ChallengeBuilder) + embedded auth server', head: ['library', 'flow', 'step'], rows };
      recordTable(table);
      process.stdout.write(`\n${formatText(table)}\n\n`);
    }
  });

  /** The Python resource and an embedded auth server naming it, for one release. */
  async function startPair(release: Release): Promise<{ resource: PythonResource; authServer: AuthServer }> {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const resource = await startPythonResource(release, `${origin}/realms/interop`);
    const authServer = createAuthServer({
      origin,
      log: () => undefined,
      realm: {
        realm: 'interop',
        attributes: { 'aauth.allowLoopback': 'true' },
        clientScopes: [{ name: SCOPE, description: 'Read the inventory', attributes: { 'aauth.resource': resource.identifier } }],
        clients: [
          { clientId: agent.agentServer.identifier, name: 'Our agent', attributes: { 'aauth.agent': 'true' }, optionalClientScopes: [SCOPE] },
          { clientId: resource.identifier, name: 'Python resource', attributes: { 'aauth.resource': 'true' } },
        ],
      },
    });
    try {
      await authServer.listen(port);
    } catch (err) {
      resource.child.kill();
      throw err;
    }
    return { resource, authServer };
  }

  test.each(releases.map((r) => [pinnedVersion(r), r] as const))('%s: every step as expected', async (_name, release) => {
    expect(release.installed).toBe(true);
    const { resource, authServer } = await startPair(release);
    const cells: { flow: Flow; cells: StepCell[] }[] = [];
    try {
      for (const flow of FLOWS) {
        const events: AAuthEvent[] = [];
        const client = new AAuthClient({
          session: AgentSession.delegateOf(agent.agentServer, { sub: 'delegate-1' }),
          development: true, authServers: [authServer.issuer], onEvent: (e) => events.push(e),
        });
        cells.push({ flow, cells: await runFlow(client, events, `${resource.origin}${PATHS[flow]}`) });
      }
    } finally {
      resource.child.kill();
      await authServer.close();
    }
    const expected: Partial<Record<Flow, readonly KnownStep[]>> = EXPECTED[release.name] ?? {};
    for (const { flow, cells: steps } of cells) {
      rows.push(...steps.map((c, i) => ({
        keys: [`aauth ${resource.version}`, flow, c.step], outcome: c.outcome, ...(c.reason === undefined ? {} : { reason: c.reason }),
        ...(c.outcome === 'RED' && expected[flow]?.[i]?.why !== undefined ? { why: expected[flow]?.[i]?.why as string } : {}),
      })));
    }
    expect(Object.fromEntries(cells.map(({ flow, cells: steps }) => [flow, steps]))).toEqual(Object.fromEntries(FLOWS.map((flow) => [
      flow, (expected[flow] ?? []).map((e, i) => ({ step: STEPS[i], outcome: e.outcome, ...(e.reason === undefined ? {} : { reason: expect.stringMatching(e.reason) }) })),
    ])));
  }, 60_000);
});
