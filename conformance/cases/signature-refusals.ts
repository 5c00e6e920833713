/** Request-signature checks at the token endpoint (contract "Request signature"; wire notes §1.7). */
import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { parseDictionary, type InnerList } from 'structured-headers';
import { buildSignatureBase, generateSigningKey, importSigningKey, type PrivateJwk, type SignedHeaders, type SigningKey } from '@aauth-ts/core';
import type { World } from '../support/world.js';
import { outcome } from '../support/flows.js';
import { postJson, signedRequest, type JsonResponse } from '../support/signed-fetch.js';

/** SEC 2 §2.4.2: the order of the P-256 group. */
const P256_N = BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551');

/** The other valid encoding (r, n−s) of an ECDSA P-256 `Signature` member `sig=:…:`. */
function malleated(signature: string): string {
  const bytes = Buffer.from(signature.slice('sig=:'.length, -1), 'base64');
  const s = P256_N - BigInt(`0x${bytes.subarray(32).toString('hex')}`);
  return `sig=:${Buffer.concat([bytes.subarray(0, 32), Buffer.from(s.toString(16).padStart(64, '0'), 'hex')]).toString('base64')}:`;
}

export function signatureRefusalCases(world: () => World): void {
  describe('signature refusals', () => {
    async function body(w: World, key?: SigningKey): Promise<Record<string, unknown>> {
      return { resource_token: await w.resourceToken(w.alpha, w.autonomousAgent, { scope: 'alpha:read', ...(key === undefined ? {} : { jkt: key.thumbprint }) }) };
    }

    it('tampered body (Content-Digest no longer matches) → 401 invalid_signature', async () => {
      const w = world();
      const b = await body(w);
      const res = await w.token(w.autonomousAgent, b, { tamperedBody: JSON.stringify({ ...b, scope: 'alpha:admin' }) });
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
    });

    it('missing signature → 401 invalid_signature', async () => {
      const w = world();
      const res = await postJson(w.metadata.token_endpoint, undefined, await body(w));
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
    });

    it('created too far in the past → 401 invalid_signature', async () => {
      const w = world();
      const res = await w.token(w.autonomousAgent, await body(w), { created: Math.floor(Date.now() / 1000) - 600 });
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
    });

    it('created too far in the future → 401 invalid_signature', async () => {
      const w = world();
      const res = await w.token(w.autonomousAgent, await body(w), { created: Math.floor(Date.now() / 1000) + 600 });
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
    });

    it('hwk scheme (pseudonymous) at the token endpoint → 401 invalid_signature', async () => {
      const w = world();
      const res = await postJson(w.metadata.token_endpoint, { key: w.autonomousAgent.delegateKey, signatureKey: { scheme: 'hwk' } }, await body(w));
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
    });

    it('request signed by a key other than the agent token cnf → 401 invalid_signature', async () => {
      const w = world();
      const jwt = await w.autonomousAgent.agentToken();
      const res = await postJson(w.metadata.token_endpoint, { key: generateSigningKey(), signatureKey: { scheme: 'jwt', jwt } }, await body(w));
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
    });

    it('agent token signed by a key its agent server does not publish → 401 invalid_agent_token', async () => {
      const w = world();
      const { createAgentToken } = await import('@aauth-ts/core');
      const agent = w.autonomousAgent;
      const jwt = await createAgentToken(generateSigningKey('Ed25519', agent.serverKey.kid), { iss: agent.id, sub: 'x', cnfJwk: agent.delegateKey.publicJwk });
      const res = await postJson(w.metadata.token_endpoint, { key: agent.delegateKey, signatureKey: { scheme: 'jwt', jwt } }, await body(w));
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_agent_token' });
    });

    it('a request signed for another @authority, sent with a forged Host naming it → 401 invalid_signature', async () => {
      // The server's @authority is its issuer's, never the Host a client sent (RFC 9421 §2.2.3).
      const w = world();
      const res = await w.token(w.autonomousAgent, await body(w), { forgedHost: 'auth.other.example' });
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
    });

    /** A token request signed as usual, with `patch` replacing signed headers before sending. */
    async function patched(w: World, patch: (signed: SignedHeaders) => Record<string, string>, key?: SigningKey): Promise<JsonResponse> {
      return signedRequest('POST', w.metadata.token_endpoint, await w.signer(w.autonomousAgent, key), JSON.stringify(await body(w, key)), { replaceHeaders: patch });
    }

    it('a Signature header that does not parse → 401 invalid_signature', async () => {
      const res = await patched(world(), () => ({ signature: 'sig=:not base64 at all' }));
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
    });

    it('a Signature-Input header that does not parse → 401 invalid_signature', async () => {
      const res = await patched(world(), () => ({ 'signature-input': 'sig=("@method" "@path"' }));
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
    });

    it('the same label twice in Signature → 401 invalid_signature', async () => {
      const res = await patched(world(), (signed) => ({ signature: `sig=:AAAA:, ${signed.signature}` }));
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
    });

    it('a covered component listed twice (RFC 9421 §2.5), validly signed → 401 invalid_signature', async () => {
      const w = world();
      const key = w.autonomousAgent.delegateKey;
      const res = await patched(w, (signed) => {
        // Re-sign over the base with "@path" twice, so that only the duplicate is wrong.
        const input = signed['signature-input'].replace('"@path"', '"@path" "@path"');
        const inner = parseDictionary(input).get('sig') as InnerList;
        const headers = { 'content-type': 'application/json', ...signed };
        const base = buildSignatureBase({ method: 'POST', url: new URL(w.metadata.token_endpoint), headers }, inner);
        return { 'signature-input': input, signature: `sig=:${cryptoSign(null, Buffer.from(base), key.privateKey).toString('base64')}:` };
      });
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
    });

    /** Re-signs the request over `headers` (Ed25519), `created` moved back by `shift` seconds. */
    function resigned(w: World, headers: Record<string, string>, shift: number): { input: string; signature: Buffer } {
      const input = (headers['signature-input'] as string).replace(/created=(\d+)/, (_m, c: string) => `created=${Number(c) - shift}`);
      const inner = parseDictionary(input).get('sig') as InnerList;
      const base = buildSignatureBase({ method: 'POST', url: new URL(w.metadata.token_endpoint), headers }, inner);
      return { input, signature: cryptoSign(null, Buffer.from(base), w.autonomousAgent.delegateKey.privateKey) };
    }

    it('a Signature in unpadded base64url (a peer spelling of the same bytes) → 200', async () => {
      const w = world();
      const res = await patched(w, (signed) => {
        // A `created` whose signature needs the URL-safe alphabet, so a base64-only reader would refuse it.
        for (let shift = 0; ; shift++) {
          const { input, signature } = resigned(w, { 'content-type': 'application/json', ...signed }, shift);
          const text = signature.toString('base64url');
          if (/[-_]/.test(text)) return { 'signature-input': input, signature: `sig=:${text}:` };
        }
      });
      expect(outcome(res)).toEqual({ status: 200, error: undefined });
    });

    it('a Signature-Key in the parenthesised form, signed over that text → 200', async () => {
      const w = world();
      const res = await patched(w, (signed) => {
        const jwt = /jwt="([^"]+)"/.exec(signed['signature-key'])?.[1] as string;
        const signatureKey = `sig=(scheme=jwt jwt="${jwt}")`;
        const { input, signature } = resigned(w, { 'content-type': 'application/json', ...signed, 'signature-key': signatureKey }, 0);
        return { 'signature-key': signatureKey, 'signature-input': input, signature: `sig=:${signature.toString('base64')}:` };
      });
      expect(outcome(res)).toEqual({ status: 200, error: undefined });
    });

    it('an RSA signing key under 2048 bits (agent token cnf.jwk) → 401 invalid_signature', async () => {
      const w = world();
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const weak = importSigningKey(privateKey.export({ format: 'jwk' }) as PrivateJwk);
      const res = await w.token(w.autonomousAgent, await body(w, weak), { signer: await w.signer(w.autonomousAgent, weak) });
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
    });

    it('a P-256 agent key with its low-S signature is accepted (control for the high-S case)', async () => {
      const res = await patched(world(), () => ({}), generateSigningKey('P-256'));
      expect(outcome(res)).toEqual({ status: 200, error: undefined });
    });

    it('an ECDSA signature with high S (the twin (r, n−s) of a valid one) → 401 invalid_signature', async () => {
      const w = world();
      const res = await patched(w, (signed) => ({ signature: malleated(signed.signature) }), generateSigningKey('P-256'));
      expect(outcome(res)).toEqual({ status: 401, error: 'invalid_signature' });
    });

    it('body that is not JSON → 400 invalid_request', async () => {
      const w = world();
      const res = await signedRequest('POST', w.metadata.token_endpoint, await w.signer(w.autonomousAgent), '{"resource_token":');
      expect(outcome(res)).toEqual({ status: 400, error: 'invalid_request' });
    });

    it('body naming no mode → 400 invalid_request', async () => {
      const w = world();
      const res = await w.token(w.autonomousAgent, { purpose: 'nothing else' });
      expect(outcome(res)).toEqual({ status: 400, error: 'invalid_request' });
    });
  });
}
