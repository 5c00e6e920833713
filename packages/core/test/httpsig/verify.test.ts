/**
 * verifyRequest, one test (or group) per verification step of 2026-03 §Request Verification
 * (wire notes §1.7), each failure asserting its wire `code`, HTTP `status` and `detail.reason`.
 * Ordering rules (structure before key resolution, digest before key resolution) have named tests.
 */
import {
  importSigningKey, signRequest, verifyRequest, verifyRequestNow, SignatureError, MalformedError, isAAuthError,
  type KeyResolver, type PrivateJwk, type SignableRequest, type SignatureKey, type SignRequestOptions, type VerifyRequestOptions,
} from '@aauth-ts/core';

const AGENT: PrivateJwk = { kty: 'OKP', crv: 'Ed25519', d: 'n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU', x: 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs' };
const NOW = 1730217600;
const key = importSigningKey(AGENT);

/** Inline keys only; records each call so ordering tests can show it was never reached. */
function hwkResolver(): KeyResolver<null> & { calls: SignatureKey[] } {
  const calls: SignatureKey[] = [];
  const resolver = ((sk: SignatureKey) => {
    calls.push(sk);
    if (sk.scheme !== 'hwk') throw new Error('test resolver knows hwk only');
    return { jwk: sk.jwk, info: null };
  }) as KeyResolver<null> & { calls: SignatureKey[] };
  resolver.calls = calls;
  return resolver;
}

const GET: SignableRequest = { method: 'GET', url: 'https://resource.example/api/documents', headers: {} };
const POST: SignableRequest = { method: 'POST', url: 'https://resource.example/api/orders', headers: { 'content-type': 'application/json' }, body: '{"sku":"A-1","qty":2}' };

function signed(request: SignableRequest, options: Partial<SignRequestOptions> = {}): SignableRequest {
  const headers = signRequest(request, { key, signatureKey: { scheme: 'hwk' }, created: NOW, ...options });
  return { ...request, headers: { ...(request.headers as Record<string, string>), ...headers } };
}

function withHeaders(request: SignableRequest, patch: Record<string, string | undefined>): SignableRequest {
  const headers: Record<string, string> = { ...(request.headers as Record<string, string>) };
  for (const [name, value] of Object.entries(patch)) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  return { ...request, headers };
}

function header(request: SignableRequest, name: string): string {
  return (request.headers as Record<string, string>)[name] as string;
}

async function failure(request: SignableRequest, options: Partial<VerifyRequestOptions<null>> = {}): Promise<SignatureError | MalformedError> {
  try {
    await verifyRequest(request, { resolveKey: hwkResolver(), now: NOW, ...options });
  } catch (err) {
    if (!isAAuthError(err)) throw err;
    return err as SignatureError | MalformedError;
  }
  throw new Error('verification unexpectedly succeeded');
}

describe('verifyRequest: accepted requests', () => {
  it('a signed GET and a signed POST with a body verify', async () => {
    await expect(verifyRequest(signed(GET), { resolveKey: hwkResolver(), now: NOW })).resolves.toMatchObject({ label: 'sig', created: NOW, thumbprint: key.thumbprint });
    await expect(verifyRequest(signed(POST), { resolveKey: hwkResolver(), now: NOW })).resolves.toMatchObject({
      components: ['@method', '@authority', '@path', 'content-type', 'content-digest', 'signature-key'],
    });
  });

  it('Fetch Headers objects work as well as plain records', async () => {
    const request = signed(GET);
    const verified = await verifyRequest({ ...request, headers: new Headers(request.headers as Record<string, string>) }, { resolveKey: hwkResolver(), now: NOW });
    expect(verified.label).toBe('sig');
  });

  it('a query is covered with @query and verifies', async () => {
    const request = signed({ ...GET, url: 'https://resource.example/api/documents?page=2' });
    expect(header(request, 'signature-input')).toContain('"@query"');
    await expect(verifyRequest(request, { resolveKey: hwkResolver(), now: NOW })).resolves.toMatchObject({ components: expect.arrayContaining(['@query']) });
  });
});

describe('step 1: presence of Signature, Signature-Input, Signature-Key', () => {
  it('an unsigned request is invalid_signature (unsigned)', async () => {
    const err = await failure(GET);
    expect(err).toBeInstanceOf(SignatureError);
    expect(err).toMatchObject({ code: 'invalid_signature', status: 401, detail: { reason: 'unsigned' } });
  });

  it.each(['signature', 'signature-input', 'signature-key'])('missing %s alone is invalid_signature (401) naming it', async (name) => {
    const err = await failure(withHeaders(signed(GET), { [name]: undefined }));
    expect(err).toBeInstanceOf(MalformedError);
    expect(err).toMatchObject({ code: 'invalid_signature', status: 401, detail: { reason: 'missing' } });
    expect(err.message.toLowerCase()).toContain(name);
  });
});

describe('step 2: the label binds Signature-Key, Signature-Input and Signature', () => {
  it('label mismatch: Signature-Key says sig, Signature-Input/Signature say sig1', async () => {
    const request = signed(GET);
    const renamed = withHeaders(request, {
      'signature-input': header(request, 'signature-input').replace(/^sig=/, 'sig1='),
      signature: header(request, 'signature').replace(/^sig=/, 'sig1='),
    });
    const err = await failure(renamed);
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'label_mismatch', expected: 'sig' } });
  });

  it('label mismatch: Signature-Input carries the label but Signature does not', async () => {
    const request = signed(GET);
    const err = await failure(withHeaders(request, { signature: header(request, 'signature').replace(/^sig=/, 'sig1=') }));
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'label_mismatch' } });
  });

  it('Signature-Key has no member for the label asked for', async () => {
    const err = await failure(signed(GET), { label: 'sig1' });
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'label_mismatch', expected: 'sig1' } });
  });

  it('Signature-Key has only a member for another label', async () => {
    const request = signed(GET);
    const err = await failure(withHeaders(request, { 'signature-key': header(request, 'signature-key').replace(/^sig=/, 'other=') }));
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'label_mismatch', expected: 'other' } });
  });

  it('two Signature-Key members and no label chosen is ambiguous (invalid_signature)', async () => {
    const request = signed(GET);
    const twoMembers = `${header(request, 'signature-key')}, sig2=hwk;kty="OKP";crv="Ed25519";x="11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"`;
    const err = await failure(withHeaders(request, { 'signature-key': twoMembers }));
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'ambiguous_label' } });
  });

  describe('several signatures: only the Signature-Key label decides, never the last one', () => {
    // Two labels over the same request, `sig` and `sig2`, both correctly signed.
    const request = signed(GET);
    const second = signRequest(GET, { key, signatureKey: { scheme: 'hwk' }, created: NOW, label: 'sig2' });
    const goodSig = header(request, 'signature').slice('sig='.length);
    const goodSig2 = second.signature.slice('sig2='.length);
    const badSig = `:${Buffer.alloc(64, 7).toString('base64')}:`;
    const inputs = `${header(request, 'signature-input')}, ${second['signature-input']}`;

    it('sig invalid, sig2 (last) valid: rejected', async () => {
      const err = await failure(withHeaders(request, { 'signature-input': inputs, signature: `sig=${badSig}, sig2=${goodSig2}` }));
      expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'bad_signature' } });
    });

    it('sig valid, sig2 (last) invalid: accepted on sig', async () => {
      const verified = await verifyRequest(withHeaders(request, { 'signature-input': inputs, signature: `sig=${goodSig}, sig2=${badSig}` }), { resolveKey: hwkResolver(), now: NOW });
      expect(verified.label).toBe('sig');
    });

    it('the same label twice in Signature (invalid first, valid last) is refused, not decided by the last', async () => {
      const err = await failure(withHeaders(request, { signature: `sig=${badSig}, sig=${goodSig}` }));
      expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'duplicate_label', field: 'signature' } });
    });

    it('the same label twice in Signature-Input is refused', async () => {
      const input = header(request, 'signature-input');
      const err = await failure(withHeaders(request, { 'signature-input': `${input.replace('"@path" ', '')}, ${input}` }));
      expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'duplicate_label', field: 'signature-input' } });
    });

    it('the same label twice in Signature-Key is refused', async () => {
      const sk = header(request, 'signature-key');
      const err = await failure(withHeaders(request, { 'signature-key': `sig=hwk;kty="OKP";crv="Ed25519";x="11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", ${sk}` }));
      expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'duplicate_label', field: 'signature-key' } });
    });
  });
});

