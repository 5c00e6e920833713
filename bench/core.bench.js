// @aauth-ts/core: verifyRequest and signRequest against raw node:crypto Ed25519 over the same
// signature base, measured in the same run. Run with `npm run bench` (builds first).
import { sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { generateSigningKey, signRequest, verifyRequest } from '@aauth-ts/core';

// Raw and library figures are taken in interleaved rounds and the best round of each is kept, so
// a busy machine slows both alike instead of skewing the ratio.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 350);

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

/** Best ops/s of each function over interleaved rounds (after one warm-up round). */
async function compare(fns) {
  const best = fns.map(() => 0);
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [i, fn] of fns.entries()) {
      const opsPerSecond = await measure(fn);
      if (round > 0) best[i] = Math.max(best[i], opsPerSecond);
    }
  }
  return best;
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
console.log(`core (Ed25519, hwk, ${base.length}-byte signature base, node ${process.version}, best of ${ROUNDS} interleaved ${ROUND_MS} ms rounds)`);
console.log(row('raw node:crypto verify', rawVerify));
console.log(row('verifyRequest (hwk, warm caches)', ours, rawVerify));
console.log(row('raw node:crypto sign', rawSign));
console.log(row('signRequest (hwk)', oursSign, rawSign));
