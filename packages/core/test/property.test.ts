/**
 * Property tests (fast-check, bounded runs): the parsers and verifyRequest, fed arbitrary header
 * strings, either succeed or throw an AAuthError subclass — never a TypeError, RangeError or a
 * parser's own exception, which would become a 500 instead of a precise 4xx.
 */
import fc from 'fast-check';
import {
  AAuthError, SignatureError, importSigningKey, parseChallenge, parseSignatureKeys, signRequest, verifyContentDigest, verifyRequest,
  type PrivateJwk, type SignatureKey,
} from '@aauth-ts/core';

/** Bounded by default; FC_RUNS raises it for a longer local search. */
const RUNS = Number(process.env.FC_RUNS ?? 400);
const NOW = 1730217600;
const key = importSigningKey({ kty: 'OKP', crv: 'Ed25519', d: 'n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU', x: 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs' } as PrivateJwk);

/** Fragments of the real grammars, so generated strings often get past the first parser. */
const FRAGMENTS = [
  'sig', 'sig1', '=', ';', ',', ' ', '"', ':', '(', ')', '\\', '*', '?1', '-1', '1.5', '%', '\t', '=:', '@',
  'hwk', 'jwt', 'jwks_uri', 'x509', 'jkt-jwt', 'kty="OKP"', 'kty="EC"', 'kty="RSA"', 'crv="Ed25519"', 'crv="P-256"',
  'x="JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"', 'x="AAAA"', 'y="AAAA"', 'n="AQAB"', 'e="AQAB"', 'alg="Ed25519"',
  'jwt="a.b.c"', 'jwt="eyJhbGciOiJub25lIn0.e30."', 'id="https://a.example"', 'kid="k"', 'dwk="aauth-agent.json"', 'well-known="aauth-agent.json"', 'x5u="https://x"', 'x5t=:AAAA:',
  'require', 'auth-token', 'pseudonym', 'identity', 'interaction', 'approval', 'resource-token="rt"', 'auth-server="https://as"', 'code="ABCD"',
  'sha-256', 'sha-512', ':X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:', ':AAAA:',
  '"@method"', '"@authority"', '"@path"', '"@query"', '"@query-param";name="a"', '"signature-key"', '"content-digest"', '"content-type"', '"x";sf', '"x";bs', '"x";key="a"',
  'created=1730217600', 'created=-1', 'created=99999999999999', 'expires=1', 'alg="ed25519"', 'keyid="k"', 'nonce="n"',
];

const headerString = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 24 }).map((parts) => parts.join('')),
);

function onlyAAuthErrors(run: () => unknown): void {
  try {
    run();
  } catch (err) {
    if (!(err instanceof AAuthError)) throw new Error(`threw a non-AAuthError: ${String((err as Error)?.stack ?? err)}`);
  }
}

async function onlyAAuthErrorsAsync(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (!(err instanceof AAuthError)) throw new Error(`threw a non-AAuthError: ${String((err as Error)?.stack ?? err)}`);
  }
}

const resolveKey = (sk: SignatureKey) => {
  if (sk.scheme !== 'hwk') throw new SignatureError('invalid_signature', 'this test resolves inline keys only');
  return { jwk: sk.jwk, info: null };
};

describe('never anything but AAuthError', () => {
  it('parseSignatureKeys', () => {
    fc.assert(fc.property(headerString, (h) => onlyAAuthErrors(() => parseSignatureKeys(h))), { numRuns: RUNS });
  });

  it('parseChallenge', () => {
    fc.assert(fc.property(headerString, (h) => onlyAAuthErrors(() => parseChallenge(h))), { numRuns: RUNS });
  });

  it('verifyContentDigest', () => {
    fc.assert(fc.property(headerString, fc.oneof(fc.string(), fc.uint8Array({ maxLength: 64 })), (h, body) => onlyAAuthErrors(() => verifyContentDigest(h, body))), { numRuns: RUNS });
  });

  it('verifyRequest on arbitrary Signature, Signature-Input and Signature-Key', async () => {
    await fc.assert(fc.asyncProperty(headerString, headerString, headerString, fc.option(fc.string({ maxLength: 40 }), { nil: undefined }), async (signature, input, signatureKey, body) => {
      await onlyAAuthErrorsAsync(() => verifyRequest({
        method: 'POST', url: 'https://resource.example/api?x=1', headers: { signature, 'signature-input': input, 'signature-key': signatureKey, 'content-type': 'text/plain', 'content-digest': input }, body,
      }, { resolveKey, now: NOW }));
    }), { numRuns: RUNS });
  });

  it('verifyRequest on a valid request with one header value mutated', async () => {
    const request = { method: 'POST', url: 'https://resource.example/api/orders', headers: { 'content-type': 'application/json' }, body: '{"a":1}' };
    const signed = { ...request.headers, ...signRequest(request, { key, signatureKey: { scheme: 'hwk' }, created: NOW }) } as Record<string, string>;
    const names = Object.keys(signed);
    await fc.assert(fc.asyncProperty(fc.constantFrom(...names), fc.nat(), fc.constantFrom(...FRAGMENTS, '', 'A', '0'), async (name, at, insert) => {
      const value = signed[name] as string;
      const pos = at % (value.length + 1);
      const headers = { ...signed, [name]: value.slice(0, pos) + insert + value.slice(pos + 1) };
      await onlyAAuthErrorsAsync(() => verifyRequest({ ...request, headers }, { resolveKey, now: NOW }));
    }), { numRuns: RUNS });
  });
});
