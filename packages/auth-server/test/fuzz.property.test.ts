/**
 * Property-based fuzzing of the running servers (fast-check): the embedded auth server's token
 * endpoint, its RFC 8693 token-exchange endpoint and a pending URL, and an express resource
 * guarded by `aauth()`, each driven over raw node:http with random and mutated-valid requests
 * (valid signed requests from real agent keys, then broken in their members, signing, method,
 * target, headers, signature and body; see fuzz/requests.ts).
 *
 * Every answer must be below 500 and, when it refuses, say why in `{error, error_description}`
 * (auth-server contract "Responses"; DESIGN.md "Errors and bad input"); neither server may log an
 * unexpected error, the servers' process (a child of its own, see fuzz/world.ts) must see no
 * unhandled rejection or uncaught exception and must not exit, and both servers must still answer
 * at the end. Bounded in runs and in time; the number of cases is printed.
 */
import fc from 'fast-check';
import { isWriteReset, sendRaw, type RawReply, type RawRequest } from './fuzz/raw-http.js';
import { buildRequest, caseOf, describeRequest, type Case, type SeedKind } from './fuzz/requests.js';
import { startFuzzWorld, type FuzzWorld } from './fuzz/world.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 250);
const TIME_LIMIT_MS = Number(process.env.FUZZ_TIME_MS ?? 7_000);

let world: FuzzWorld;
const counts = { cases: 0, resets: 0, parserRefusals: 0 };
const statuses = new Map<number, number>();

beforeAll(async () => {
  world = await startFuzzWorld();
});

afterAll(async () => {
  await world.close();
  const byStatus = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
  console.log(`fuzz: ${counts.cases} cases against the running servers; answers ${byStatus}; ${counts.resets} connection resets on oversized bodies; ${counts.parserRefusals} answered by node's HTTP layer itself`);
});

/** What is wrong with an answer, or undefined. */
function fault(request: RawRequest, reply: RawReply): string | undefined {
  if (reply.status < 100 || reply.status >= 500) return `HTTP ${reply.status}: ${reply.body.slice(0, 300)}`;
  if (reply.status < 400 || request.method === 'HEAD') return undefined;
  // node's own HTTP layer answers some requests (malformed or oversized headers, an `Expect` it
  // cannot meet) before any of our code runs, with no body.
  if (reply.headers['content-type'] === undefined && reply.body === '' && [400, 417, 431].includes(reply.status)) {
    counts.parserRefusals++;
    return undefined;
  }
  try {
    const json = JSON.parse(reply.body) as { error?: unknown; error_description?: unknown };
    if (typeof json.error !== 'string' || typeof json.error_description !== 'string') return `HTTP ${reply.status} without {error, error_description}: ${reply.body.slice(0, 300)}`;
  } catch {
    return `HTTP ${reply.status} with a body that is not JSON: ${reply.body.slice(0, 300)}`;
  }
  return undefined;
}

async function fuzz(seeds: readonly SeedKind[]): Promise<void> {
  // Only what this area's cases caused counts here, so one area's failure does not hide another's.
  const before = await world.report();
  await fc.assert(
    fc.asyncProperty(caseOf(seeds), async (c) => {
      const { port, request, oversized } = await buildRequest(world, c);
      let reply: RawReply;
      try {
        reply = await sendRaw(port, request);
      } catch (err) {
        if (oversized && isWriteReset(err)) {
          counts.resets++;
          return;
        }
        throw new Error(`no answer (${(err as Error).message}) to ${describeRequest(request)}`);
      }
      counts.cases++;
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      const problem = fault(request, reply);
      if (problem !== undefined) throw new Error(`${problem}\n  request: ${describeRequest(request)}`);
    }),
    {
      numRuns: RUNS,
      interruptAfterTimeLimit: TIME_LIMIT_MS,
      // Always tried first: each seed as it is (it must pass, or the mutations prove little), and
      // each seed sent in absolute-form (RFC 9112 §3.2.2), which a server must accept or refuse, not crash on.
      examples: seeds.flatMap((seed): Array<[Case]> => [
        [{ seed, fields: [], signing: [], raw: [] }],
        [{ seed, fields: [], signing: [], raw: [{ op: 'target', form: 'absolute', text: '' }] }],
      ]),
    },
  );
  const after = await world.report();
  const logged = after.unexpectedCount - before.unexpectedCount;
  if (logged > 0) throw new Error(`the servers logged ${logged} unexpected errors; the last:\n${after.unexpected.slice(-logged).join('\n')}`);
  expect(after.rejections).toEqual([]);
  expect(world.exited()).toBeUndefined();
}

describe('fuzzing the running servers (random and mutated-valid requests)', () => {
  it('token endpoint: never ≥ 500, always {error, error_description}', async () => {
    await fuzz(['token.resource', 'token.self', 'token.refresh', 'token.chain']);
  }, 600_000);

  it('token-exchange endpoint: never ≥ 500, always {error, error_description}', async () => {
    await fuzz(['exchange']);
  }, 600_000);

  it('pending URL (GET and POST): never ≥ 500, always {error, error_description}', async () => {
    await fuzz(['pending.get', 'pending.post']);
  }, 600_000);

  it('resource middleware: never ≥ 500, always {error, error_description}', async () => {
    await fuzz(['resource.get', 'resource.post', 'resource.pseudo', 'resource.challenge']);
  }, 600_000);

  it('both servers still answer afterwards, and nothing was left unhandled', async () => {
    const metadata = await sendRaw(world.authPort, { method: 'GET', target: `${new URL(world.issuer).pathname}/.well-known/aauth-issuer.json`, headers: {} });
    expect(metadata.status).toBe(200);
    const open = await sendRaw(world.resourcePort, { method: 'GET', target: '/open', headers: {} });
    expect(open.status).toBe(200);
    const report = await world.report();
    expect(report.unexpected).toEqual([]);
    expect(report.rejections).toEqual([]);
    expect(world.exited()).toBeUndefined();
  });
});
