/**
 * Published vectors (RFC 9421 B.2.6, RFC 7638 §3.1, RFC 9530, RFC 8037 A.1–A.5) and the computed
 * AAuth vectors V1–V3 of the wire notes §9.2, reproduced byte for byte with core's own pieces.
 */
import { createPublicKey, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { CompactSign } from 'jose';
import { parseDictionary, type InnerList } from 'structured-headers';
import {
  buildSignatureBase, createContentDigest, importSigningKey, jwkThumbprint, thumbprintInput, peekClaims,
  signRequest, verifyAgentToken, verifyContentDigest, verifyRequest, type IssuerKeySource, type PrivateJwk, type PublicJwk,
} from '@aauth-ts/core';

// Wire notes §9.2: agent key = RFC 9421 B.1.4 test-key-ed25519.
const AGENT: PrivateJwk = { kty: 'OKP', crv: 'Ed25519', d: 'n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU', x: 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs' };
// Agent provider key = RFC 8037 A.1.
const RFC8037_A1: PrivateJwk = { kty: 'OKP', crv: 'Ed25519', d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
const CREATED = 1730217600;

describe('RFC 9421 B.2.6 (Ed25519 signature over the B.2 test request)', () => {
  const key = importSigningKey(AGENT);
  const request = {
    method: 'POST',
    url: new URL('https://example.com/foo?param=Value&Pet=dog'),
    headers: {
      date: 'Tue, 20 Apr 2021 02:07:55 GMT',
      'content-type': 'application/json',
      'content-digest': 'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
      'content-length': '18',
    },
  };
  const signatureInput = 'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"';
  const expectedBase = [
    '"date": Tue, 20 Apr 2021 02:07:55 GMT',
    '"@method": POST',
    '"@path": /foo',
    '"@authority": example.com',
    '"content-type": application/json',
    '"content-length": 18',
    '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
  ].join('\n');
  const expectedSignature = 'wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==';

  it('signature base', () => {
    const input = parseDictionary(signatureInput).get('sig-b26')?.[0] as InnerList[0];
    const params = parseDictionary(signatureInput).get('sig-b26')?.[1];
    expect(buildSignatureBase(request, [input, params ?? new Map()])).toBe(expectedBase);
  });

  it('signature bytes (Ed25519 is deterministic)', () => {
    expect(cryptoSign(null, Buffer.from(expectedBase), key.privateKey).toString('base64')).toBe(expectedSignature);
    expect(cryptoVerify(null, Buffer.from(expectedBase), key.publicKey, Buffer.from(expectedSignature, 'base64'))).toBe(true);
  });

  it('RFC 9530 §2: the sha-512 Content-Digest of the B.2 body', () => {
    expect(createContentDigest('{"hello": "world"}', 'sha-512')).toBe(request.headers['content-digest']);
  });
});

describe('RFC 7638 §3.1 thumbprint', () => {
  const jwk: PublicJwk = {
    kty: 'RSA',
    n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
    e: 'AQAB',
    alg: 'RS256',
    kid: '2011-04-29',
  };

  it('canonical input: required members only, lexicographic, no whitespace (§3.3)', () => {
    expect(thumbprintInput(jwk)).toBe(`{"e":"AQAB","kty":"RSA","n":"${String(jwk.n)}"}`);
  });

  it('SHA-256 thumbprint', () => {
    expect(jwkThumbprint(jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('optional members (alg, kid) do not change it', () => {
    const { alg: _alg, kid: _kid, ...bare } = jwk;
    expect(jwkThumbprint(bare as PublicJwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });
});

describe('RFC 9530 Content-Digest examples', () => {
  it('§2 / B.1: sha-256 of {"hello": "world"}', () => {
    expect(createContentDigest('{"hello": "world"}')).toBe('sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:');
  });

  it('B.3: empty content', () => {
    expect(createContentDigest('')).toBe('sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:');
  });

  it('a header with both sha-256 and sha-512 verifies; every known algorithm must match', () => {
    const both = 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:, sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:';
    expect(verifyContentDigest(both, Buffer.from('{"hello": "world"}'))).toBe('sha-512');
    expect(() => verifyContentDigest(both, '{"hello": "world!"}')).toThrow(expect.objectContaining({ code: 'invalid_signature' }));
  });

  it('unknown algorithms are ignored (RFC 9530 §2)', () => {
    expect(verifyContentDigest('md5=:CY9rzUYh03PK3k6DJie09g==:, sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:', '{"hello": "world"}')).toBe('sha-256');
  });
});

describe('RFC 8037 Appendix A (Ed25519)', () => {
  const key = importSigningKey(RFC8037_A1);
  const A4_INPUT = 'eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc';
  const A4_SIGNATURE = 'hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg';

  it('A.1/A.2: the private key imports and yields the published public key', () => {
    expect(key.publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' });
    expect(key.publicJwk).not.toHaveProperty('d');
  });

  it('A.3: thumbprint', () => {
    expect(thumbprintInput(key.publicJwk)).toBe('{"crv":"Ed25519","kty":"OKP","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}');
    expect(key.thumbprint).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });

  it('A.4: JWS signature bytes', async () => {
    const jws = await new CompactSign(new TextEncoder().encode('Example of Ed25519 signing'))
      .setProtectedHeader({ alg: 'EdDSA' }).sign(key.privateKey);
    expect(jws).toBe(`${A4_INPUT}.${A4_SIGNATURE}`);
  });

  it('A.5: verification, and a flipped bit fails', () => {
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }, format: 'jwk' });
    const sig = Buffer.from(A4_SIGNATURE, 'base64url');
    expect(cryptoVerify(null, Buffer.from(A4_INPUT), publicKey, sig)).toBe(true);
    sig[0] = (sig[0] as number) ^ 1;
    expect(cryptoVerify(null, Buffer.from(A4_INPUT), publicKey, sig)).toBe(false);
  });
});

/** Sign header/payload exactly as listed (JSON.stringify, key order kept) with node:crypto via jose. */
async function compactJwt(header: Record<string, unknown>, payload: Record<string, unknown>, jwk: PrivateJwk): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader(header as { alg: string })
    .sign(importSigningKey(jwk).privateKey);
}

const cnfResolver = (sk: import('@aauth-ts/core').SignatureKey) => {
  if (sk.scheme !== 'jwt') throw new Error('expected the jwt scheme');
  const claims = peekClaims(sk.jwt, 'invalid_agent_token') as { cnf: { jwk: PublicJwk } };
  return { jwk: claims.cnf.jwk, info: claims };
};

describe('wire notes §9.2 vectors', () => {
  const key = importSigningKey(AGENT);

  it('agent and agent-provider key thumbprints', () => {
    expect(jwkThumbprint(key.publicJwk)).toBe('poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U');
    expect(importSigningKey(RFC8037_A1).thumbprint).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });

  it('V1: hwk GET signature bytes', async () => {
    const request = { method: 'GET', url: 'https://resource.example/api/documents', headers: {} };
    const signed = signRequest(request, { key, signatureKey: { scheme: 'hwk' }, created: CREATED });
    expect(signed['signature-key']).toBe('sig=hwk;kty="OKP";crv="Ed25519";x="JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"');
    expect(signed['signature-input']).toBe('sig=("@method" "@authority" "@path" "signature-key");created=1730217600');
    expect(signed.signature).toBe('sig=:iY57rZwXhwZTWD7C6Ywzv+BOfev9v/Vks0SzQKZDHK9hgST7AdgTnMjfkh7jrJarrNgaHkdCAt/6X/WvZTaSBg==:');
    const base = buildSignatureBase({ method: 'GET', url: new URL(request.url), headers: { ...signed } }, parseDictionary(signed['signature-input']).get('sig') as InnerList);
    expect(base).toBe([
      '"@method": GET',
      '"@authority": resource.example',
      '"@path": /api/documents',
      '"signature-key": sig=hwk;kty="OKP";crv="Ed25519";x="JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"',
      '"@signature-params": ("@method" "@authority" "@path" "signature-key");created=1730217600',
    ].join('\n'));
    const verified = await verifyRequest({ ...request, headers: { ...signed } }, {
      now: CREATED,
      resolveKey: (sk) => ({ jwk: sk.scheme === 'hwk' ? sk.jwk : key.publicJwk, info: null }),
    });
    expect(verified.thumbprint).toBe('poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U');
  });

  describe('V2: HEAD-profile token request, jwt scheme, body digest', () => {
    const header = { alg: 'Ed25519', typ: 'aa-agent+jwt', kid: 'ap-key-1' };
    const payload = {
      iss: 'https://agent.example', dwk: 'aauth-agent.json', sub: 'aauth:assistant-v2@agent.example', jti: 'at-0001',
      cnf: { jwk: { kty: 'OKP', crv: 'Ed25519', x: 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs', alg: 'Ed25519' } },
      ps: 'https://ps.example', iat: 1730217000, exp: 1730220600,
    };
    const V2_JWT = 'eyJhbGciOiJFZDI1NTE5IiwidHlwIjoiYWEtYWdlbnQrand0Iiwia2lkIjoiYXAta2V5LTEifQ.eyJpc3MiOiJodHRwczovL2FnZW50LmV4YW1wbGUiLCJkd2siOiJhYXV0aC1hZ2VudC5qc29uIiwic3ViIjoiYWF1dGg6YXNzaXN0YW50LXYyQGFnZW50LmV4YW1wbGUiLCJqdGkiOiJhdC0wMDAxIiwiY25mIjp7Imp3ayI6eyJrdHkiOiJPS1AiLCJjcnYiOiJFZDI1NTE5IiwieCI6IkpyUUxqNVBfODlpWEVTOS12RmdySXkyOWNsRjlDQ19vUFBzdzNjNUQwYnMiLCJhbGciOiJFZDI1NTE5In19LCJwcyI6Imh0dHBzOi8vcHMuZXhhbXBsZSIsImlhdCI6MTczMDIxNzAwMCwiZXhwIjoxNzMwMjIwNjAwfQ.eanEbk5tmrgYLu0RhcMPCEWdQSSMINx4Z787me96k8VevOtHhU8umEob3aMBauVCs3bryAY1F0zWff-khlcSBg';
    const body = '{"resource_token":"rt-placeholder"}';
    const request = { method: 'POST', url: 'https://ps.example/token', headers: { 'content-type': 'application/json' }, body };

    it('agent token JWT string', async () => {
      expect(await compactJwt(header, payload, RFC8037_A1)).toBe(V2_JWT);
    });

    it('Content-Digest', () => {
      expect(createContentDigest(body)).toBe('sha-256=:LX4c6TTbgnJtVAMzrryM4o80kYsFAzwZM/bW0MQT9BE=:');
    });

    it('signature base and signature bytes', async () => {
      const signed = signRequest(request, { key, signatureKey: { scheme: 'jwt', jwt: V2_JWT }, created: CREATED });
      expect(signed['content-digest']).toBe('sha-256=:LX4c6TTbgnJtVAMzrryM4o80kYsFAzwZM/bW0MQT9BE=:');
      expect(signed['signature-key']).toBe(`sig=jwt;jwt="${V2_JWT}"`);
      expect(signed['signature-input']).toBe('sig=("@method" "@authority" "@path" "content-type" "content-digest" "signature-key");created=1730217600');
      const headers = { ...request.headers, ...signed };
      const base = buildSignatureBase({ method: 'POST', url: new URL(request.url), headers }, parseDictionary(signed['signature-input']).get('sig') as InnerList);
      expect(base).toBe([
        '"@method": POST',
        '"@authority": ps.example',
        '"@path": /token',
        '"content-type": application/json',
        '"content-digest": sha-256=:LX4c6TTbgnJtVAMzrryM4o80kYsFAzwZM/bW0MQT9BE=:',
        `"signature-key": sig=jwt;jwt="${V2_JWT}"`,
        '"@signature-params": ("@method" "@authority" "@path" "content-type" "content-digest" "signature-key");created=1730217600',
      ].join('\n'));
      expect(signed.signature).toBe('sig=:omxcaZ/xy1MLYbkznOSc8jV+K/lBbwWMgpI3RxxKinSyy+JhtXY/3/m+drDicjDOyv3vhkSIrAq/EBNCI4loCA==:');
      const verified = await verifyRequest({ ...request, headers }, { now: CREATED, resolveKey: cnfResolver });
      expect(verified.thumbprint).toBe('poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U');
      expect(verified.components).toContain('content-digest');
    });

    it('is not a 2026-03 agent token (typ aa-agent+jwt is the HEAD profile)', async () => {
      const keys: IssuerKeySource = { getKey: async () => importSigningKey(RFC8037_A1).publicJwk };
      await expect(verifyAgentToken(V2_JWT, { keys, now: CREATED })).rejects.toMatchObject({ code: 'invalid_agent_token', detail: { field: 'typ', reason: 'mismatch' } });
    });
  });

  describe('V3: 2026-03 token request to an auth server', () => {
    const header = { alg: 'EdDSA', typ: 'agent+jwt', kid: 'ap-key-1' };
    const payload = {
      iss: 'https://agent.example', sub: 'delegate-0001', jti: 'at-0001',
      cnf: { jwk: { kty: 'OKP', crv: 'Ed25519', x: 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs' } },
      iat: 1730217000, exp: 1730220600,
    };
    const V3_JWT = 'eyJhbGciOiJFZERTQSIsInR5cCI6ImFnZW50K2p3dCIsImtpZCI6ImFwLWtleS0xIn0.eyJpc3MiOiJodHRwczovL2FnZW50LmV4YW1wbGUiLCJzdWIiOiJkZWxlZ2F0ZS0wMDAxIiwianRpIjoiYXQtMDAwMSIsImNuZiI6eyJqd2siOnsia3R5IjoiT0tQIiwiY3J2IjoiRWQyNTUxOSIsIngiOiJKclFMajVQXzg5aVhFUzktdkZnckl5MjljbEY5Q0Nfb1BQc3czYzVEMGJzIn19LCJpYXQiOjE3MzAyMTcwMDAsImV4cCI6MTczMDIyMDYwMH0.UeHpHYIG9fE2UsdA-k9XXqnFV-frDef7RohhvOHSfkl3O0t9DM0QFPxU_28Vl07F6VWxIZjX7mW4EdMDzss3Dw';
    const request = { method: 'POST', url: 'https://auth.example/token', headers: {} };

    it('agent token JWT string', async () => {
      expect(await compactJwt(header, payload, RFC8037_A1)).toBe(V3_JWT);
    });

    it('signature base and signature bytes', async () => {
      const signed = signRequest(request, { key, signatureKey: { scheme: 'jwt', jwt: V3_JWT }, created: CREATED });
      expect(signed['signature-input']).toBe('sig=("@method" "@authority" "@path" "signature-key");created=1730217600');
      const base = buildSignatureBase({ method: 'POST', url: new URL(request.url), headers: { ...signed } }, parseDictionary(signed['signature-input']).get('sig') as InnerList);
      expect(base).toBe([
        '"@method": POST',
        '"@authority": auth.example',
        '"@path": /token',
        `"signature-key": sig=jwt;jwt="${V3_JWT}"`,
        '"@signature-params": ("@method" "@authority" "@path" "signature-key");created=1730217600',
      ].join('\n'));
      expect(signed.signature).toBe('sig=:q0vzGY0+wePL22p1EHvTJTKxVGFu9WnB8RzJJY+Zpa1ov+7zZYEivJbWb/oDmeBVKxn5Ghot9akBJsddNM3TAw==:');
      await expect(verifyRequest({ ...request, headers: { ...signed } }, { now: CREATED, resolveKey: cnfResolver })).resolves.toMatchObject({ label: 'sig' });
    });

    it('the agent token verifies as a 2026-03 agent token (issuer key = RFC 8037 A.1)', async () => {
      const asked: unknown[] = [];
      const keys: IssuerKeySource = {
        getKey: async (...args) => {
          asked.push(args);
          return { ...importSigningKey(RFC8037_A1).publicJwk, kid: 'ap-key-1' };
        },
      };
      const claims = await verifyAgentToken(V3_JWT, { keys, now: CREATED });
      expect(claims).toMatchObject({ iss: 'https://agent.example', sub: 'delegate-0001' });
      expect(asked).toEqual([['https://agent.example', 'aauth-agent.json', 'ap-key-1', 'EdDSA']]);
      expect(jwkThumbprint(claims.cnf.jwk)).toBe('poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U');
    });
  });
});
