// @aauth-ts/auth-server: token exchanges per second in call-chaining mode (resource_token +
// upstream_token) against the embedded server over loopback HTTP, warm metadata/JWKS caches,
// against the raw node:crypto cost of the cryptography one exchange needs, measured in the same
// round: 4 Ed25519 verifications (request signature, agent token, resource token, upstream token)
// + 1 Ed25519 signature (the issued auth token).
//
// The auth server and the parties' documents run in a worker thread; the load generator (this
// thread) makes each round's resource tokens (single-use) before the timed window and signs each
// request as it sends it. It speaks HTTP/1.1 over its own keep-alive sockets, writing each request
// in one piece and reading each answer by its Content-Length: on a 2-core machine node:http's
// client took about half as much CPU per exchange as the server it was measuring, and any other
// load on the machine then showed up as the server's.
import net from 'node:net';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { ROUNDS, fmt, median, rawCrypto, row, startWorker } from './harness.js';
import { serveDocuments } from './documents.js';

// Per round. A round of 400 lasted about 0.3 s, shorter than this machine's scheduling swings, and
// measured 0.63-0.70 where rounds of 1,500 measured 0.90-1.06 back to back on the same code: the
// figure is the warm steady state, so a round is long enough to reach it.
const EXCHANGES = Number(process.env.BENCH_EXCHANGES ?? 1500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

/**
 * A keep-alive HTTP/1.1 connection to `url`'s host that sends one request at a time (written
 * whole) and resolves with the answer's status and body, read by its Content-Length (the token
 * endpoint always sends one).
 */
function connect(url) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    socket.setNoDelay(true);
    let buffered = Buffer.alloc(0);
    let waiting;
    const fail = (err) => {
      const w = waiting;
      waiting = undefined;
      w?.reject(err);
    };
    socket.on('data', (chunk) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      if (waiting === undefined) return;
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffered.toString('latin1', 0, end);
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      if (length === null) return fail(new Error(`auth-server bench: an answer without Content-Length: ${head}`));
      const total = end + 4 + Number(length[1]);
      if (buffered.length < total) return;
      const answer = { status: Number(head.slice(9, 12)), body: buffered.toString('utf8', end + 4, total) };
      buffered = buffered.subarray(total);
      const w = waiting;
      waiting = undefined;
      w.resolve(answer);
    });
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('auth-server bench: the server closed the connection')));
    socket.once('connect', () => resolve({
      send: (request) => new Promise((res, rej) => {
        waiting = { resolve: res, reject: rej };
        socket.write(request);
      }),
      close: () => socket.destroy(),
    }));
    socket.once('error', reject);
  });
}

async function serve({ keys }) {
  const { PROFILE, toJwks, importSigningKey } = await import('@aauth-ts/core');
  const { createAuthServer } = await import('@aauth-ts/auth-server');
  const [serverKey, downstreamKey] = keys.map((k) => importSigningKey(k));
  const mid = await serveDocuments((id) => new Map([
    ['/jwks.json', toJwks([serverKey])],
    [`/.well-known/${PROFILE.wellKnown.agent}`, { agent: id, jwks_uri: `${id}/jwks.json` }],
    [`/.well-known/${PROFILE.wellKnown.resource}`, { resource: id, jwks_uri: `${id}/jwks.json` }],
  ]));
  const down = await serveDocuments((id) => new Map([
    ['/jwks.json', toJwks([downstreamKey])],
    [`/.well-known/${PROFILE.wellKnown.resource}`, { resource: id, jwks_uri: `${id}/jwks.json` }],
  ]));
  const authServer = createAuthServer({
    log: () => undefined,
    maxJtis: 10_000_000,
    maxJtisPerAgent: 10_000_000,
    realm: {
      realm: 'bench',
      attributes: { 'aauth.allowLoopback': 'true' },
      users: [{ id: 'user-1', username: 'user-1' }],
      clientScopes: [{ name: 'down:read', attributes: { 'aauth.resource': down.id } }, { name: 'mid:use', attributes: { 'aauth.resource': mid.id } }],
      clients: [
        { clientId: mid.id, attributes: { 'aauth.agent': 'true', 'aauth.resource': 'true', 'aauth.chainScopes': '["down:read"]' }, optionalClientScopes: ['down:read'] },
        { clientId: down.id, attributes: { 'aauth.resource': 'true' } },
      ],
    },
  });
  const { issuer } = await authServer.listen(0);
  const { createAuthToken, generateSigningKey } = await import('@aauth-ts/core');
  // An upstream token issued by this realm for the intermediary (as a previous hop would have).
  const upstream = await createAuthToken(authServer.keys.active, {
    iss: issuer, aud: mid.id, agent: 'http://127.0.0.1:1', cnfJwk: generateSigningKey().publicJwk, sub: 'user-1', scope: 'mid:use', lifetimeSeconds: 3600,
  });
  parentPort.postMessage({ issuer, mid: mid.id, down: down.id, upstream });
  parentPort.once('message', async () => {
    await authServer.close();
    for (const s of [mid.server, down.server]) { s.closeAllConnections(); s.close(); }
  });
}

