// @aauth-ts/agent: (1) signing overhead per outgoing request (signOutgoing, as the fetch wrapper
// and the axios interceptor call it) against a raw node:crypto Ed25519 sign of the same signature
// base; (2) warm round-trip latency of client.fetch with a cached auth token against an unsigned
// fetch to the same loopback server, the server in a worker thread. Run with `npm run bench`.
import http from 'node:http';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { sign as cryptoSign } from 'node:crypto';
import {
  GuardedFetcher, KeyDiscovery, PROFILE, createAuthToken, createResourceToken, generateSigningKey, jwkThumbprint,
  peekClaims, serializeChallenge, toJwks, verifyAuthToken, verifyRequest,
} from '@aauth-ts/core';
import { AAuthClient, AgentServer, AgentSession, signOutgoing } from '@aauth-ts/agent';
import { ROUNDS, fmt, median, row, startWorker } from './harness.js';

const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 350);
const LATENCY_REQUESTS = Number(process.env.BENCH_LATENCY_REQUESTS ?? 250);

async function measure(fn) {
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ROUND_MS) {
    for (let i = 0; i < 50; i++) await fn();
    ops += 50;
    elapsed = performance.now() - start;
  }
  return (ops * 1000) / elapsed;
}

/** Ops/s of each function per interleaved round (after one warm-up round). */
async function compare(fns) {
  const rounds = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const ops = [];
    for (const fn of fns) ops.push(await measure(fn));
    if (round > 0) rounds.push(ops);
  }
  return rounds;
}

// One loopback server plays resource and auth server (metadata, JWKS, a token endpoint that
// issues without ceremony: only the warm path is measured). `/verify` checks the signature and
// the auth token as a resource would (the token's verdict cached); `/plain` answers without looking.
async function serveRoundTrip({ cnfJwk }) {
  const rsKey = generateSigningKey();
  const asKey = generateSigningKey();
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const issuer = `${origin}/realms/bench`;
  const keys = new KeyDiscovery(new GuardedFetcher({ allowLoopback: true }));
  const send = (res, status, json, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(json));
  };
  // Auth tokens verified once and then known by their whole text, as a resource's verified-token
  // cache keeps them: a warm request costs the one verify of its HTTP signature.
  const verifiedAuthTokens = new Map();
  server.on('request', async (req, res) => {
    try {
      const path = new URL(req.url, origin).pathname;
      if (path === `/.well-known/${PROFILE.wellKnown.resource}`) return send(res, 200, { resource: origin, jwks_uri: `${origin}/rs-jwks` });
      if (path === '/rs-jwks') return send(res, 200, toJwks([rsKey]));
      if (path === `/realms/bench/.well-known/${PROFILE.wellKnown.issuer}`) {
        return send(res, 200, { issuer, token_endpoint: `${issuer}/token`, interaction_endpoint: `${issuer}/interact`, jwks_uri: `${issuer}/certs` });
      }
      if (path === '/realms/bench/certs') return send(res, 200, toJwks([asKey]));
      if (path === '/realms/bench/token') {
        const chunks = [];
        for await (const c of req) chunks.push(c);
        const rt = peekClaims(JSON.parse(Buffer.concat(chunks).toString()).resource_token, 'invalid_resource_token');
        const token = await createAuthToken(asKey, { iss: issuer, aud: rt.iss, agent: rt.agent, cnfJwk, scope: 'bench', lifetimeSeconds: 3600 });
        return send(res, 200, { auth_token: token, expires_in: 3600 });
      }
      if (path === '/plain') return send(res, 200, { ok: true });
      const verified = await verifyRequest({ method: req.method, url: new URL(req.url, origin), headers: req.headers }, {
        resolveKey: async (sk) => {
          if (sk.scheme === 'jwt' && sk.jwt.split('.').length === 3) {
            const claims = peekClaims(sk.jwt, 'invalid_auth_token');
            if (claims.agent !== undefined) {
              let jwk = verifiedAuthTokens.get(sk.jwt);
              if (jwk === undefined) {
                jwk = (await verifyAuthToken(sk.jwt, { keys, trustedIssuers: [issuer], audience: origin })).cnf.jwk;
                verifiedAuthTokens.set(sk.jwt, jwk);
              }
              return { jwk, info: 'auth' };
            }
            return { jwk: claims.cnf.jwk, info: claims.iss };
          }
          throw new Error('unexpected scheme');
        },
      });
      if (verified.info === 'auth') return send(res, 200, { ok: true });
      const resourceToken = await createResourceToken(rsKey, { iss: origin, aud: issuer, agent: verified.info, agentJkt: jwkThumbprint(verified.jwk), scope: 'bench' });
      send(res, 401, { error: 'invalid_request', error_description: 'auth token required' }, { [PROFILE.headers.challenge]: serializeChallenge({ require: 'auth-token', resourceToken, authServer: issuer }) });
    } catch (err) {
      send(res, 400, { error: 'invalid_request', error_description: String(err?.message ?? err) });
    }
  });
  parentPort.postMessage({ origin });
  parentPort.once('message', () => { server.closeAllConnections(); server.close(); });
}

