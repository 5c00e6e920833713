// A warm two-hop chain, as in the demo (backend → supply-chain → market-analysis), all tokens
// cached: the caller A signs with its cached auth token for B; B (resource and agent) verifies
// it and, while serving the request, calls C with its own cached auth token, obtained once by call
// chaining (`upstream_token`, 2026-03 §Call Chaining). Median latency of A's call on loopback,
// against the same two hops with plain express routes and unsigned fetches, in the same round.
//
// The auth server, B and C run in a worker thread; A (the load generator) in the main thread.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { ROUNDS, fmt, median, rawCrypto, row, startWorker } from './harness.js';

const REQUESTS = Number(process.env.BENCH_LATENCY_REQUESTS ?? 200); // sequential calls per round
const AGENT_JWKS_PATH = '/.well-known/agent-jwks.json';

async function serve({ callerJwk }) {
  const express = (await import('express')).default;
  const { GuardedFetcher, KeyDiscovery, generateSigningKey, importSigningKey } = await import('@aauth-ts/core');
  const { aauth, aauthErrorHandler } = await import('@aauth-ts/resource');
  const { AAuthClient, AgentServer, AgentSession } = await import('@aauth-ts/agent');
  const { createAuthServer } = await import('@aauth-ts/auth-server');
  const servers = [];
  // TCP connections accepted by B, C and their plain twins: a warm chain reuses its connections.
  let connections = 0;
  const listen = (app) => new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => { servers.push(s); resolve(`http://127.0.0.1:${s.address().port}`); });
    s.on('connection', () => { connections += 1; });
  });

  // Identifiers are origins, known once listening; the routes are added afterwards.
  const [a, b, c, plainB, plainC] = [express(), express(), express(), express(), express()];
  const [aId, bId, cId, plainBUrl, plainCUrl] = [await listen(a), await listen(b), await listen(c), await listen(plainB), await listen(plainC)];
  const authServer = createAuthServer({
    log: () => undefined,
    realm: {
      realm: 'bench',
      attributes: { 'aauth.allowLoopback': 'true' },
      clientScopes: [{ name: 'b:use', attributes: { 'aauth.resource': bId } }, { name: 'c:read', attributes: { 'aauth.resource': cId } }],
      clients: [
        { clientId: aId, attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['b:use'] },
        { clientId: bId, attributes: { 'aauth.agent': 'true', 'aauth.resource': 'true' }, optionalClientScopes: ['c:read'] },
        { clientId: cId, attributes: { 'aauth.resource': 'true' } },
      ],
    },
  });
  const { issuer } = await authServer.listen(0);

  // A's agent documents (its key is used by the main thread).
  a.use(new AgentServer({ identifier: aId, keys: [importSigningKey(callerJwk)], development: true }).router());

  // C: a resource.
  const cGuard = aauth({ resource: cId, signingKey: generateSigningKey(), authServer: issuer, development: true });
  c.use(cGuard);
  c.get('/outlook', cGuard.requireAuth({ scope: 'c:read' }), (_q, r) => r.json({ outlook: 'steady' }));
  c.use(aauthErrorHandler());

  // B: a resource that calls C while serving, as an agent with its own identity.
  const bAgent = new AgentServer({ identifier: bId, keys: [generateSigningKey()], jwksPath: AGENT_JWKS_PATH, development: true });
  const bClient = new AAuthClient({ session: AgentSession.asAgentServer(bAgent), development: true, authServers: [issuer], keys: new KeyDiscovery(new GuardedFetcher({ allowLoopback: true })) });
  const bGuard = aauth({ resource: bId, signingKey: generateSigningKey(), authServer: issuer, development: true });
  b.use(bAgent.router());
  b.use(bGuard);
  b.get('/plan', bGuard.requireAuth({ scope: 'b:use' }), async (req, res, next) => {
    try {
      const downstream = await bClient.forUpstream(req.aauth.authToken).fetch(`${cId}/outlook`);
      if (downstream.status !== 200) throw new Error(`C answered ${downstream.status}: ${await downstream.text()}`);
      res.json({ plan: 'ok', outlook: (await downstream.json()).outlook });
    } catch (err) {
      next(err);
    }
  });
  b.use(aauthErrorHandler());

  plainC.get('/outlook', (_q, r) => r.json({ outlook: 'steady' }));
  plainB.get('/plan', async (_q, res) => {
    const downstream = await fetch(`${plainCUrl}/outlook`);
    res.json({ plan: 'ok', outlook: (await downstream.json()).outlook });
  });

  parentPort.postMessage({ issuer, caller: aId, guarded: `${bId}/plan`, plain: `${plainBUrl}/plan` });
  parentPort.on('message', async (message) => {
    if (message === 'connections') return void parentPort.postMessage(connections);
    await authServer.close();
    for (const s of servers) { s.closeAllConnections(); s.close(); }
  });
}

