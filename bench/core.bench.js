// @aauth-ts/core: verifyRequest and signRequest against raw node:crypto Ed25519 over the same
// signature base, measured in the same run. Run with `npm run bench` (builds first).
import { sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { generateSigningKey, signRequest, verifyRequest } from '@aauth-ts/core';

// Paired measurement: small batches of each function alternate for the whole run and each
// function's own time is summed, so a busy machine slows both alike instead of skewing the ratio.
const DURATION_MS = Number(process.env.BENCH_MS ?? 4000);
const BATCH = 20;

async function compare(fns) {
  const time = fns.map(() => 0);
  const ops = fns.map(() => 0);
  for (const fn of fns) for (let i = 0; i < 200; i++) await fn(); // warm-up
  const end = performance.now() + DURATION_MS;
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

const key = generateSigningKey('Ed25519');
const request = { method: 'GET', url: 'https://resource.example/api/documents', headers: {} };
const created = Math.floor(Date.now() / 1000);
const signed = signRequest(request, { key, signatureKey: { scheme: 'hwk' }, created });
const signedRequest = { ...request, headers: { ...signed } };
const resolveKey = (sk) => ({ jwk: sk.jwk, info: null });

// The exact signature base verifyRequest checks, so the raw figures use the same message size.
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

// Every function is awaited, raw ones included, so the loop overhead is the same for all.
const [rawVerify, ours] = await compare([
  () => cryptoVerify(null, base, key.publicKey, rawSignature),
  () => verifyRequest(signedRequest, { resolveKey, now: created }),
]);
const [rawSign, oursSign] = await compare([
  () => cryptoSign(null, base, key.privateKey),
  () => signRequest(request, { key, signatureKey: { scheme: 'hwk' }, created }),
]);

const us = (opsPerSecond) => (1e6 / opsPerSecond).toFixed(1);
const row = (name, opsPerSecond, raw) => `  ${name.padEnd(42)} ${Math.round(opsPerSecond).toString().padStart(8)} ops/s  ${us(opsPerSecond).padStart(6)} µs/op${raw ? `  ratio ${(opsPerSecond / raw).toFixed(2)} of raw, +${(1e6 / opsPerSecond - 1e6 / raw).toFixed(1)} µs` : ''}`;
console.log(`core (Ed25519, hwk, ${base.length}-byte signature base, node ${process.version}, paired batches of ${BATCH} over ${DURATION_MS} ms per pair)`);
console.log(row('raw node:crypto verify', rawVerify));
console.log(row('verifyRequest (hwk, warm caches)', ours, rawVerify));
console.log(row('raw node:crypto sign', rawSign));
console.log(row('signRequest (hwk)', oursSign, rawSign));
