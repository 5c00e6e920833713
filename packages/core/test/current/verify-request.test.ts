/**
 * Request-signature rules of the current profile, as profile data `verifyRequest` takes
 * (draft-hardt-oauth-aauth-protocol §Keying Material, §Covered Components, §Signature Parameters,
 * §Verification (Server), §Signature-Key Scheme Rejection). The 2026-03 behaviour is unchanged.
 */
import { sign as cryptoSign } from 'node:crypto';
import { parseDictionary, type InnerList } from 'structured-headers';
import {
  ACCEPT_SIGNATURE_ALGS, AAUTH_CURRENT, buildSignatureBase, importSigningKey, parseSignatureError, parseTokenList, problemResponse, signRequest, verifyRequest, SignatureRejection,
  type KeyResolver, type PrivateJwk, type PublicJwk, type SignableRequest, type SignRequestOptions, type SignatureKey,
} from '@aauth-ts/core';
import { refusal } from '../helpers/refusal.js';

const AGENT: PrivateJwk = { kty: 'OKP', crv: 'Ed25519', d: 'n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU', x: 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs' };
const NOW = 1730217600;
const key = importSigningKey({ ...AGENT, alg: 'Ed25519' });
const PS_POST: SignableRequest = { method: 'POST', url: 'https://ps.example/person', headers: { 'content-type': 'application/json' }, body: '{"resource":"https://resource.example"}' };
const GET: SignableRequest = { method: 'GET', url: 'https://resource.example/api', headers: {} };

/** A resolver standing in for token verification: `jwt` yields `jwk`, `hwk` its inline key. */
function resolver(jwk: PublicJwk = key.publicJwk): KeyResolver<null> {
  return (sk: SignatureKey) => ({ jwk: sk.scheme === 'hwk' ? sk.jwk : jwk, info: null });
}

function signed(request: SignableRequest, options: Partial<SignRequestOptions> = {}): SignableRequest {
  const headers = signRequest(request, { key, signatureKey: { scheme: 'jwt', jwt: 'eyJ.eyJ.sig' }, created: NOW, ...options });
  return { ...request, headers: { ...(request.headers as Record<string, string>), ...headers } };
}

const current = { profile: AAUTH_CURRENT, now: NOW } as const;

describe('verifyRequest under the current profile', () => {
  it('a scheme=jwt request with a fully specified key verifies', async () => {
    await expect(verifyRequest(signed(GET), { ...current, resolveKey: resolver() })).resolves.toMatchObject({ label: 'sig' });
  });

  it('an agent signing with Signature-Key scheme hwk is refused: 401, Signature-Error unsupported_scheme, Accept-Signature-Scheme: jwt', async () => {
    const err = await refusal(verifyRequest(signed(GET, { signatureKey: { scheme: 'hwk' } }), { ...current, resolveKey: resolver() }));
    expect(err).toBeInstanceOf(SignatureRejection);
    const res = problemResponse(err);
    expect(res.status).toBe(401);
    expect(parseSignatureError(res.headers['Signature-Error'] as string).error).toBe('unsupported_scheme');
    expect(parseTokenList(res.headers['Accept-Signature-Scheme'] as string)).toEqual(['jwt']);
  });

  it('the same hwk request still verifies under 2026-03 (unchanged)', async () => {
    await expect(verifyRequest(signed(GET, { signatureKey: { scheme: 'hwk' } }), { now: NOW, resolveKey: resolver() })).resolves.toBeDefined();
  });

  it('a bodied request to a PS endpoint whose signature omits content-type and content-digest is refused with invalid_input and required_input, whatever the component policy', async () => {
    const bare = signed(PS_POST, { components: ['@method', '@authority', '@path', 'signature-key'], componentPolicy: 'draft-minimum' });
    const err = await refusal(verifyRequest(bare, { ...current, resolveKey: resolver(), componentPolicy: 'draft-minimum', personOrAccessServer: true }));
    const res = problemResponse(err);
    expect(res.status).toBe(401);
    const header = parseSignatureError(res.headers['Signature-Error'] as string);
    expect(header.error).toBe('invalid_input');
    expect(header.requiredInput).toEqual(expect.arrayContaining(['content-type', 'content-digest']));
    expect(res.body.required_input).toEqual(header.requiredInput);
  });

  it('a resource (not a PS/AS endpoint) under draft-minimum does not require the body components', async () => {
    const bare = signed({ ...PS_POST, url: 'https://resource.example/api' }, { components: ['@method', '@authority', '@path', 'signature-key'], componentPolicy: 'draft-minimum' });
    await expect(verifyRequest(bare, { ...current, resolveKey: resolver(), componentPolicy: 'draft-minimum' })).resolves.toBeDefined();
  });

  it('the alg signature parameter is ignored (RFC 9421 §3.3.7), where 2026-03 refuses a mismatched one', async () => {
    const signatureKey = 'sig=jwt;jwt="eyJ.eyJ.sig"';
    const signatureInput = `sig=("@method" "@authority" "@path" "signature-key");created=${NOW};alg="rsa-v1_5-sha256"`;
    const request = { ...GET, headers: { 'signature-key': signatureKey, 'signature-input': signatureInput } };
    const member = parseDictionary(signatureInput).get('sig') as InnerList;
    const base = buildSignatureBase({ method: 'GET', url: new URL(GET.url as string), headers: request.headers }, member);
    const signature = `sig=:${cryptoSign(null, Buffer.from(base), key.privateKey).toString('base64')}:`;
    const withAlg = { ...request, headers: { ...request.headers, signature } };
    await expect(verifyRequest(withAlg, { ...current, resolveKey: resolver() })).resolves.toBeDefined();
    expect((await refusal(verifyRequest(withAlg, { now: NOW, resolveKey: resolver() }))).detail.reason).toBe('alg_mismatch');
  });

  it('a key whose alg is the polymorphic EdDSA or absent is refused with unsupported_algorithm and Accept-Signature-Alg', async () => {
    const { alg: _a, ...noAlg } = key.publicJwk;
    for (const jwk of [{ ...noAlg, alg: 'EdDSA' }, noAlg]) {
      const res = problemResponse(await refusal(verifyRequest(signed(GET), { ...current, resolveKey: resolver(jwk) })));
      expect(parseSignatureError(res.headers['Signature-Error'] as string).error).toBe('unsupported_algorithm');
      expect(parseTokenList(res.headers['Accept-Signature-Alg'] as string)).toEqual([...ACCEPT_SIGNATURE_ALGS]);
    }
  });

  it('a key whose alg disagrees with its kty/crv is refused with invalid_key', async () => {
    const res = problemResponse(await refusal(verifyRequest(signed(GET), { ...current, resolveKey: resolver({ ...key.publicJwk, alg: 'ES256' }) })));
    expect(parseSignatureError(res.headers['Signature-Error'] as string).error).toBe('invalid_key');
  });

  it('a signature that does not verify is Signature-Error invalid_signature; missing headers are invalid_request', async () => {
    const req = signed(GET);
    const bad = { ...req, headers: { ...(req.headers as Record<string, string>), signature: 'sig=:AAAA:' } };
    expect(parseSignatureError(problemResponse(await refusal(verifyRequest(bad, { ...current, resolveKey: resolver() }))).headers['Signature-Error'] as string).error).toBe('invalid_signature');
    const { signature: _s, ...noSig } = req.headers as Record<string, string>;
    expect(parseSignatureError(problemResponse(await refusal(verifyRequest({ ...req, headers: noSig }, { ...current, resolveKey: resolver() }))).headers['Signature-Error'] as string).error).toBe('invalid_request');
  });
});
