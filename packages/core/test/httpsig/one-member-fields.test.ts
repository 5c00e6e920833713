/**
 * The one-member reader of `Signature-Input` and `Signature` must agree with the RFC 8941 parser
 * on every field it reads, and leave every other spelling to it (undefined): a field read two
 * ways by one verifier would let a signer choose which reading is verified.
 */
import fc from 'fast-check';
import { parseDictionary, type Dictionary } from 'structured-headers';
import { generateSigningKey, signRequest } from '@aauth-ts/core';
import { oneSignature, oneSignatureInput } from '../../src/httpsig/one-member-fields.js';

const RUNS = Number(process.env.FC_RUNS ?? 2000);

/** The general parser's reading, or 'error' when it refuses the text. */
function general(header: string): Dictionary | 'error' {
  try {
    return parseDictionary(header);
  } catch {
    return 'error';
  }
}

/** The fast reading of `Signature` in the parser's shape (bytes as an ArrayBuffer). */
function asDictionary(fast: ReturnType<typeof oneSignature>): Dictionary | undefined {
  if (fast === undefined) return undefined;
  return new Map([[fast.label, [new Uint8Array(fast.bytes).buffer, new Map()]]]);
}

const FRAGMENTS = [
  'sig', 'sig1', 'a*', '*', 'Sig', '=', ';', ',', ' ', '  ', '\t', '"', ':', '(', ')', '\\', '?1', '-', '-1', '1.5', '0', '007', '1730217600', '9999999999999999',
  '"@method"', '"@authority"', '"@path"', '"@query"', '"signature-key"', '"content-digest"', '"x";sf', '""', '" "', '"a b"', '"\\""',
  'created=', 'expires=', 'keyid=', 'alg=', 'tag=', 'nonce=', '"ed25519"', 'tok', '%"a"', '@1',
  'AAAA', 'AA==', 'A===', 'AAA=', 'A', 'AB', '+/+/', '-_-_', 'YQ', 'YQ=', 'YQ==',
];
const fragmentString = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 20 }).map((parts) => parts.join(''));
const headerString = fc.oneof(fragmentString, fc.string({ maxLength: 80 }));

describe('one-member Signature-Input and Signature', () => {
  it('a one-member Signature-Input read without the general parser equals the general parser\'s reading', () => {
    fc.assert(fc.property(headerString, (h) => {
      const fast = oneSignatureInput(h);
      if (fast !== undefined) expect(fast).toEqual(general(h));
    }), { numRuns: RUNS });
  });

  it('a one-member Signature read without the general parser equals the general parser\'s reading', () => {
    fc.assert(fc.property(headerString, (h) => {
      const fast = oneSignature(h);
      if (fast !== undefined) expect(asDictionary(fast)).toEqual(general(h));
    }), { numRuns: RUNS });
  });

  it('reads what signRequest writes, with and without a body and with extra parameters', () => {
    const key = generateSigningKey('Ed25519');
    const requests = [
      { method: 'GET', url: 'https://r.example/a?b=c', headers: {} },
      { method: 'POST', url: 'https://r.example/a', headers: { 'content-type': 'application/json' }, body: '{"a":1}' },
    ];
    for (const request of requests) {
      const signed = signRequest(request, { key, signatureKey: { scheme: 'hwk' } });
      for (const input of [signed['signature-input'], `${signed['signature-input']};expires=1730217700;keyid="k 1";created=5`]) {
        expect(oneSignatureInput(input)).toEqual(general(input));
        expect(oneSignatureInput(input)).not.toBeUndefined();
      }
      const fast = oneSignature(signed.signature);
      expect(fast).not.toBeUndefined();
      expect(asDictionary(fast)).toEqual(general(signed.signature));
    }
  });

  it('leaves every other spelling to the general parser', () => {
    for (const h of [
      ' sig=("@method");created=1', 'sig=( "@method");created=1', 'sig=("@method"  "@path");created=1', 'sig=("@method");created=1, other=("@path")',
      'sig=("@method";sf);created=1', 'sig=("@method");created=1.5', 'sig=("@method");created=1234567890123456', 'sig=("@method");alg=ed25519', 'sig=("a\\"b")',
      'sig=("@method");created', 'sig=:YQ:', 'sig=:YQ=:', 'sig=:YQ==:;x=1', 'sig=:YQ==:, sig=:YQ==:', 'sig=:Y=Q=:',
    ]) {
      expect(oneSignatureInput(h)).toBeUndefined();
      expect(oneSignature(h)).toBeUndefined();
    }
  });
});