async function latencies(fn) {
  const samples = [];
  for (let i = 0; i < REQUESTS; i++) {
    const start = performance.now();
    const response = await fn();
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`chain bench: HTTP ${response.status}`);
    samples.push(performance.now() - start);
  }
  return median(samples);
}

export default async function chainBench() {
  const { exportPrivateJwk, generateSigningKey, importSigningKey } = await import('@aauth-ts/core');
  const { AAuthClient, AgentServer, AgentSession } = await import('@aauth-ts/agent');
  const callerKey = generateSigningKey();
  const worker = startWorker(new URL(import.meta.url), { role: 'chain', callerJwk: exportPrivateJwk(callerKey) });
  const ready = await worker.ready;
  const caller = new AgentServer({ identifier: ready.caller, keys: [importSigningKey(exportPrivateJwk(callerKey))], development: true });
  const client = new AAuthClient({ session: AgentSession.asAgentServer(caller), development: true, authServers: [ready.issuer] });
  // The first call fetches both auth tokens (two challenges, two exchanges); later ones are warm.
  const first = await client.fetch(ready.guarded);
  if (first.status !== 200) throw new Error(`chain bench setup: ${first.status} ${await first.text()}`);
  await first.arrayBuffer();
  await latencies(() => fetch(ready.plain));
  await latencies(() => client.fetch(ready.guarded)); // warm-up
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const { verify } = rawCrypto();
    const before = await worker.ask('connections');
    const plain = await latencies(() => fetch(ready.plain));
    const between = await worker.ask('connections');
    const chain = await latencies(() => client.fetch(ready.guarded));
    const after = await worker.ask('connections');
    rounds.push({ verify, plain, chain, ratio: chain / plain, verifyMs: 1000 / verify, plainConnections: between - before, chainConnections: after - between });
  }
  await worker.stop();
  const m = (k) => median(rounds.map((r) => r[k]));
  return {
    title: 'warm two-hop chain: A → B (resource + agent) → C, all tokens cached, loopback',
    note: `${REQUESTS} sequential calls per round, median latency per round, median over ${ROUNDS} rounds; B and C verify a request signature each (2 verifies), A and B sign one each (2 signs)`,
    rows: [
      row('raw node:crypto Ed25519 verify', `${fmt(m('verifyMs') * 1000)} µs`),
      row('plain two hops (express, unsigned fetch)', `${m('plain').toFixed(3)} ms median`),
      row('AAuth two hops, warm', `${m('chain').toFixed(3)} ms median`, { ratio: m('ratio'), baseline: 'plain two hops (latency, lower is better)', target: '< 3 ms median' }),
      row('connections opened per round, plain two hops', `${m('plainConnections')} for ${REQUESTS} calls`),
      row('connections opened per round, AAuth two hops', `${m('chainConnections')} for ${REQUESTS} calls`, { target: 'none: a warm chain reuses its connections' }),
    ],
  };
}

if (!isMainThread && workerData?.role === 'chain') await serve(workerData);
