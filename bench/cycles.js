// The resource middleware's cost in simulated cycles: deterministic where throughput and CPU time
// move with the host. Each route of `cycles-server.js` runs under valgrind's callgrind with its
// cache and branch simulation, once for LO and once for HI requests, and the difference divided by
// HI - LO is the steady-state cost of one request (start-up, compiling and warm-up cancel out).
//
// The events are priced as estimated cycles: Ir/4 + 12 (I1 misses + D1 read misses) + 6 D1 write
// misses + 17 branch mispredicts + 20 indirect mispredicts. On the 2-core Xeon the figures in the
// repository come from, that model gave 3.2-3.3 cycles per ns of measured server CPU time for both
// the floor and the guarded route. It is a model: use it for ratios between routes of one run.
//
// Needs valgrind (Debian: `apt-get install valgrind`); takes about 20 minutes on two cores.
// Usage: npm run bench:cycles   (CYCLES_LO, CYCLES_HI: request counts, default 3000 and 8000)
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LO = Number(process.env.CYCLES_LO ?? 3000);
const HI = Number(process.env.CYCLES_HI ?? 8000);
const KINDS = ['plain', 'verify', 'floor', 'guarded'];
const WEIGHTS = { Ir: 0.25, I1mr: 12, D1mr: 12, D1mw: 6, Bcm: 17, Bim: 20 };
const server = new URL('./cycles-server.js', import.meta.url).pathname;

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('bench:cycles needs valgrind, which is not installed here (Debian: apt-get install valgrind)');
  process.exit(1);
}
if (!(Number.isInteger(LO) && Number.isInteger(HI) && LO > 0 && HI > LO)) {
  console.error('CYCLES_LO and CYCLES_HI must be integers with 0 < CYCLES_LO < CYCLES_HI');
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'aauth-cycles-'));

/** The event totals callgrind writes for one run: `events:` names, `summary:` counts. */
function summary(file) {
  const text = readFileSync(file, 'utf8');
  const events = /^events: (.*)$/m.exec(text)?.[1].split(' ');
  const counts = /^summary: (.*)$/m.exec(text)?.[1].split(' ').map(Number);
  if (events === undefined || counts === undefined) throw new Error(`${file} has no callgrind summary`);
  return Object.fromEntries(events.map((e, i) => [e, counts[i]]));
}

function simulate(kind, count) {
  const out = join(dir, `${kind}.${count}`);
  return new Promise((resolve, reject) => {
    const child = spawn('valgrind', ['--tool=callgrind', '--cache-sim=yes', '--branch-sim=yes', `--callgrind-out-file=${out}`, process.execPath, server, kind, String(count)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(summary(out)) : reject(new Error(`${kind} × ${count} exited ${code}: ${stderr.slice(-800)}`))));
  });
}

const perRequest = {};
try {
  for (const kind of KINDS) {
    const [lo, hi] = await Promise.all([simulate(kind, LO), simulate(kind, HI)]);
    const events = Object.fromEntries(Object.keys(WEIGHTS).map((e) => [e, (hi[e] - lo[e]) / (HI - LO)]));
    const cycles = Object.entries(WEIGHTS).reduce((sum, [e, w]) => sum + events[e] * w, 0);
    perRequest[kind] = { cycles, ...events };
    console.log(`${kind.padEnd(8)} ${Math.round(cycles).toLocaleString('en').padStart(10)} est. cycles  ${Object.keys(WEIGHTS).map((e) => `${e} ${Math.round(events[e]).toLocaleString('en')}`).join('  ')}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const { plain, verify, floor, guarded } = perRequest;
console.log(`\nper request, ${LO} → ${HI} requests (${process.version})`);
console.log(`(plain + verify) / floor: how far the two costs add up ${((plain.cycles + verify.cycles) / floor.cycles).toFixed(2)}`);
console.log(`floor / guarded                                     ${(floor.cycles / guarded.cycles).toFixed(2)}`);
console.log(`(plain + verify) / guarded: against the computed ceiling ${((plain.cycles + verify.cycles) / guarded.cycles).toFixed(2)}`);