export default async function authServerBench() {
  const { createAgentToken, createResourceToken, exportPrivateJwk, generateSigningKey, signRequest } = await import('@aauth-ts/core');
  const serverKey = generateSigningKey('Ed25519', 'server');
  const delegate = generateSigningKey('Ed25519', 'delegate');
  const downstreamKey = generateSigningKey('Ed25519', 'downstream');
  const worker = startWorker(new URL(import.meta.url), { role: 'auth-server', keys: [serverKey, downstreamKey].map((k) => exportPrivateJwk(k)) });
  const { issuer, mid, down, upstream } = await worker.ready;
  const tokenEndpoint = `${issuer}/protocol/aauth/token`;
  const target = new URL(tokenEndpoint);
  const agentToken = await createAgentToken(serverKey, { iss: mid, sub: 'delegate', cnfJwk: delegate.publicJwk });
  // Resource tokens (5 min lifetime) are made before the timed window; each request is signed as
  // it is sent, so its `created` stays inside the ±60 s window however slow the machine is.
  const prepare = async (n) => {
    const out = [];
    for (let i = 0; i < n; i++) {
      const rt = await createResourceToken(downstreamKey, { iss: down, aud: issuer, agent: mid, agentJkt: delegate.thumbprint, scope: 'down:read' });
      out.push(JSON.stringify({ resource_token: rt, upstream_token: upstream }));
    }
    return out;
  };
  /** The request as it goes on the wire: signed now, so `created` is current. */
  const signed = (body) => {
    const headers = { 'content-type': 'application/json' };
    Object.assign(headers, signRequest({ method: 'POST', url: tokenEndpoint, headers, body }, { key: delegate, signatureKey: { scheme: 'jwt', jwt: agentToken } }));
    let head = `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    return `${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  };
  const run = async (batch) => {
    let next = 0;
    const failures = [];
    // Fresh connections per run: signing the next batch is a pause long enough for the server to
    // close idle keep-alive sockets under the client.
    const one = async () => {
      const connection = await connect(target);
      while (next < batch.length) {
        const res = await connection.send(signed(batch[next++]));
        if (res.status !== 200) failures.push(`${res.status} ${res.body}`);
      }
      connection.close();
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, one));
    const ms = performance.now() - start;
    if (failures.length > 0) throw new Error(`auth-server bench: ${failures.length} exchanges failed, first: ${failures[0]}`);
    return (batch.length * 1000) / ms;
  };

  await run(await prepare(Math.min(200, EXCHANGES))); // warm-up: metadata/JWKS caches, JIT
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const batch = await prepare(EXCHANGES);
    const { verify, sign } = rawCrypto();
    const bound = 1 / (4 / verify + 1 / sign);
    const exchanges = await run(batch);
    rounds.push({ verify, sign, bound, exchanges, ratio: exchanges / bound });
  }
  await worker.stop();
  const m = (k) => median(rounds.map((r) => r[k]));
  return {
    title: 'auth server: call-chaining token exchange (resource_token + upstream_token), embedded server, warm caches',
    note: `${EXCHANGES} exchanges per round at concurrency ${CONCURRENCY} (keep-alive connections) from the main thread, server in a worker thread, ${ROUNDS} rounds after a warm-up`,
    rows: [
      row('raw node:crypto Ed25519 verify', `${fmt(m('verify'))} ops/s`),
      row('raw node:crypto Ed25519 sign', `${fmt(m('sign'))} ops/s`),
      row('raw crypto bound: 4 verify + 1 sign', `${fmt(m('bound'))} exchanges/s`),
      row('token exchanges', `${fmt(m('exchanges'))} exchanges/s`, { ratio: m('ratio'), baseline: 'raw crypto bound, same round', target: '≥ 0.70' }),
    ],
  };
}

if (!isMainThread && workerData?.role === 'auth-server') await serve(workerData);
