// Benchmarks are added per package under bench/; each prints ops/s and its ratio to raw crypto.
import { readdirSync } from 'node:fs';
const here = new URL('.', import.meta.url);
for (const file of readdirSync(here).filter((f) => f.endsWith('.bench.js')).sort()) {
  await import(new URL(file, here));
}
