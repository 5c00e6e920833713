/**
 * §Signature-Key Scheme Rejection: a server that accepts schemes besides `jwt` (a resource that
 * also serves clients outside AAuth, say `x509`) "MUST then list all of them" in
 * `Accept-Signature-Scheme`; `verifyRequest` names exactly the `allowedSchemes` it was given.
 */
import { AAUTH_CURRENT, SignatureRejection, generateSigningKey, parseTokenList, signRequest, verifyRequest, type SignableRequest } from '@aauth-ts/core';

const NOW = 1730217600;
const key = generateSigningKey('Ed25519');
const GET: SignableRequest = { method: 'GET', url: 'https://resource.example/api', headers: {} };

async function refusalOf(allowedSchemes?: readonly ('jwt' | 'x509')[]): Promise<SignatureRejection> {
  const headers = signRequest(GET, { key, signatureKey: { scheme: 'hwk' }, created: NOW });
  const err: unknown = await verifyRequest({ ...GET, headers }, {
    profile: AAUTH_CURRENT, now: NOW, resolveKey: (sk) => ({ jwk: sk.scheme === 'hwk' ? sk.jwk : key.publicJwk, info: null }), ...(allowedSchemes === undefined ? {} : { allowedSchemes }),
  }).then(() => undefined, (e: unknown) => e);
  if (!(err instanceof SignatureRejection)) throw new Error('expected a SignatureRejection');
  return err;
}

it('unsupported_scheme names the profile\'s jwt by default', async () => {
  const err = await refusalOf();
  expect(err.signatureError).toBe('unsupported_scheme');
  expect(parseTokenList(err.headers[AAUTH_CURRENT.headers.acceptSignatureScheme] ?? '')).toEqual(['jwt']);
});

it('unsupported_scheme names every scheme the caller allows, not only jwt', async () => {
  const err = await refusalOf(['jwt', 'x509']);
  expect(err.signatureError).toBe('unsupported_scheme');
  expect(parseTokenList(err.headers[AAUTH_CURRENT.headers.acceptSignatureScheme] ?? '')).toEqual(['jwt', 'x509']);
});
