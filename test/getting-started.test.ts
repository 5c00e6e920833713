/**
 * docs/getting-started.md, run as written: its files (the code blocks tagged `file=…`) are written
 * into a fresh directory, its commands started there (the auth-server bin, `node resource.js`,
 * `node agent.js`), and the agent must print what the guide says it prints. The packages come
 * from the workspace (the directory's node_modules links to it); installing them from tarballs is
 * test/packages-install.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const guide = readFileSync(join(root, 'docs/getting-started.md'), 'utf8');
const blocks = [...guide.matchAll(/^```(\w+)(?: file=(\S+))?\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1] ?? '', file: m[2], body: m[3] ?? '' }));
const files = blocks.filter((b) => b.file !== undefined);
const commands = blocks.filter((b) => b.lang === 'sh').flatMap((b) => b.body.split('\n')).filter((l) => l !== '' && !l.startsWith('#'));
const comments = blocks.filter((b) => b.lang === 'sh').flatMap((b) => b.body.split('\n')).filter((l) => l.startsWith('# ')).map((l) => l.slice(2));

let dir: string;
const children: ChildProcess[] = [];

/** Starts a command of the guide; resolves with its output once `ready` appears (or it exits). */
function start(command: string, ready?: RegExp): Promise<{ child: ChildProcess; output: () => string; exit: Promise<number | null> }> {
  const [program, ...args] = command.split(' ');
  const child = spawn(program === 'node' ? process.execPath : join(dir, program ?? ''), args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      if (ready?.test(out)) resolve({ child, output: () => out, exit });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('error', reject);
    void exit.then((code) => (ready ? reject(new Error(`${command} exited (${code}) before it was ready:\n${out}`)) : resolve({ child, output: () => out, exit })));
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'aauth-getting-started-'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  // `npm init -y && npm pkg set type=module`
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'first-service', version: '1.0.0', type: 'module' }));
  for (const f of files) writeFileSync(join(dir, f.file as string), f.body);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((resolve) => c.on('close', resolve)) : undefined)));
  rmSync(dir, { recursive: true, force: true });
});

it('has the files and commands the steps name', () => {
  expect(files.map((f) => f.file)).toEqual(['realm.json', 'resource.js', 'agent.js']);
  expect(commands).toContain('node_modules/.bin/aauth-auth-server --realm realm.json --port 4000');
  expect(commands).toEqual(expect.arrayContaining(['node resource.js', 'node agent.js']));
});

it('installs every package its files import, and nothing through npx', () => {
  const install = commands.find((c) => c.startsWith('npm install '))?.split(' ').slice(2) ?? [];
  const imported = new Set(files.flatMap((f) => [...f.body.matchAll(/from '([^']+)'/g)].map((m) => m[1] as string)).filter((s) => !s.startsWith('node:')));
  expect(install.sort()).toEqual([...imported, '@aauth-ts/auth-server'].sort()); // the auth server is its bin
  expect(commands.filter((c) => c.startsWith('npx'))).toEqual([]);
});

it('the realm has one user, one agent, one resource and one scope, in about 20 lines', () => {
  const realm = JSON.parse(files[0]?.body ?? '{}') as { users: unknown[]; clients: { attributes: Record<string, string> }[]; clientScopes: unknown[] };
  expect(realm.users).toHaveLength(1);
  expect(realm.clientScopes).toHaveLength(1);
  expect(realm.clients.map((c) => Object.keys(c.attributes)).sort()).toEqual([['aauth.agent'], ['aauth.resource']]);
  expect((files[0]?.body ?? '').trim().split('\n').length).toBeLessThanOrEqual(22);
});

it('says, for each field of a new agent or resource, the realm file, console path and kcadm.sh command side by side', () => {
  const section = guide.slice(guide.indexOf('## What goes into the realm'));
  const rows = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| What') && !l.startsWith('|---'));
  expect(rows.length).toBeGreaterThanOrEqual(10);
  for (const row of rows) {
    const cells = row.split(' | ');
    expect({ row, cells: cells.length, kcadm: cells[3]?.includes('kcadm.sh') }).toEqual({ row, cells: 4, kcadm: true });
  }
  for (const field of ['aauth.agent', 'aauth.resource', 'optionalClientScopes', 'consentRequired', 'aauth.chainScopes', 'aauth.allowLoopback', 'consent.screen.text']) expect(section).toContain(field);
});

it('runs as written: auth server, resource, agent → the answer the guide shows', async () => {
  const authCommand = commands.find((c) => c.startsWith('node_modules/.bin/aauth-auth-server')) as string;
  const expectedBanner = comments.find((c) => c.startsWith('AAuth auth server')) as string;
  const authServer = await start(authCommand, /AAuth auth server for realm/);
  expect(authServer.output().trim()).toBe(expectedBanner);
  await start('node resource.js', /resource on /);
  const agent = await start('node agent.js');
  expect(await agent.exit).toBe(0);
  expect(agent.output().trim()).toBe(comments.find((c) => c.startsWith('{"notes"')));
}, 60_000);
