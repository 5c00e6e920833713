/**
 * `npm run demo -- --once` as a child process on free ports: the whole story over real HTTP
 * (embedded auth server, three services, consent approved through the interaction page), exit 0,
 * and the printed chain names the right agent, audience and user at each hop.
 *
 * Runs the compiled launcher (`npm test` builds with `tsc -b` first).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const script = `${root}scripts/demo.js`;
const built = existsSync(`${root}examples/dist/launcher/src/main.js`);
const realm = JSON.parse(readFileSync(`${root}keycloak-realm.json`, 'utf8')) as { users: { id: string; username: string }[] };
const userId = realm.users.find((u) => u.username === 'mcp-user')?.id as string;

function runDemo(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: root,
      env: { ...process.env, LOG_FORMAT: 'json', AAUTH_ISSUER: '', BACKEND_PORT: '', SCA_PORT: '', MAA_PORT: '', AUTH_PORT: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { out += chunk.toString('utf8'); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 80_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const maybe = built ? describe : describe.skip;
if (!built) console.warn('examples are not built: run `npx tsc -b` (npm test does) to run the --once test');

maybe('npm run demo -- --once', () => {
  it('runs the consent flow end to end and prints the delegation chain', async () => {
    const { code, out } = await runDemo(['--once', '--free-ports']);
    expect(out).toMatch(/OK: the chain is backend → supply-chain agent → market-analysis agent, all for mcp-user/);
    expect(code).toBe(0);
    // The printed chain: the backend for the user at the SCA, then the SCA for the same user at the MAA.
    expect(out).toMatch(new RegExp(`backend → supply-chain agent: agent=http://backend\\.localhost:\\d+ aud=http://supply-chain-agent\\.localhost:\\d+ sub=${userId} scope=supply-chain:optimize`));
    expect(out).toMatch(new RegExp(`supply-chain agent → market-analysis agent: agent=http://supply-chain-agent\\.localhost:\\d+ aud=http://market-analysis-agent\\.localhost:\\d+ sub=${userId} scope=market-analysis:analyze`));
    // Each hop's decoded tokens are printed: resource token, upstream token, both auth tokens.
    expect(out).toContain('"typ":"resource+jwt"');
    expect(out).toContain('upstream token (the auth token the caller received)');
    expect(out).toMatch(/pending 202: auth server → backend: 202, the user must approve first/);
    expect(out).toMatch(/>>> approving as mcp-user at http:\/\/localhost:\d+\/realms\/aauth-test\/protocol\/aauth\/interact\?code=[A-Z0-9]{8}/);
    // The supply-chain → market-analysis hop is an A2A call, and its hops say which method and skill.
    expect(out).toMatch(/\[supply-chain-agent\] request: supply-chain agent → market-analysis agent: POST \/a2a \(A2A SendMessage, skill market-outlook\)/);
    expect(out).toMatch(/market-analysis agent accepted the A2A call \(skill market-outlook\) from the supply-chain agent/);
  }, 90_000);

  it('runs the autonomous flow: no consent, no sub anywhere in the chain', async () => {
    const { code, out } = await runDemo(['--once', '--free-ports', '--mode', 'autonomous']);
    expect(code).toBe(0);
    expect(out).toMatch(/backend \(autonomous\) → supply-chain agent: agent=http:\/\/backend-autonomous\.localhost:\d+ aud=\S+ sub=\(none\)/);
    expect(out).toMatch(/supply-chain agent → market-analysis agent: agent=http:\/\/supply-chain-agent\.localhost:\d+ aud=\S+ sub=\(none\)/);
    expect(out).not.toMatch(/pending 202/);
  }, 90_000);

  it('--profile current: the same story with the realm as Person Server, person-token hops, the call chained with upstream_token and the consent chained through the supply-chain agent', async () => {
    const { code, out } = await runDemo(['--once', '--free-ports', '--profile', 'current']);
    expect(out).toMatch(/OK: the chain is backend → supply-chain agent → market-analysis agent, all for mcp-user \(a directed sub at each resource, from the Person Server\)/);
    expect(code).toBe(0);
    const ps = /Person Server {7}(http:\/\/localhost:\d+\/realms\/aauth-test)/.exec(out)?.[1] as string;
    expect(ps).toBeDefined();
    // The person-token hop of each agent: which PS, for which resource, the directed sub.
    expect(out).toMatch(new RegExp(`\\[backend\\] person-token: Person Server → backend: person token \\(PS ${ps}, aud supply-chain agent, directed sub \\S+, no mission\\)`));
    expect(out).toMatch(new RegExp(`\\[supply-chain-agent\\] person-token: Person Server → supply-chain agent: person token \\(PS ${ps}, aud market-analysis agent`));
    expect(out).toContain('"typ":"aa-person+jwt"');
    expect(out).toMatch(/supply-chain agent → Person Server: ask for an auth token for the resource token \(with the upstream token\)/);
    // The person is asked at the Person Server's own interaction page for the backend's hop, and for
    // the supply-chain agent's hop through the supply-chain agent's own page (interaction chaining).
    expect(out).toMatch(/>>> approving as mcp-user at http:\/\/localhost:\d+\/realms\/aauth-test\/protocol\/aauth\/ps\/interaction\?code=[0-9A-Z]{8}/);
    expect(out).toMatch(/pending 202: supply-chain agent → backend: 202, the user must approve first/);
    expect(out).toMatch(/>>> approving as mcp-user at http:\/\/supply-chain-agent\.localhost:\d+\/aauth\/chain\/interaction\?code=[0-9A-Z]{4}-[0-9A-Z]{4}/);
    expect(out).toMatch(/\[supply-chain-agent\] pending 202: Person Server → supply-chain agent: 202/);
    // The chain: each hop's auth token from the PS, issued to the agent of that hop, with a directed
    // sub of its own (never the user id, never copied down the chain).
    const first = new RegExp(`backend → supply-chain agent: agent=aauth:web-ui@backend\\.localhost:\\d+ aud=http://supply-chain-agent\\.localhost:\\d+ sub=(\\S+) scope=supply-chain:optimize ps=${ps}`).exec(out);
    const second = new RegExp(`supply-chain agent → market-analysis agent: agent=aauth:planner@supply-chain-agent\\.localhost:\\d+ aud=http://market-analysis-agent\\.localhost:\\d+ sub=(\\S+) scope=market-analysis:analyze ps=${ps}`).exec(out);
    expect(first?.[1]).toBeDefined();
    expect(second?.[1]).toBeDefined();
    expect(first?.[1]).not.toBe(second?.[1]);
    expect([first?.[1], second?.[1]]).not.toContain(userId);
    expect(out).toMatch(/\[supply-chain-agent\] retry: supply-chain agent → market-analysis agent: POST \/a2a again, with the auth token \(A2A SendMessage, skill market-outlook\)/);
  }, 90_000);

  it('--profile current --mode autonomous is refused: no run without a person in the current profile', async () => {
    const { code, out } = await runDemo(['--once', '--profile', 'current', '--mode', 'autonomous']);
    expect(code).toBe(2);
    expect(out).toMatch(/the current profile has no run without a person/);
  }, 30_000);

  it('a busy port: the message names the port and --free-ports, exit code 1', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const busy = (holder.address() as AddressInfo).port;
    try {
      const { code, out } = await runDemo(['--once', '--free-ports', '--backend-port', String(busy)]);
      expect(code).toBe(1);
      expect(out).toContain(`port ${busy}`);
      expect(out).toContain('--free-ports');
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  }, 60_000);

  it('refuses an unknown flag with usage and exit code 2', async () => {
    const { code, out } = await runDemo(['--no-such-flag']);
    expect(code).toBe(2);
    expect(out).toMatch(/usage: npm run demo/);
  }, 30_000);
});
