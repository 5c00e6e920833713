/**
 * A throwaway npm project outside the workspace that installs the packed tarballs, as a user would.
 * Its third-party packages are pinned to the versions of the workspace's package-lock.json and its
 * own lockfile is made from those entries (with the registry URL of each tarball, which the
 * workspace lockfile leaves out), so `npm ci` resolves nothing: every tarball is already in npm's
 * cache, by integrity, from the workspace's own `npm ci`, and `--prefer-offline` takes it from
 * there. With the registry reachable, a cache miss is fetched.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const run = promisify(execFile);

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [member: string]: unknown;
}

interface Lockfile { packages: Record<string, LockEntry> }

/** Where `name` resolves from the lockfile path `from` (node_modules/a/node_modules/b), walking up. */
function resolveFrom(lock: Lockfile, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut < 0 ? '' : base.slice(0, cut);
  }
}

/** The workspace lockfile's entries for `names` and everything they need, at the same paths. */
export function lockClosure(workspaceLockfile: string, names: readonly string[]): Record<string, LockEntry> {
  const lock = JSON.parse(readFileSync(workspaceLockfile, 'utf8')) as Lockfile;
  const out: Record<string, LockEntry> = {};
  const queue: [string, string][] = names.map((n) => ['', n]);
  for (let item = queue.shift(); item; item = queue.shift()) {
    const [from, name] = item;
    const path = resolveFrom(lock, from, name);
    if (path === undefined) throw new Error(`${name} (needed by ${from || 'the project'}) is not in the workspace lockfile`);
    if (out[path]) continue;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = lock.packages[path] as LockEntry;
    out[path] = { ...entry, resolved: `https://registry.npmjs.org/${name}/-/${name.split('/').pop() ?? name}-${entry.version ?? ''}.tgz` };
    const required = Object.keys(entry.peerDependencies ?? {}).filter((p) => entry.peerDependenciesMeta?.[p]?.optional !== true);
    for (const dep of [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}), ...required]) queue.push([path, dep]);
  }
  return out;
}

export function versionIn(workspaceLockfile: string, name: string): string {
  const lock = JSON.parse(readFileSync(workspaceLockfile, 'utf8')) as Lockfile;
  const version = lock.packages[`node_modules/${name}`]?.version;
  if (version === undefined) throw new Error(`${name} is not in the workspace lockfile`);
  return version;
}

/** What a packed package's manifest says, as its lockfile entry records it. */
export interface PackedPackage {
  readonly file: string;
  readonly manifest: { name: string; version: string } & Partial<Record<'dependencies' | 'peerDependencies' | 'peerDependenciesMeta' | 'bin' | 'engines' | 'license', unknown>>;
}

/**
 * package.json + package-lock.json of the project: the tarballs by file, the rest pinned.
 * `lockedToo`: third-party packages the tarballs depend on, locked at the workspace's versions.
 */
export function writeProject(dir: string, workspaceLockfile: string, tarballs: readonly PackedPackage[], thirdParty: { dependencies: readonly string[]; devDependencies: readonly string[]; lockedToo: readonly string[] }): void {
  const pin = (names: readonly string[]): Record<string, string> => Object.fromEntries(names.map((n) => [n, versionIn(workspaceLockfile, n)]));
  const dependencies = { ...Object.fromEntries(tarballs.map((t) => [t.manifest.name, `file:${t.file}`])), ...pin(thirdParty.dependencies) };
  const devDependencies = pin(thirdParty.devDependencies);
  const manifest = { name: 'aauth-install-check', version: '1.0.0', private: true, type: 'module', dependencies, devDependencies };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const packed = Object.fromEntries(tarballs.map(({ file, manifest: m }) => {
    const { name, version, dependencies: deps, peerDependencies, peerDependenciesMeta, bin, engines, license } = m;
    const integrity = `sha512-${createHash('sha512').update(readFileSync(join(dir, file))).digest('base64')}`;
    return [`node_modules/${name}`, { version, resolved: `file:${file}`, integrity, license, dependencies: deps, peerDependencies, peerDependenciesMeta, bin, engines }];
  }));
  const locked = lockClosure(workspaceLockfile, [...thirdParty.dependencies, ...thirdParty.devDependencies, ...thirdParty.lockedToo]);
  const lockfile = { name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages: { '': { name: manifest.name, version: manifest.version, dependencies, devDependencies }, ...packed, ...locked } };
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify(lockfile, null, 2)}\n`);
}
