/**
 * The `x509` Signature-Key scheme (Signature-Key draft at f22a52e, §X.509 Certificates): a PEM
 * chain at `x5u`, leaf first (RFC 7517 §4.6), pinned by `x5t` = SHA-256 of the leaf DER, validated
 * to a configured trust anchor; the leaf's key is the one the HTTP signature must verify with.
 * Certificates are made at test time with the openssl CLI (see ../helpers/test-pki.ts).
 */
import {
  GuardedFetcher, SignatureError, X509CertificateVerifier, generateSigningKey, jwkThumbprint, parseTrustAnchors, signRequest, validateCertificateChain, verifyRequest,
  type SigningKey, type X509SignatureKey,
} from '@aauth-ts/core';
import { startLoopbackServer, type LoopbackServer } from '../helpers/loopback-server.js';
import { DAYS, TestPki, x5tOf as x5tOfPem, type TestCert } from '../helpers/test-pki.js';

const x5tOf = (cert: TestCert): Uint8Array => x5tOfPem(cert.pem);

const AGENT = 'https://agent.example';
let pki: TestPki;
let root: TestCert;
let otherRoot: TestCert;
let intermediate: TestCert;
let agentKey: SigningKey;
let leaf: TestCert;

function chainOf(...certs: TestCert[]): string {
  return certs.map((c) => c.pem).join('');
}

function validate(chain: string, anchors: string[], x5t: Uint8Array, now?: number) {
  return validateCertificateChain(chain, { anchors: parseTrustAnchors(anchors), x5t, ...(now === undefined ? {} : { now }) });
}

function refusal(fn: () => unknown): SignatureError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SignatureError);
    expect((err as SignatureError).code).toBe('invalid_signature');
    expect((err as SignatureError).status).toBe(401);
    return err as SignatureError;
  }
  throw new Error('expected a refusal');
}

beforeAll(() => {
  pki = new TestPki();
  root = pki.root('root');
  otherRoot = pki.root('other-root');
  intermediate = pki.issue(root, { name: 'intermediate', ca: true, pathLen: 0 });
  agentKey = generateSigningKey('P-256');
  leaf = pki.issue(intermediate, { name: 'leaf', key: agentKey.privateKey, san: `URI:${AGENT}`, keyUsage: 'critical,digitalSignature' });
});
afterAll(() => pki.dispose());

