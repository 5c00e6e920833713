/**
 * What the verifier accepts from peers that write two fields off-standard, where the signature
 * still verifies over exactly the same signature base (interop matrix: `interop/`):
 *  - `Signature` as unpadded base64url (RFC 4648 §5) instead of RFC 8941 §3.3.5 base64. The
 *    field is not covered by the signature and the replay key is built from the base, not the
 *    bytes, so reading the same bytes from another alphabet changes nothing that is verified.
 *  - `Signature-Key` in the parenthesised form `sig=(scheme=hwk kty="OKP" …)`. The signature
 *    covers the header's raw text, so the key it names is the key that signed that very text.
 * Neither form is ever written by us.
 */
import { sign as cryptoSign } from 'node:crypto';
import {
  importSigningKey, parseSignatureKeys, signRequest, verifyRequest,
  type KeyResolver, type PrivateJwk, type SignableRequest, type SignatureKey,
} from '@aauth-ts/core';

const AGENT: PrivateJwk = { kty: 'OKP', crv: 'Ed25519', d: 'n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU', x: 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs' };
const NOW = 1730217600;
const key = importSigningKey(AGENT);
const GET: SignableRequest = { method: 'GET', url: 'https://resource.example/api/documents', headers: {} };
const hwk: KeyResolver<null> = (sk: SignatureKey) => {
  if (sk.scheme !== 'hwk') throw new Error('hwk only');
  return { jwk: sk.jwk, info: null };
};
const verify = (request: SignableRequest) => verifyRequest(request, { resolveKey: hwk, now: NOW });

/** Our signature for GET at `created`, its bytes re-encoded as unpadded base64url. */
function base64urlSigned(created: number, url = GET.url as string): { request: SignableRequest; standard: string; urlsafe: string } {
  const headers = signRequest({ ...GET, url }, { key, signatureKey: { scheme: 'hwk' }, created });
  const standard = /^sig=:([^:]+):$/.exec(headers.signature)?.[1] as string;
  const urlsafe = Buffer.from(standard, 'base64').toString('base64url');
  return { request: { ...GET, url, headers: { ...headers, signature: `sig=:${urlsafe}:` } }, standard, urlsafe };
}

/** A `created` whose signature's base64url text has `-` or `_` (so standard base64 cannot read it). */
function createdWithUrlsafeChars(): number {
  for (let created = NOW; ; created--) if (/[-_]/.test(base64urlSigned(created).urlsafe)) return created;
}

/** Signs GET over a Signature-Key field written exactly as `signatureKey`. */
function signedOverRawSignatureKey(signatureKey: string): SignableRequest {
  const params = `("@method" "@authority" "@path" "signature-key");created=${NOW}`;
  const base = ['"@method": GET', '"@authority": resource.example', '"@path": /api/documents', `"signature-key": ${signatureKey}`, `"@signature-params": ${params}`].join('\n');
  const signature = cryptoSign(null, Buffer.from(base, 'utf8'), key.privateKey).toString('base64');
  return { ...GET, headers: { 'signature-key': signatureKey, 'signature-input': `sig=${params}`, signature: `sig=:${signature}:` } };
}

const LEGACY_HWK = `sig=(scheme=hwk kty="OKP" crv="Ed25519" x="${AGENT.x}")`;

describe('Signature written as unpadded base64url', () => {
  test('verifies over the same base, with the same replay key as the standard encoding', async () => {
    const created = createdWithUrlsafeChars();
    const { request, standard } = base64urlSigned(created);
    const verified = await verifyRequest(request, { resolveKey: hwk, now: created });
    const reference = await verifyRequest({ ...request, headers: { ...request.headers as Record<string, string>, signature: `sig=:${standard}:` } }, { resolveKey: hwk, now: created });
    expect(verified.thumbprint).toBe(key.thumbprint);
    expect(verified.replayKey).toBe(reference.replayKey);
  });

  test('over a tampered request it still fails as bad_signature', async () => {
    const created = createdWithUrlsafeChars();
    const { request } = base64urlSigned(created);
    await expect(verifyRequest({ ...request, url: 'https://resource.example/api/other' }, { resolveKey: hwk, now: created }))
      .rejects.toMatchObject({ code: 'invalid_signature', detail: { reason: 'bad_signature' } });
  });

  test('a value mixing the two alphabets is refused as malformed', async () => {
    const { request } = base64urlSigned(NOW);
    await expect(verify({ ...request, headers: { ...request.headers as Record<string, string>, signature: 'sig=:ab+c_d:' } }))
      .rejects.toMatchObject({ code: 'invalid_signature', detail: { field: 'signature' } });
  });

  test('we still write RFC 8941 base64 with padding', () => {
    const headers = signRequest(GET, { key, signatureKey: { scheme: 'hwk' }, created: NOW });
    expect(headers.signature).toMatch(/^sig=:[A-Za-z0-9+/]+={0,2}:$/);
    expect(headers.signature).toMatch(/=:$/);
  });
});

describe('Signature-Key in the parenthesised form', () => {
  test('parses to the same key as the RFC 8941 form', () => {
    expect(parseSignatureKeys(LEGACY_HWK)).toEqual(parseSignatureKeys(`sig=hwk;kty="OKP";crv="Ed25519";x="${AGENT.x}"`));
    expect(parseSignatureKeys('sig=(scheme=jwt jwt="a.b.c")')).toEqual([{ label: 'sig', scheme: 'jwt', jwt: 'a.b.c' }]);
  });

  test('a request signed over it verifies: the signature covers its raw text', async () => {
    const verified = await verify(signedOverRawSignatureKey(LEGACY_HWK));
    expect(verified).toMatchObject({ label: 'sig', thumbprint: key.thumbprint, signatureKey: { scheme: 'hwk' } });
  });

  test('the RFC 8941 rewrite of the text is not what was signed, so it fails', async () => {
    const request = signedOverRawSignatureKey(LEGACY_HWK);
    const headers = { ...request.headers as Record<string, string>, 'signature-key': `sig=hwk;kty="OKP";crv="Ed25519";x="${AGENT.x}"` };
    await expect(verify({ ...request, headers })).rejects.toMatchObject({ detail: { reason: 'bad_signature' } });
  });

  test.each([
    ['no scheme', `sig=(kty="OKP" crv="Ed25519" x="${AGENT.x}")`],
    ['scheme not first', `sig=(kty="OKP" scheme=hwk crv="Ed25519" x="${AGENT.x}")`],
    ['a parameter twice', `sig=(scheme=hwk kty="OKP" kty="RSA" crv="Ed25519" x="${AGENT.x}")`],
    ['an escape in a string', 'sig=(scheme=jwt jwt="a\\"b")'],
    ['two members', `${LEGACY_HWK}, other=(scheme=jwt jwt="a.b.c")`],
    ['an uppercase label', `SIG=(scheme=hwk kty="OKP" crv="Ed25519" x="${AGENT.x}")`],
    ['a bare value other than the scheme', `sig=(scheme=hwk kty=OKP crv="Ed25519" x="${AGENT.x}")`],
  ])('refused: %s', (_why, header) => {
    expect(() => parseSignatureKeys(header)).toThrow(/Signature-Key/);
  });
});
