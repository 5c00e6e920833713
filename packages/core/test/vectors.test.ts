import { importSigningKey, signRequest, verifyRequest, jwkThumbprint, createContentDigest, type PrivateJwk } from '@aauth-ts/core';

// Wire notes §9.2: agent key = RFC 9421 B.1.4 test-key-ed25519.
const AGENT: PrivateJwk = { kty: 'OKP', crv: 'Ed25519', d: 'n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU', x: 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs' };
const CREATED = 1730217600;

describe('wire notes §9.2 vectors', () => {
  const key = importSigningKey(AGENT);

  it('agent key thumbprint', () => {
    expect(jwkThumbprint(key.publicJwk)).toBe('poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U');
  });

  it('V1: hwk GET signature bytes', async () => {
    const request = { method: 'GET', url: 'https://resource.example/api/documents', headers: {} };
    const signed = signRequest(request, { key, signatureKey: { scheme: 'hwk' }, created: CREATED });
    expect(signed['signature-key']).toBe('sig=hwk;kty="OKP";crv="Ed25519";x="JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"');
    expect(signed['signature-input']).toBe('sig=("@method" "@authority" "@path" "signature-key");created=1730217600');
    expect(signed.signature).toBe('sig=:iY57rZwXhwZTWD7C6Ywzv+BOfev9v/Vks0SzQKZDHK9hgST7AdgTnMjfkh7jrJarrNgaHkdCAt/6X/WvZTaSBg==:');
    const verified = await verifyRequest({ ...request, headers: { ...signed } }, {
      now: CREATED,
      resolveKey: (sk) => ({ jwk: sk.scheme === 'hwk' ? sk.jwk : key.publicJwk, info: null }),
    });
    expect(verified.thumbprint).toBe('poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U');
  });

  it('V2 content digest', () => {
    expect(createContentDigest('{"resource_token":"rt-placeholder"}')).toBe('sha-256=:LX4c6TTbgnJtVAMzrryM4o80kYsFAzwZM/bW0MQT9BE=:');
  });
});
