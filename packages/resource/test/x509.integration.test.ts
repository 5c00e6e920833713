/**
 * The `x509` Signature-Key scheme at an express resource, over real loopback HTTP: the agent's PEM
 * chain is served at `x5u` by a loopback server, the resource holds the trust anchor
 * (`x509TrustAnchors`), and the leaf's URI subjectAltName names the agent. Certificates are made
 * at test time with the openssl CLI.
 */
import express from 'express';
import { AAUTH_CURRENT, generateSigningKey, type ProfileName, type SigningKey } from '@aauth-ts/core';
import { aauth, aauthErrorHandler, type AAuthRequest } from '@aauth-ts/resource';
import { startLoopbackServer, type LoopbackServer } from '../../core/test/helpers/loopback-server.js';
import { DAYS, TestPki, x5tOf, type TestCert } from '../../core/test/helpers/test-pki.js';
import { listen, signedFetch, type Running } from './fixtures.js';

const AGENT = 'https://x509-agent.example';
let pki: TestPki;
let root: TestCert;
let intermediate: TestCert;
let agentKey: SigningKey;
let leaf: TestCert;
let expired: TestCert;
let certs: LoopbackServer;
let anchored: Running;
let unanchored: Running;
let currentAnchored: Running;
let currentUnanchored: Running;
const errors: unknown[] = [];

function resourceApp(anchors: string | undefined, profile: ProfileName = 'aauth-2026-03') {
  return (url: string) => {
    const app = express();
    const guard = aauth({
      resource: url, signingKey: generateSigningKey(), development: true, profile,
      ...(profile === 'aauth-2026-03' ? { authServer: 'http://127.0.0.1:9' } : {}), ...(anchors === undefined ? {} : { x509TrustAnchors: anchors }),
    });
    app.use(guard);
    app.get('/identity', guard.requireIdentity(), (req, res) => {
      const { scheme, agent, thumbprint, certificate, profile: served } = (req as AAuthRequest).aauth;
      res.json({ scheme, agent, thumbprint, subject: certificate?.subject, profile: served });
    });
    app.use(aauthErrorHandler({ log: (err) => errors.push(err) }));
    return app;
  };
}

beforeAll(async () => {
  pki = new TestPki();
  root = pki.root('root');
  intermediate = pki.issue(root, { name: 'intermediate', ca: true });
  agentKey = generateSigningKey('P-256');
  leaf = pki.issue(intermediate, { name: 'agent', key: agentKey.privateKey, san: `URI:${AGENT}`, keyUsage: 'critical,digitalSignature' });
  expired = pki.issue(intermediate, { name: 'expired', key: agentKey.privateKey, san: `URI:${AGENT}`, notBefore: new Date(Date.now() - 10 * DAYS), notAfter: new Date(Date.now() - DAYS) });
  certs = await startLoopbackServer();
  certs.route('/agent.pem', (_req, res) => res.writeHead(200, { 'content-type': 'application/pem-certificate-chain' }).end(leaf.pem + intermediate.pem));
  certs.route('/expired.pem', (_req, res) => res.writeHead(200, { 'content-type': 'application/pem-certificate-chain' }).end(expired.pem + intermediate.pem));
  anchored = await listen(resourceApp(root.pem));
  unanchored = await listen(resourceApp(undefined));
  currentAnchored = await listen(resourceApp(root.pem, 'aauth-current'));
  currentUnanchored = await listen(resourceApp(undefined, 'aauth-current'));
});

afterAll(async () => {
  await Promise.all([anchored, unanchored, currentAnchored, currentUnanchored, certs].map((r) => r?.close()));
  pki.dispose();
});

afterEach(() => {
  expect(errors).toEqual([]);
});

const viaX509 = (cert: TestCert, path: string, key: SigningKey = agentKey) => ({ key, signatureKey: { scheme: 'x509' as const, x5u: `${certs.origin}${path}`, x5t: x5tOf(cert.pem) } });

describe('x509 at an express resource', () => {
  test('a chain to the configured anchor identifies the agent by its URI subjectAltName', async () => {
    const res = await signedFetch(anchored.url, 'GET', '/identity', viaX509(leaf, '/agent.pem'));
    expect(res).toMatchObject({ status: 200, json: { scheme: 'x509', agent: AGENT, thumbprint: agentKey.thumbprint, subject: 'CN=agent' } });
  });

  test('an expired leaf is refused with 401 invalid_signature and a sentence saying so', async () => {
    const res = await signedFetch(anchored.url, 'GET', '/identity', viaX509(expired, '/expired.pem'));
    expect(res).toMatchObject({ status: 401, json: { error: 'invalid_signature', error_description: expect.stringMatching(/leaf certificate expired/) as unknown } });
  });

  test('a request signed with a key other than the leaf\'s is refused', async () => {
    const res = await signedFetch(anchored.url, 'GET', '/identity', viaX509(leaf, '/agent.pem', generateSigningKey('P-256')));
    expect(res).toMatchObject({ status: 401, json: { error: 'invalid_signature' } });
  });

  test('without x509TrustAnchors the scheme is refused before the chain is fetched', async () => {
    const before = certs.hits.get('/agent.pem') ?? 0;
    const res = await signedFetch(unanchored.url, 'GET', '/identity', viaX509(leaf, '/agent.pem'));
    expect(res).toMatchObject({ status: 401, json: { error: 'invalid_signature', error_description: expect.stringMatching(/no X\.509 trust anchors are configured/) as unknown } });
    expect(certs.hits.get('/agent.pem') ?? 0).toBe(before);
  });
});

describe('x509 in the current profile', () => {
  test('a current-profile resource with trust anchors keeps x509: the chain identifies the agent', async () => {
    const res = await signedFetch(currentAnchored.url, 'GET', '/identity', viaX509(leaf, '/agent.pem'));
    expect(res).toMatchObject({ status: 200, json: { scheme: 'x509', agent: AGENT, profile: 'aauth-current' } });
  });

  test('without trust anchors a current-profile resource refuses x509 as unsupported_scheme and names what it takes (Accept-Signature-Scheme: jwt)', async () => {
    const before = certs.hits.get('/agent.pem') ?? 0;
    const res = await signedFetch(currentUnanchored.url, 'GET', '/identity', viaX509(leaf, '/agent.pem'));
    expect(res).toMatchObject({ status: 401, json: { error: 'unsupported_scheme' } });
    expect(res.headers.get(AAUTH_CURRENT.headers.signatureError)).toBe('error=unsupported_scheme');
    expect(res.headers.get(AAUTH_CURRENT.headers.acceptSignatureScheme)).toBe('jwt');
    expect(certs.hits.get('/agent.pem') ?? 0).toBe(before);
  });

  test('a current-profile resource refuses hwk as unsupported_scheme, naming x509 beside jwt when it has anchors', async () => {
    const res = await signedFetch(currentAnchored.url, 'GET', '/identity', { key: agentKey, signatureKey: { scheme: 'hwk' } });
    expect(res).toMatchObject({ status: 401, json: { error: 'unsupported_scheme' } });
    expect(res.headers.get(AAUTH_CURRENT.headers.acceptSignatureScheme)).toBe('jwt, x509');
  });
});