export default async function agentBench() {

  // ---- 1. signing overhead ---------------------------------------------------------------------
  const agentServer = new AgentServer({ identifier: 'https://agent.example' });
  const session = AgentSession.delegateOf(agentServer, { sub: 'bench' });
  const agentToken = await session.agentToken();
  const signatureKey = { scheme: 'jwt', jwt: agentToken };
  const url = new URL('https://resource.example/api/orders');
  const body = new TextEncoder().encode(JSON.stringify({ sku: 'A-1', qty: 3 }));
  const getRequest = { method: 'GET', url, headers: {} };
  const postRequest = { method: 'POST', url, headers: { 'content-type': 'application/json' }, body };

  // The raw baseline signs a signature base of the same size as the library's (GET case).
  const sample = signOutgoing(getRequest, session.key, signatureKey);
  const base = Buffer.from([
    '"@method": GET',
    '"@authority": resource.example',
    '"@path": /api/orders',
    `"signature-key": ${sample[PROFILE.headers.signatureKey.toLowerCase()]}`,
    `"@signature-params": ${sample[PROFILE.headers.signatureInput.toLowerCase()].slice(4)}`,
  ].join('\n'));

  const signing = await compare([
    () => cryptoSign(null, base, session.key.privateKey),
    () => signOutgoing(getRequest, session.key, signatureKey),
    () => signOutgoing(postRequest, session.key, signatureKey),
  ]);
  const signingOf = (i) => median(signing.map((ops) => ops[i]));
  const signingRatio = (i) => median(signing.map((ops) => ops[i] / ops[0]));

  // ---- 2. warm round trip -------------------------------------------------------------------
  // The server (see `serveRoundTrip`) runs in a worker thread; the client, in this one, is the load.
  const worker = startWorker(new URL(import.meta.url), { role: 'agent-round-trip', cnfJwk: session.key.publicJwk });
  const { origin } = await worker.ready;
  const issuer = `${origin}/realms/bench`;
  const loopbackSession = AgentSession.delegateOf(new AgentServer({ identifier: origin, development: true }), { sub: 'bench', key: session.key });
  const client = new AAuthClient({ session: loopbackSession, development: true, authServers: [issuer] });
  // One challenged call fills the cache (the resource identifier is the origin, so /plain reuses it).
  const warm = await client.fetch(`${origin}/verify`);
  if (warm.status !== 200) throw new Error(`bench setup: /verify answered ${warm.status}: ${await warm.text()}`);
  await warm.arrayBuffer();

  async function latencies(fn) {
    const samples = [];
    for (let i = 0; i < LATENCY_REQUESTS; i++) {
      const start = performance.now();
      const response = await fn();
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`bench: HTTP ${response.status}`);
      samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    return { median: samples[Math.floor(samples.length / 2)], p90: samples[Math.floor(samples.length * 0.9)] };
  }

  // Interleaved rounds; per round the median latency of each and its ratio to the unsigned fetch.
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const r = {};
    for (const [name, fn] of [
      ['unsigned', () => fetch(`${origin}/plain`)],
      ['plain', () => client.fetch(`${origin}/plain`)],
      ['verify', () => client.fetch(`${origin}/verify`)],
    ]) r[name] = (await latencies(fn)).median;
    rounds.push(r);
  }
  await worker.stop();
  const ms = (k) => `${median(rounds.map((r) => r[k])).toFixed(3)} ms median`;
  const latencyRatio = (k) => median(rounds.map((r) => r[k] / r.unsigned));
  return {
    title: 'agent: signing an outgoing request, and a warm round trip with a cached auth token',
    note: `signing: Ed25519, Signature-Key jwt=<agent token>, ${ROUNDS} interleaved rounds of ${ROUND_MS} ms; round trip: ${LATENCY_REQUESTS} sequential requests per round on loopback, median per round, median over ${ROUNDS} rounds`,
    rows: [
      row('raw node:crypto sign', `${fmt(signingOf(0))} ops/s`),
      row('signOutgoing GET', `${fmt(signingOf(1))} ops/s`, { ratio: signingRatio(1), baseline: 'raw sign' }),
      row('signOutgoing POST + Content-Digest', `${fmt(signingOf(2))} ops/s`, { ratio: signingRatio(2), baseline: 'raw sign' }),
      row('unsigned fetch', ms('unsigned')),
      row('client.fetch, server does not verify', ms('plain'), { ratio: latencyRatio('plain'), baseline: 'unsigned fetch (latency)' }),
      row('client.fetch, server verifies signature + token', ms('verify'), { ratio: latencyRatio('verify'), baseline: 'unsigned fetch (latency)' }),
    ],
  };
}

if (!isMainThread && workerData?.role === 'agent-round-trip') await serveRoundTrip(workerData);