describe('step 3: covered components', () => {
  it('missing component: signature-key not covered → invalid_signature with required_components', async () => {
    const request = signed(GET);
    const err = await failure(withHeaders(request, { 'signature-input': header(request, 'signature-input').replace(' "signature-key"', '') }));
    expect(err).toMatchObject({ code: 'invalid_signature', status: 401, detail: { reason: 'missing_component', field: 'signature-key' } });
    expect(err.toJSON()).toEqual({
      error: 'invalid_signature',
      error_description: expect.stringContaining('"signature-key"'),
      required_components: ['@method', '@authority', '@path', 'signature-key'],
    });
  });

  it.each(['@method', '@authority', '@path'])('missing component %s', async (name) => {
    const request = signed(GET);
    const err = await failure(withHeaders(request, { 'signature-input': header(request, 'signature-input').replace(`"${name}" `, '') }));
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'missing_component', field: name } });
  });

  it('a body makes content-type and content-digest mandatory', async () => {
    const request = { ...signed(GET), method: 'POST', body: '{"a":1}' };
    const err = await failure(request);
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'missing_component', field: 'content-type' } });
  });

  it('a query makes @query mandatory (an unsigned query is never accepted)', async () => {
    const request = { ...signed(GET), url: 'https://resource.example/api/documents?admin=true' };
    const err = await failure(request);
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'missing_component', field: '@query' } });
  });

  it('extra components required by the resource', async () => {
    const err = await failure(signed(GET), { requiredComponents: ['date'] });
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'missing_component', field: 'date' } });
  });
});

