/**
 * The seven npm packages as a user gets them: `npm pack` (prepack builds), the tarball's contents
 * and manifest, then an install of the four that need no server of their own into a fresh project
 * outside the workspace, where a small resource and agent run through the embedded auth server (the
 * Redis store, the OPA policy and the MCP package are packed and their manifests checked; their own tests run them against a real Redis, a real opa and the MCP SDK). Checked there: ESM import, `tsc --noEmit` under
 * moduleResolution `node16` and `bundler`, one signed request end to end, and the auth-server bin.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, writeProject } from './support/install-project.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const INSTALLED = ['core', 'resource', 'agent', 'auth-server'] as const;
const PACKAGES = [...INSTALLED, 'store-redis', 'policy-opa', 'mcp'] as const;
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };

interface Manifest {
  name: string;
  version: string;
  description?: string;
  license?: string;
  repository?: { type: string; url: string; directory: string };
  engines?: { node: string };
  publishConfig?: { access?: string };
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  bin?: Record<string, string>;
}
interface Packed { name: string; filename: string; files: { path: string }[] }

const manifests = Object.fromEntries(PACKAGES.map((p) => [p, JSON.parse(readFileSync(join(root, 'packages', p, 'package.json'), 'utf8')) as Manifest])) as Record<(typeof PACKAGES)[number], Manifest>;
let work: string;
let project: string;
let packed: Packed[];
const checks: Record<string, string> = {};

const TSCONFIG = {
  node16: { module: 'node16', moduleResolution: 'node16' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
} as const;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'aauth-install-'));
  project = join(work, 'project');
  mkdirSync(join(project, 'tarballs'), { recursive: true });
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', join(project, 'tarballs'), ...PACKAGES.flatMap((p) => ['-w', `packages/${p}`])], { cwd: root, maxBuffer: 16 << 20 });
  packed = JSON.parse(stdout.slice(stdout.indexOf('['))) as Packed[];
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it.each(PACKAGES)('%s: dist, src for its source maps, README and LICENSE; no build info', (p) => {
    const tarball = packed.find((t) => t.name === manifests[p].name);
    expect(tarball).toBeDefined();
    const files = new Set(tarball?.files.map((f) => f.path));
    for (const needed of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts', 'src/index.ts']) expect({ p, needed, present: files.has(needed) }).toEqual({ p, needed, present: true });
    expect([...files].filter((f) => f.endsWith('.tsbuildinfo') || f.startsWith('test/'))).toEqual([]);
    // A source map is shipped only with the source it points to.
    const maps = [...files].filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    const orphans = maps.filter((m) => !files.has(m.replace(/^dist\//, 'src/').replace(/\.d\.ts\.map$|\.js\.map$/, '.ts')));
    expect(orphans).toEqual([]);
    for (const bin of Object.values(manifests[p].bin ?? {})) expect(files.has(bin.replace(/^\.\//, ''))).toBe(true);
  });

  it.each(PACKAGES)('%s: a publishable manifest', (p) => {
    const m = manifests[p];
    expect(m.description).toMatch(/AAuth/);
    expect(m.license).toBe('Apache-2.0');
    expect(m.repository).toEqual({ type: 'git', url: expect.stringMatching(/^git\+https:\/\//) as unknown as string, directory: `packages/${p}` });
    expect(m.engines).toEqual(rootManifest.engines);
    expect(m.publishConfig).toEqual({ access: 'public' });
    expect(m.scripts?.prepack).toBe('tsc -b');
    expect(Object.keys(m.dependencies ?? {}).filter((d) => d === 'express' || d === 'axios')).toEqual([]);
    expect(readFileSync(join(root, 'packages', p, 'LICENSE'), 'utf8')).toBe(readFileSync(join(root, 'LICENSE'), 'utf8'));
    const readme = readFileSync(join(root, 'packages', p, 'README.md'), 'utf8');
    expect(readme).toContain('**ESM only**');
    for (const resolution of Object.keys(TSCONFIG)) expect(readme).toContain(`"moduleResolution": "${resolution}"`);
  });

  it('the auth-server README runs the bin the workspace install linked, never an npx lookup', async () => {
    const readme = readFileSync(join(root, 'packages/auth-server/README.md'), 'utf8');
    expect(readme).toContain('node_modules/.bin/aauth-auth-server --realm keycloak-realm.json --port 8080');
    expect(readme).not.toMatch(/^npx aauth/m);
    const { stdout } = await run(join(root, 'node_modules/.bin/aauth-auth-server'), ['--help'], { cwd: root });
    expect(stdout).toMatch(/^usage: aauth-auth-server --realm/);
  });

  it('engines names the Node lines the tests run on: this one and the matrix of scripts/test-node-matrix.sh', () => {
    const matrix = /^\[ \$\{#versions\[@\]\} -gt 0 \] \|\| versions=\(([^)]*)\)$/m.exec(readFileSync(join(root, 'scripts/test-node-matrix.sh'), 'utf8'))?.[1]?.split(' ') ?? [];
    expect(matrix.length).toBeGreaterThan(0);
    const lines = rootManifest.engines.node.split(' || ').map((range) => /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range)?.slice(1).map(Number) ?? []);
    const covered = (version: string): boolean => {
      const [major, minor, patch] = version.replace(/^v/, '').split('.').map(Number) as [number, number, number];
      return lines.some(([ma, mi, pa]) => ma === major && (minor > (mi ?? 0) || (minor === mi && patch >= (pa ?? 0))));
    };
    // Under scripts/test-node-matrix.sh this process runs one of the matrix's Nodes; the machine's own
    // (the first `npm test`) is passed down in AAUTH_MATRIX_BASE_NODE.
    const tested = [...new Set([...matrix, process.version, process.env.AAUTH_MATRIX_BASE_NODE ?? process.version])];
    expect(tested.filter((v) => !covered(v))).toEqual([]);
    expect(lines.map(([major]) => major).sort()).toEqual([...new Set(tested.map((v) => Number(v.replace(/^v/, '').split('.')[0])))].sort());
  });

  it('express and axios are peers: optional where only their types are used; the Redis store is an optional peer', () => {
    const peers = (m: Manifest): Record<string, boolean> => Object.fromEntries(Object.keys(m.peerDependencies ?? {}).map((d) => [d, m.peerDependenciesMeta?.[d]?.optional === true]));
    expect(peers(manifests.core)).toEqual({});
    expect(peers(manifests.resource)).toEqual({ express: true, '@types/express': true });
    expect(peers(manifests.agent)).toEqual({ axios: true });
    expect(peers(manifests['auth-server'])).toEqual({ express: false, '@types/express': true, '@aauth-ts/store-redis': true });
    expect(peers(manifests['store-redis'])).toEqual({ ioredis: false });
    expect(peers(manifests['policy-opa'])).toEqual({});
    expect(peers(manifests.mcp)).toEqual({ express: true, '@types/express': true });
  });
});

describe('installed from the tarballs into a fresh project', () => {
  beforeAll(async () => {
    const tarballs = INSTALLED.map((p) => ({ file: `tarballs/${packed.find((t) => t.name === manifests[p].name)?.filename ?? p}`, manifest: manifests[p] }));
    const thirdParty = [...new Set(INSTALLED.flatMap((p) => Object.keys(manifests[p].dependencies ?? {})).filter((d) => !d.startsWith('@aauth-ts/')))];
    writeProject(project, join(root, 'package-lock.json'), tarballs, {
      dependencies: ['express', 'axios'],
      devDependencies: ['typescript', '@types/express', '@types/node'],
      lockedToo: thirdParty,
    });
    const started = Date.now();
    await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: project, maxBuffer: 16 << 20 });
    console.log(`npm ci of the four tarballs and their dependencies took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    copyFileSync(join(root, 'test/fixtures/install/main.ts'), join(project, 'main.ts'));
    for (const [name, options] of Object.entries(TSCONFIG)) {
      const compilerOptions = { ...options, target: 'ES2022', strict: true, types: ['node'] };
      writeFileSync(join(project, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions, files: ['main.ts'] }, null, 2));
    }
    // Both type checks at once (no skipLibCheck: the packages' declarations are checked too). The
    // node16 one also emits out/main.js for the run below; emitting changes nothing in the checks.
    const tsc = (args: string[]): Promise<string> => run(process.execPath, ['node_modules/typescript/bin/tsc', ...args], { cwd: project }).then((r) => r.stdout, (e: { stdout?: string; message: string }) => e.stdout || e.message);
    [checks.node16, checks.bundler] = await Promise.all([tsc(['-p', 'tsconfig.node16.json', '--outDir', 'out']), tsc(['--noEmit', '-p', 'tsconfig.bundler.json'])]);
  }, 300_000);

  it.each(Object.keys(TSCONFIG))('type-checks under moduleResolution %s', (name) => {
    expect(checks[name]).toBe('');
  });

  it('runs a resource and an agent through the embedded auth server: one signed request, 401 → token → 200', async () => {
    const { stdout } = await run(process.execPath, ['out/main.js'], { cwd: project, timeout: 60_000 });
    const result = JSON.parse(stdout) as { status: number; body: { agent: string; scopes: string[] }; agent: string };
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ agent: result.agent, scopes: ['notes:read'] });
  }, 90_000);

  it('the aauth-auth-server bin runs from node_modules/.bin', async () => {
    const { stdout } = await run(join(project, 'node_modules/.bin/aauth-auth-server'), ['--help'], { cwd: project });
    expect(stdout).toMatch(/^usage: aauth-auth-server --realm/);
  });
});
