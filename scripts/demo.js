#!/usr/bin/env node
// `npm run demo`: the launcher of the supply-chain / market-analysis demo (examples/launcher).
// `npm run demo` builds the examples first (tsc -b examples); this file only loads the compiled launcher.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const launcher = new URL('../examples/dist/launcher/src/main.js', import.meta.url);
if (!existsSync(fileURLToPath(launcher))) {
  console.error('The demo is not built: run `npx tsc -b` (or `npm run demo`, which builds first).');
  process.exit(2);
}
const { main } = await import(launcher.href);
main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