describe('step 4: signature parameters', () => {
  it.each([61, -61])('created outside the window (now − created = %i s) is invalid_signature', async (offset) => {
    const err = await failure(signed(GET), { now: NOW + offset });
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'created_window', actual: NOW, expected: NOW + offset } });
  });

  it.each([60, -60])('created at the window edge (now − created = %i s) is accepted', async (offset) => {
    await expect(verifyRequest(signed(GET), { resolveKey: hwkResolver(), now: NOW + offset })).resolves.toMatchObject({ created: NOW });
  });

  it('a configured window is honoured', async () => {
    const err = await failure(signed(GET), { now: NOW + 11, windowSeconds: 10 });
    expect(err).toMatchObject({ detail: { reason: 'created_window' } });
  });

  it('no created parameter', async () => {
    const request = signed(GET);
    const err = await failure(withHeaders(request, { 'signature-input': header(request, 'signature-input').replace(/;created=\d+/, '') }));
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'created_missing' } });
  });

  it('a non-integer created', async () => {
    const request = signed(GET);
    const err = await failure(withHeaders(request, { 'signature-input': header(request, 'signature-input').replace(/created=\d+/, `created=${NOW}.5`) }));
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'created_missing' } });
  });

  it('an expires in the past is honoured', async () => {
    const request = signed(GET);
    const err = await failure(withHeaders(request, { 'signature-input': `${header(request, 'signature-input')};expires=${NOW - 1}` }));
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'expired' } });
  });

  it('an alg parameter naming another algorithm than the key\'s', async () => {
    const request = signed(GET);
    const err = await failure(withHeaders(request, { 'signature-input': `${header(request, 'signature-input')};alg="rsa-v1_5-sha256"` }));
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'alg_mismatch', actual: 'rsa-v1_5-sha256', expected: 'ed25519' } });
  });
});

