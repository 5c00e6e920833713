/**
 * The embedded server over real HTTP on loopback: what the conformance suite cannot reach
 * (injected clock for expiry, key rotation, the interaction pages' details, malformed input).
 */
import fc from 'fast-check';
import { GuardedFetcher, KeyDiscovery, verifyAuthToken } from '@aauth-ts/core';
import { parseForms, driveInteraction } from '../../../conformance/support/consent-driver.js';
import { postJson, signedRequest, type Signer } from '../../../conformance/support/signed-fetch.js';
import { Party } from '../../../conformance/support/parties.js';
import { USER, startFixture, type Fixture } from './helpers.js';

async function signerFor(f: Fixture): Promise<Signer> {
  return { key: f.agent.delegateKey, signatureKey: { scheme: 'jwt', jwt: await f.agent.agentToken() } };
}

async function startPending(f: Fixture, extra: Record<string, unknown> = {}): Promise<{ location: string; code: string; signer: Signer }> {
  const signer = await signerFor(f);
  const rt = await f.resource.resourceToken({ aud: f.issuer, agent: f.agent.id, agentJkt: f.agent.delegateKey.thumbprint, scope: 'data:read' });
  const res = await postJson(`${f.issuer}/protocol/aauth/token`, signer, { resource_token: rt, ...extra });
  expect(res.status).toBe(202);
  return { location: res.headers.get('location') as string, code: res.json.code as string, signer };
}

