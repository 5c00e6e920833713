/** Signature-Key parse/serialize (wire notes §1.1, §1.3): the dictionary form, one member per label. */
import { parseSignatureKey, parseSignatureKeys, serializeSignatureKey, generateSigningKey, type SignatureKey } from '@aauth-ts/core';

const ed = generateSigningKey('Ed25519');
const ec = generateSigningKey('P-256');

describe('Signature-Key', () => {
  it.each<[string, SignatureKey]>([
    ['hwk Ed25519', { label: 'sig', scheme: 'hwk', jwk: { kty: 'OKP', crv: 'Ed25519', x: String(ed.publicJwk.x) } }],
    ['hwk P-256', { label: 'sig', scheme: 'hwk', jwk: { kty: 'EC', crv: 'P-256', x: String(ec.publicJwk.x), y: String(ec.publicJwk.y) } }],
    ['jwt', { label: 'sig1', scheme: 'jwt', jwt: 'eyJhbGciOiJFZERTQSJ9.e30.c2ln' }],
    ['jwks_uri', { label: 'sig', scheme: 'jwks_uri', id: 'https://agent.example', wellKnown: 'aauth-agent.json', kid: 'k1' }],
    ['x509', { label: 'sig', scheme: 'x509', x5u: 'https://agent.example/chain.pem', x5t: new Uint8Array([1, 2, 3, 250]) }],
  ])('%s round-trips', (_name, key) => {
    const header = serializeSignatureKey(key);
    expect(parseSignatureKeys(header)).toEqual([key]);
    expect(parseSignatureKey(header, key.label)).toEqual(key);
  });

  it('hwk: kid and private members never leave; alg only with hwkAlg', () => {
    const key: SignatureKey = { label: 'sig', scheme: 'hwk', jwk: { ...ed.publicJwk, d: 'secret' } };
    expect(serializeSignatureKey(key)).toBe(`sig=hwk;kty="OKP";crv="Ed25519";x="${String(ed.publicJwk.x)}"`);
    expect(serializeSignatureKey(key, { hwkAlg: true })).toBe(`sig=hwk;kty="OKP";crv="Ed25519";x="${String(ed.publicJwk.x)}";alg="EdDSA"`);
  });

  // Signature-Key draft at f22a52e, §JWKS URI Discovery: the parameters are `id`, `well-known`, `kid`.
  it('jwks_uri: emits the draft\'s `id`, `well-known`, `kid` parameters, never `dwk`', () => {
    const header = serializeSignatureKey({ label: 'sig', scheme: 'jwks_uri', id: 'https://a.example', wellKnown: 'aauth-agent.json', kid: 'k' });
    expect(header).toBe('sig=jwks_uri;id="https://a.example";well-known="aauth-agent.json";kid="k"');
  });

  it.each([
    ['well-known (the 2026-03 profile\'s draft)', 'sig=jwks_uri;id="https://a.example";well-known="aauth-agent.json";kid="k"'],
    ['dwk (a later draft\'s name)', 'sig=jwks_uri;id="https://a.example";dwk="aauth-agent.json";kid="k"'],
  ])('jwks_uri: the document parameter is read under %s', (_name, header) => {
    expect(parseSignatureKeys(header)).toEqual([{ label: 'sig', scheme: 'jwks_uri', id: 'https://a.example', wellKnown: 'aauth-agent.json', kid: 'k' }]);
  });

  it('jwks_uri: `well-known` and `dwk` naming different documents is refused as ambiguous', () => {
    expect(() => parseSignatureKeys('sig=jwks_uri;id="https://a.example";well-known="aauth-agent.json";dwk="other";kid="k"'))
      .toThrow(expect.objectContaining({ code: 'invalid_request', detail: expect.objectContaining({ field: 'well-known', reason: 'conflict' }) }));
  });

  it.each([
    // The parenthesised form is read in one strict shape only (test/httpsig/peer-deviations.test.ts).
    ['the parenthesised form with a bare value', 'sig1=(scheme=jwt jwt=x)', 'invalid_request', 'malformed'],
    ['a string instead of a scheme token', 'sig="hwk"', 'invalid_request', 'malformed'],
    ['an unknown scheme', 'sig=cached;id="x"', 'invalid_signature', 'unsupported_scheme'],
    ['jwt without its token', 'sig=jwt', 'invalid_request', 'missing'],
    ['jwt as a token, not a string', 'sig=jwt;jwt=abc', 'invalid_request', 'malformed'],
    ['x509 with a string x5t', 'sig=x509;x5u="https://x";x5t="AAAA"', 'invalid_request', 'malformed'],
    ['a repeated label', 'sig=jwt;jwt="a", sig=jwt;jwt="b"', 'invalid_request', 'duplicate_label'],
  ])('%s', (_name, header, code, reason) => {
    expect(() => parseSignatureKeys(header)).toThrow(expect.objectContaining({ code, detail: expect.objectContaining({ reason }) }));
  });

  it('a comma inside a quoted value is not a second member', () => {
    expect(parseSignatureKeys('sig=jwt;jwt="a,b"')).toEqual([{ label: 'sig', scheme: 'jwt', jwt: 'a,b' }]);
  });

  it('parseSignatureKey: no member for the label', () => {
    expect(() => parseSignatureKey('sig=jwt;jwt="a"', 'sig1')).toThrow(expect.objectContaining({ code: 'invalid_signature', detail: expect.objectContaining({ reason: 'label_mismatch' }) }));
  });
});