describe('step 5: Signature-Key member and scheme', () => {
  it('unsupported scheme token', async () => {
    const request = signed(GET);
    const err = await failure(withHeaders(request, { 'signature-key': 'sig=jkt-jwt;jwt="e30.e30.e30"' }));
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'unsupported_scheme', actual: 'jkt-jwt' } });
  });

  it('a scheme this verifier does not accept (hwk where only jwt is allowed)', async () => {
    const err = await failure(signed(GET), { allowedSchemes: ['jwt'] });
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'unsupported_scheme', actual: 'hwk' } });
  });

  it('a member that is not a token', async () => {
    const err = await failure(withHeaders(signed(GET), { 'signature-key': 'sig="hwk"' }));
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'malformed' } });
  });

  it('an hwk member missing kty', async () => {
    const err = await failure(withHeaders(signed(GET), { 'signature-key': 'sig=hwk;crv="Ed25519";x="abc"' }));
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { field: 'kty', reason: 'missing' } });
  });

  it('an hwk key that is not a valid public key', async () => {
    const err = await failure(withHeaders(signed(GET), { 'signature-key': 'sig=hwk;kty="OKP";crv="Ed25519";x="AAAA"' }));
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'malformed' } });
  });
});

describe('step 6: Content-Digest', () => {
  it('content-digest mismatch (body changed after signing)', async () => {
    const request = { ...signed(POST), body: '{"sku":"A-1","qty":200}' };
    const err = await failure(request);
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { field: 'content-digest', reason: 'mismatch' } });
  });

  it('content-digest covered but the header is missing', async () => {
    const err = await failure(withHeaders(signed(POST), { 'content-digest': undefined }));
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { field: 'content-digest', reason: 'missing' } });
  });

  it('Content-Digest with no supported algorithm', async () => {
    const err = await failure(withHeaders(signed(POST), { 'content-digest': 'md5=:CY9rzUYh03PK3k6DJie09g==:' }));
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { field: 'content-digest', reason: 'unsupported' } });
  });
});

describe('step 8: the signature itself', () => {
  it('a flipped byte in the signature', async () => {
    const request = signed(GET);
    const bytes = Buffer.from(header(request, 'signature').slice(5, -1), 'base64');
    bytes[10] = (bytes[10] as number) ^ 0x01;
    const err = await failure(withHeaders(request, { signature: `sig=:${bytes.toString('base64')}:` }));
    expect(err).toMatchObject({ code: 'invalid_signature', status: 401, detail: { reason: 'bad_signature' } });
  });

  it('a flipped byte in the signature base (another path)', async () => {
    const err = await failure({ ...signed(GET), url: 'https://resource.example/api/documentS' });
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'bad_signature' } });
  });

  it('another authority', async () => {
    const err = await failure({ ...signed(GET), url: 'https://resource.example:8443/api/documents' });
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'bad_signature' } });
  });

  it('a signature by another key than the one in Signature-Key', async () => {
    const other = importSigningKey({ kty: 'OKP', crv: 'Ed25519', d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' });
    const request = signed(GET);
    const forged = signRequest(GET, { key: other, signatureKey: { scheme: 'hwk' }, created: NOW });
    const err = await failure(withHeaders(request, { signature: forged.signature }));
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { reason: 'bad_signature' } });
  });

  it('a Signature member that is not a byte sequence', async () => {
    const err = await failure(withHeaders(signed(GET), { signature: 'sig="abc"' }));
    expect(err).toMatchObject({ code: 'invalid_signature', detail: { field: 'signature' } });
  });
});