describe('embedded auth server', () => {
  let clock = Math.floor(Date.now() / 1000);
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ now: () => clock });
  });
  afterAll(async () => {
    await f.close();
  });
  beforeEach(() => {
    clock = Math.floor(Date.now() / 1000);
  });

  it('a pending request past aauth.pendingLifespan answers 408 expired, then 404', async () => {
    const { location, signer } = await startPending(f);
    clock += 601;
    // The agent signs with the real clock; keep the signature inside the server's window.
    const expired = await signedRequest('GET', location, signer, undefined, { created: clock });
    expect(expired.status).toBe(408);
    expect(expired.json.error).toBe('expired');
    const gone = await signedRequest('GET', location, signer, undefined, { created: clock });
    expect(gone.status).toBe(404);
  });

  it('a request whose code was opened but never decided answers 403 abandoned after aauth.pendingLifespan, then 404', async () => {
    const { location, code, signer } = await startPending(f);
    const opened = await fetch(`${f.issuer}/protocol/aauth/interact?code=${code}`);
    expect(opened.status).toBe(200);
    await opened.text();
    clock += 601;
    const abandoned = await signedRequest('GET', location, signer, undefined, { created: clock });
    expect(abandoned.status).toBe(403);
    expect(abandoned.json.error).toBe('abandoned');
    const gone = await signedRequest('GET', location, signer, undefined, { created: clock });
    expect(gone.status).toBe(404);
  });

  it('the consent page escapes purpose, client names and consent text', async () => {
    const purpose = '<script>alert(1)</script>"onload="x';
    const { code } = await startPending(f, { purpose });
    const login = await fetch(`${f.issuer}/protocol/aauth/interact?code=${code}`);
    expect(login.headers.get('content-security-policy')).toContain("default-src 'none'");
    const form = parseForms(await login.text(), login.url)[0];
    const body = new URLSearchParams({ ...Object.fromEntries(form?.fields ?? []), username: USER.username, password: USER.password });
    const consent = await fetch(form?.action as string, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const html = await consent.text();
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('Unit <agent>');
    expect(html).not.toContain('Read your <data>');
    expect(html).toContain('&#60;script&#62;');
    expect(html).toContain('Unit &#60;agent&#62;');
  });

  it('a wrong password shows the login form again with 401 and decides nothing', async () => {
    const { code, location, signer } = await startPending(f);
    await expect(driveInteraction('embedded', `${f.issuer}/protocol/aauth/interact`, code, { username: USER.username, password: 'wrong' }, 'approve')).rejects.toThrow(/no login or approve form|too many/);
    const poll = await signedRequest('GET', location, signer);
    expect(poll.status).toBe(202);
    expect(poll.json).toEqual({ status: 'pending', location });
  });

  it('an unknown interaction code gets an error page, not a login form', async () => {
    const res = await fetch(`${f.issuer}/protocol/aauth/interact?code=NOPE0000`);
    expect(res.status).toBe(400);
    expect(parseForms(await res.text(), res.url)).toHaveLength(0);
  });

  it('a consent form replayed after its decision changes nothing', async () => {
    const { code, location, signer } = await startPending(f);
    const interact = `${f.issuer}/protocol/aauth/interact`;
    await driveInteraction('embedded', interact, code, { username: USER.username, password: USER.password }, 'deny');
    const replay = await fetch(interact, { method: 'POST', body: new URLSearchParams({ step: 'consent', code, decision: 'approve', ticket: 'x' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(replay.status).toBe(400);
    expect((await signedRequest('GET', location, signer)).json.error).toBe('denied');
  });

  it('POST to the pending URL (clarification response) is refused: none was asked', async () => {
    const { location, signer } = await startPending(f);
    const res = await signedRequest('POST', location, signer, JSON.stringify({ clarification_response: 'yes' }));
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('invalid_request');
  });

  it('tokens signed before a key rotation still verify with the published JWKS', async () => {
    const { code, location, signer } = await startPending(f);
    await driveInteraction('embedded', `${f.issuer}/protocol/aauth/interact`, code, { username: USER.username, password: USER.password }, 'approve');
    const done = await signedRequest('GET', location, signer);
    expect(done.status).toBe(200);
    f.server.rotateKeys();
    const keys = new KeyDiscovery(new GuardedFetcher({ allowLoopback: true }));
    const claims = await verifyAuthToken(done.json.auth_token as string, { keys, trustedIssuers: [f.issuer], audience: f.resource.id });
    expect(claims.sub).toBe(USER.id);
  });

  it('a resource token from a party that is not a realm resource is refused by its issuer, with nothing fetched from it, whatever else is wrong with it', async () => {
    const stranger = new Party({ port: 0, resource: true });
    await stranger.start();
    try {
      const refused = { error: 'access_denied', error_description: `resource ${stranger.id} is not an enabled resource of realm unit` };
      const signed = await stranger.resourceToken({ aud: f.issuer, agent: f.agent.id, agentJkt: f.agent.delegateKey.thumbprint, scope: 'data:read' });
      // A header `alg` this server never accepts: the issuer is still what refuses it.
      const segment = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
      const badAlg = `${segment({ alg: 'HS256', typ: 'resource+jwt' })}.${signed.split('.')[1] as string}.${'A'.repeat(43)}`;
      for (const token of [signed, badAlg]) {
        const res = await postJson(`${f.issuer}/protocol/aauth/token`, await signerFor(f), { resource_token: token });
        expect(res.status).toBe(403);
        expect(res.json).toMatchObject(refused);
      }
      expect(stranger.served).toBe(0);
    } finally {
      await stranger.stop();
    }
  });

  it('an oversized body is refused with 413 and a JSON error', async () => {
    const res = await postJson(`${f.issuer}/protocol/aauth/token`, await signerFor(f), { scope: 'x'.repeat(100_000) });
    expect(res.status).toBe(413);
    expect(res.json.error).toBe('invalid_request');
  });

  it('an unknown path answers 404 with a JSON error', async () => {
    const res = await fetch(`${f.issuer}/protocol/aauth/nothing`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('serves only its own realm: its pending URL and interaction code mean nothing under another realm path', async () => {
    // One realm per process (contract "Realms"): there is no other realm whose stores could be reached.
    const { location, code, signer } = await startPending(f);
    const other = f.issuer.replace(/\/realms\/[^/]+$/, '/realms/another-realm');
    const poll = await signedRequest('GET', location.replace(f.issuer, other), signer);
    expect(poll.status).toBe(404);
    const page = await fetch(`${other}/protocol/aauth/interact?code=${code}`);
    expect(page.status).toBe(404);
    expect((await signedRequest('GET', location, signer)).status).toBe(202);
  });

  it('malformed signature headers and bodies never get a 5xx (bounded property test)', async () => {
    const header = fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('sig=jwt;jwt="a.b.c"', 'sig=hwk;kty="OKP"', 'sig=("@method");created=1', 'sig=:AAAA:', '', ','));
    await fc.assert(
      fc.asyncProperty(header, header, header, fc.string({ maxLength: 80 }), async (key, input, sig, body) => {
        const res = await fetch(`${f.issuer}/protocol/aauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'signature-key': key.replace(/[\r\n\0]/g, ''), 'signature-input': input.replace(/[\r\n\0]/g, ''), signature: sig.replace(/[\r\n\0]/g, '') },
          body,
        }).catch(() => undefined);
        if (res === undefined) return; // the client refused to send an illegal header value
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        const json = (await res.json()) as { error: string };
        expect(typeof json.error).toBe('string');
      }),
      { numRuns: 60, interruptAfterTimeLimit: 10_000 },
    );
  });
});
