// @aauth-ts/core: verifyRequest and signRequest (hwk, warm caches) against raw node:crypto Ed25519
// over the same signature base, paired in the same rounds.
import { sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { generateSigningKey, signRequest, verifyRequest } from '@aauth-ts/core';
import { ROUNDS, fmt, median, row } from './harness.js';

const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 800);
const BATCH = 20;

/**
 * Small batches of each function alternate for the round and each function's own time is summed,
 * so a busy machine slows both alike. Every function is awaited, raw ones included, so the loop
 * costs the same for all. Returns ops/s per function.
 */
async function paired(fns, ms) {
  const time = fns.map(() => 0);
  const ops = fns.map(() => 0);
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (const [i, fn] of fns.entries()) {
      const start = performance.now();
      for (let j = 0; j < BATCH; j++) await fn();
      time[i] += performance.now() - start;
      ops[i] += BATCH;
    }
  }
  return fns.map((_, i) => (ops[i] * 1000) / time[i]);
}

/** Per round: [raw, ours] ops/s; the median ratio ours/raw over the rounds. */
async function compare(rawFn, oursFn) {
  await paired([rawFn, oursFn], 300); // warm-up
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) rounds.push(await paired([rawFn, oursFn], ROUND_MS));
  return { raw: median(rounds.map(([raw]) => raw)), ours: median(rounds.map(([, ours]) => ours)), ratio: median(rounds.map(([raw, ours]) => ours / raw)) };
}

export default async function core() {
  const key = generateSigningKey('Ed25519');
  const request = { method: 'GET', url: 'https://resource.example/api/documents', headers: {} };
  const created = Math.floor(Date.now() / 1000);
  const signed = signRequest(request, { key, signatureKey: { scheme: 'hwk' }, created });
  const signedRequest = { ...request, headers: { ...signed } };
  const resolveKey = (sk) => ({ jwk: sk.jwk, info: null });

  // The exact signature base verifyRequest checks, so the raw figures use the same message.
  const base = Buffer.from([
    '"@method": GET',
    '"@authority": resource.example',
    '"@path": /api/documents',
    `"signature-key": ${signed['signature-key']}`,
    `"@signature-params": ("@method" "@authority" "@path" "signature-key");created=${created}`,
  ].join('\n'));
  const rawSignature = cryptoSign(null, base, key.privateKey);
  if (!cryptoVerify(null, base, key.publicKey, Buffer.from(signed.signature.slice(5, -1), 'base64'))) {
    throw new Error('bench setup: the reconstructed base does not match verifyRequest\'s');
  }
  const v = await compare(() => cryptoVerify(null, base, key.publicKey, rawSignature), () => verifyRequest(signedRequest, { resolveKey, now: created }));
  const s = await compare(() => cryptoSign(null, base, key.privateKey), () => signRequest(request, { key, signatureKey: { scheme: 'hwk' }, created }));
  const opsRow = (figure, ops, extra) => row(figure, `${fmt(ops)} ops/s (${(1e6 / ops).toFixed(1)} µs)`, extra);
  return {
    title: 'core: verifyRequest / signRequest (Ed25519, hwk, warm caches)',
    note: `${base.length}-byte signature base; paired batches of ${BATCH}, ${ROUNDS} rounds of ${ROUND_MS} ms`,
    rows: [
      opsRow('raw node:crypto Ed25519 verify', v.raw),
      opsRow('verifyRequest (hwk, warm)', v.ours, { ratio: v.ratio, baseline: `raw verify (+${(1e6 / v.ours - 1e6 / v.raw).toFixed(1)} µs/op)`, target: '≥ 0.90' }),
      opsRow('raw node:crypto Ed25519 sign', s.raw),
      opsRow('signRequest (hwk)', s.ours, { ratio: s.ratio, baseline: `raw sign (+${(1e6 / s.ours - 1e6 / s.raw).toFixed(1)} µs/op)` }),
    ],
  };
}