describe('verifyRequestNow: the same verification, without a promise when the resolver answers at once', () => {
  it('returns the verified request itself for a synchronous resolver', () => {
    const verified = verifyRequestNow(signed(GET), { resolveKey: hwkResolver() }, NOW);
    expect(verified).not.toBeInstanceOf(Promise);
    expect(verified).toMatchObject({ label: 'sig', created: NOW, thumbprint: key.thumbprint, components: ['@method', '@authority', '@path', 'signature-key'] });
  });

  it('throws a refusal at once, with the same code and reason as verifyRequest', async () => {
    const request = withHeaders(signed(GET), { signature: `sig=:${Buffer.alloc(64).toString('base64')}:` });
    expect(() => verifyRequestNow(request, { resolveKey: hwkResolver() }, NOW)).toThrow(expect.objectContaining({ code: 'invalid_signature', detail: expect.objectContaining({ reason: 'bad_signature' }) }));
    expect(await failure(request)).toMatchObject({ code: 'invalid_signature', detail: { reason: 'bad_signature' } });
  });

  it('a resolver answering with a thenable that is not a native promise still verifies (and still refuses)', async () => {
    const thenable = (sk: SignatureKey): PromiseLike<{ jwk: Extract<SignatureKey, { scheme: 'hwk' }>['jwk']; info: null }> => ({
      then: (onFulfilled, onRejected) => Promise.resolve(sk.scheme === 'hwk' ? { jwk: sk.jwk, info: null } : Promise.reject(new Error('hwk only'))).then(onFulfilled, onRejected),
    });
    const pending = verifyRequestNow(signed(GET), { resolveKey: thenable }, NOW);
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).resolves.toMatchObject({ thumbprint: key.thumbprint });
    await expect(verifyRequest(signed(GET), { resolveKey: thenable, now: NOW })).resolves.toMatchObject({ thumbprint: key.thumbprint });
    const forged = withHeaders(signed(GET), { signature: `sig=:${Buffer.alloc(64).toString('base64')}:` });
    await expect(verifyRequest(forged, { resolveKey: thenable, now: NOW })).rejects.toMatchObject({ code: 'invalid_signature', detail: { reason: 'bad_signature' } });
  });
});

describe('the Signature-Key parse cache', () => {
  it('hands out frozen keys, so one caller cannot alter what the next request sees', async () => {
    const first = await verifyRequest(signed(GET), { resolveKey: hwkResolver(), now: NOW });
    expect(Object.isFrozen(first.signatureKey)).toBe(true);
    expect(first.signatureKey.scheme === 'hwk' && Object.isFrozen(first.signatureKey.jwk)).toBe(true);
    const second = await verifyRequest(signed(GET), { resolveKey: hwkResolver(), now: NOW });
    expect(second.signatureKey).toEqual(first.signatureKey);
    expect(second.thumbprint).toBe(key.thumbprint);
  });
});

describe('verification order', () => {
  it('created outside the window is refused before any key resolution', async () => {
    const resolveKey = hwkResolver();
    await expect(verifyRequest(signed(GET), { resolveKey, now: NOW + 3600 })).rejects.toMatchObject({ detail: { reason: 'created_window' } });
    expect(resolveKey.calls).toHaveLength(0);
  });

  it('a missing component is refused before any key resolution', async () => {
    const resolveKey = hwkResolver();
    const request = signed(GET);
    await expect(verifyRequest(withHeaders(request, { 'signature-input': header(request, 'signature-input').replace(' "signature-key"', '') }), { resolveKey, now: NOW }))
      .rejects.toMatchObject({ detail: { reason: 'missing_component' } });
    expect(resolveKey.calls).toHaveLength(0);
  });

  it('a disallowed scheme is refused before any key resolution', async () => {
    const resolveKey = hwkResolver();
    await expect(verifyRequest(signed(GET), { resolveKey, now: NOW, allowedSchemes: ['jwt'] })).rejects.toMatchObject({ detail: { reason: 'unsupported_scheme' } });
    expect(resolveKey.calls).toHaveLength(0);
  });

  it('a body digest mismatch is refused before any key resolution', async () => {
    const resolveKey = hwkResolver();
    await expect(verifyRequest({ ...signed(POST), body: 'tampered' }, { resolveKey, now: NOW })).rejects.toMatchObject({ detail: { reason: 'mismatch' } });
    expect(resolveKey.calls).toHaveLength(0);
  });
});
