// The package registry reachable from our build machines serves only some platform builds of
// `unrs-resolver` (a dependency of jest 30). `npm install` then leaves the other platforms' optional
// bindings out of package-lock.json, and `npm ci` refuses the lock as out of sync. This script
// records those optional bindings with their platform constraints, so `npm ci` skips them on
// platforms they are not for and fetches them by name on the ones they are for.
//
//   node scripts/lockfile-platform-stubs.mjs   (after any `npm install` that rewrites the lock)
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const platform = (name) => {
  const parts = name.replace(/^@unrs\/resolver-binding-/, '').split('-');
  const os = parts[0];
  const cpu = parts[1];
  const abi = parts[2];
  const entry = { os: [os], cpu: [cpu] };
  if (abi === 'gnu' || abi === 'gnueabihf') entry.libc = ['glibc'];
  if (abi === 'musl' || abi === 'musleabihf') entry.libc = ['musl'];
  return entry;
};
let added = 0;
for (const [path, pkg] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    if (!dep.startsWith('@unrs/resolver-binding-')) continue;
    const at = `node_modules/${dep}`;
    if (lock.packages[at]) continue;
    const { os, cpu, libc } = platform(dep);
    lock.packages[at] = { version, cpu, dev: pkg.dev === true ? true : undefined, ...(libc ? { libc } : {}), license: 'MIT', optional: true, os };
    added += 1;
  }
  void path;
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lockfile-platform-stubs: ${added} optional platform binding(s) recorded`);