describe('x509 chain validation', () => {
  it('a valid chain (leaf, intermediate) to a configured anchor is accepted; the key and thumbprint are the leaf\'s', () => {
    const result = validate(chainOf(leaf, intermediate), [root.pem], x5tOf(leaf));
    expect(result.jwk.kty).toBe('EC');
    expect(jwkThumbprint(result.jwk)).toBe(agentKey.thumbprint);
    expect(result.uris).toEqual([AGENT]);
  });

  it('the anchor itself may end the chain', () => {
    expect(() => validate(chainOf(leaf, intermediate, root), [root.pem], x5tOf(leaf))).not.toThrow();
  });

  it('expired leaf is refused', () => {
    const expired = pki.issue(intermediate, { name: 'expired', key: agentKey.privateKey, notBefore: new Date(Date.now() - 10 * DAYS), notAfter: new Date(Date.now() - DAYS) });
    const err = refusal(() => validate(chainOf(expired, intermediate), [root.pem], x5tOf(expired)));
    expect(err.detail.reason).toBe('x509_expired');
    expect(err.message).toMatch(/leaf certificate expired/);
  });

  it('not-yet-valid leaf is refused', () => {
    const early = pki.issue(intermediate, { name: 'early', key: agentKey.privateKey, notBefore: new Date(Date.now() + DAYS), notAfter: new Date(Date.now() + 10 * DAYS) });
    const err = refusal(() => validate(chainOf(early, intermediate), [root.pem], x5tOf(early)));
    expect(err.detail.reason).toBe('x509_not_yet_valid');
    expect(err.message).toMatch(/leaf certificate is not valid before/);
  });

  it('a chain to an anchor that is not configured is refused', () => {
    const err = refusal(() => validate(chainOf(leaf, intermediate), [otherRoot.pem], x5tOf(leaf)));
    expect(err.detail.reason).toBe('x509_untrusted');
    expect(err.message).toMatch(/does not lead to a configured trust anchor/);
  });

  it('an intermediate without basicConstraints cA is refused', () => {
    const notCa = pki.issue(root, { name: 'not-ca', ca: false, keyUsage: 'critical,keyCertSign' });
    const under = pki.issue(notCa, { name: 'under-not-ca', key: agentKey.privateKey });
    const err = refusal(() => validate(chainOf(under, notCa), [root.pem], x5tOf(under)));
    expect(err.detail.reason).toBe('x509_not_ca');
    expect(err.message).toMatch(/intermediate certificate 1 is not a CA/);
  });

  it('no anchors configured: the scheme is refused before anything is fetched', async () => {
    const verifier = new X509CertificateVerifier({ anchors: [], fetcher: new GuardedFetcher({ allowLoopback: true }) });
    await expect(verifier.resolve({ label: 'sig', scheme: 'x509', x5u: 'http://127.0.0.1:9/chain.pem', x5t: x5tOf(leaf) }))
      .rejects.toMatchObject({ code: 'invalid_signature', status: 401, detail: { reason: 'unsupported_scheme' }, message: expect.stringMatching(/no X\.509 trust anchors are configured/) });
  });

  it('x5t that is not the SHA-256 of the leaf is refused', () => {
    const err = refusal(() => validate(chainOf(leaf, intermediate), [root.pem], x5tOf(intermediate)));
    expect(err.detail.reason).toBe('x509_thumbprint_mismatch');
  });

  it('a leaf whose keyUsage lacks digitalSignature is refused', () => {
    const encipher = pki.issue(intermediate, { name: 'encipher-only', key: agentKey.privateKey, keyUsage: 'critical,keyEncipherment' });
    const err = refusal(() => validate(chainOf(encipher, intermediate), [root.pem], x5tOf(encipher)));
    expect(err.detail.reason).toBe('x509_key_usage');
  });

  it('a path longer than an intermediate\'s pathLenConstraint allows is refused', () => {
    const second = pki.issue(intermediate, { name: 'second-ca', ca: true });
    const deep = pki.issue(second, { name: 'deep', key: agentKey.privateKey });
    const err = refusal(() => validate(chainOf(deep, second, intermediate), [root.pem], x5tOf(deep)));
    expect(err.detail.reason).toBe('x509_path_length');
  });

  it('a leaf outside an intermediate\'s permitted URI name constraints is refused', () => {
    const constrained = pki.issue(root, { name: 'constrained', ca: true, nameConstraints: 'critical,permitted;URI:.allowed.example' });
    const outside = pki.issue(constrained, { name: 'outside', key: agentKey.privateKey, san: `URI:${AGENT}` });
    const inside = pki.issue(constrained, { name: 'inside', key: agentKey.privateKey, san: 'URI:https://agent.allowed.example' });
    expect(() => validate(chainOf(inside, constrained), [root.pem], x5tOf(inside))).not.toThrow();
    const err = refusal(() => validate(chainOf(outside, constrained), [root.pem], x5tOf(outside)));
    expect(err.detail.reason).toBe('x509_name_constraints');
  });

  it('a chain out of order (intermediate first) is refused', () => {
    const err = refusal(() => validate(chainOf(intermediate, leaf), [root.pem], x5tOf(intermediate)));
    expect(err.detail.reason).toBe('x509_chain_order');
  });

  it('x5u that is not a PEM chain is refused', () => {
    const err = refusal(() => validate('not a certificate', [root.pem], x5tOf(leaf)));
    expect(err.detail.reason).toBe('x509_malformed');
  });
});

describe('x509 scheme in request verification', () => {
  let server: LoopbackServer;
  let verifier: X509CertificateVerifier;
  beforeAll(async () => {
    server = await startLoopbackServer();
    server.route('/chain.pem', (_req, res) => res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(chainOf(leaf, intermediate)));
    verifier = new X509CertificateVerifier({ anchors: parseTrustAnchors(root.pem), fetcher: new GuardedFetcher({ allowLoopback: true }) });
  });
  afterAll(() => server.close());

  async function signedBy(key: SigningKey) {
    const url = 'https://resource.example/data';
    const headers = signRequest({ method: 'GET', url, headers: {} }, { key, signatureKey: { scheme: 'x509', x5u: `${server.origin}/chain.pem`, x5t: x5tOf(leaf) } });
    return { method: 'GET', url, headers: { ...headers } };
  }

  it('a request signed with the leaf\'s key verifies; the thumbprint is the leaf key\'s RFC 7638 thumbprint', async () => {
    const verified = await verifyRequest(await signedBy(agentKey), { resolveKey: (k) => verifier.resolve(k as X509SignatureKey) });
    expect(verified.thumbprint).toBe(agentKey.thumbprint);
    expect(verified.info.uris).toEqual([AGENT]);
  });

  it('leaf key ≠ signing key: a request signed with another key under the same certificate is refused', async () => {
    await expect(verifyRequest(await signedBy(generateSigningKey('P-256')), { resolveKey: (k) => verifier.resolve(k as X509SignatureKey) }))
      .rejects.toMatchObject({ code: 'invalid_signature', status: 401 });
  });
});
