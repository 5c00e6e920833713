// `npm run bench [-- name…]`: every bench/*.bench.js (or those named), each a section of figures
// with their same-run ratios, printed and written to bench/results.md with the machine it ran on.
import { readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { ROUNDS } from './harness.js';

const here = new URL('.', import.meta.url);
const wanted = process.argv.slice(2);
const files = readdirSync(here).filter((f) => f.endsWith('.bench.js') && (wanted.length === 0 || wanted.includes(f.replace('.bench.js', '')))).sort();

const loadBefore = os.loadavg();
const started = new Date();
const sections = [];
for (const file of files) {
  const bench = await import(new URL(file, here));
  const section = await bench.default();
  sections.push(section);
  console.log(`\n${section.title}${section.note ? `\n  (${section.note})` : ''}`);
  for (const r of section.rows) {
    console.log(`  ${r.figure.padEnd(58)} ${String(r.value).padStart(16)}${r.ratio === undefined ? '' : `   ratio ${r.ratio.toFixed(2)}${r.target ? ` (target ${r.target})` : ''}`}`);
  }
}

const cpus = os.cpus();
const cell = (s) => String(s ?? '').replaceAll('|', '\\|');
const lines = [
  '# Benchmark results',
  '',
  'Written by `npm run bench`. Absolute figures depend on the machine and its load; each ratio is taken against a baseline measured in the same run, round by round, and is the median over the rounds.',
  '',
  `- date: ${started.toISOString()}`,
  `- machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()} ${os.arch()}`,
  `- Node ${process.version}`,
  `- load average (1/5/15 min) at start ${loadBefore.map((l) => l.toFixed(1)).join(' / ')}, at end ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')}`,
  `- rounds per figure: ${ROUNDS} (BENCH_ROUNDS), after a warm-up`,
  `- settings: ${Object.entries(process.env).filter(([k]) => k.startsWith('BENCH_') && k !== 'BENCH_OUT').map(([k, v]) => `${k}=${v}`).join(', ') || 'defaults'}`,
  '',
];
for (const section of sections) {
  lines.push(`## ${section.title}`, '');
  if (section.note) lines.push(section.note, '');
  lines.push('| figure | value | ratio | baseline of the ratio | target |', '|---|---|---|---|---|');
  for (const r of section.rows) lines.push(`| ${cell(r.figure)} | ${cell(r.value)} | ${r.ratio === undefined ? '' : r.ratio.toFixed(2)} | ${cell(r.baseline)} | ${cell(r.target)} |`);
  lines.push('');
}
// A partial run writes only where BENCH_OUT says, so bench/results.md always holds a full run.
const out = process.env.BENCH_OUT ?? (wanted.length === 0 ? new URL('results.md', here) : undefined);
if (out !== undefined) writeFileSync(out, lines.join('\n'));
