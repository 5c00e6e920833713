/**
 * `processTokenResponse()` without a network (2026-03 §Token Endpoint, §Deferred Responses,
 * §Error Responses): status first, then content type, JSON, member types; errors keep the
 * server's code and description.
 */
import { MalformedError, ResponseError } from '@aauth-ts/core';
import { interactionUrl, parseRetryAfter, processTokenResponse } from '@aauth-ts/agent';

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('processTokenResponse', () => {
  it('200: a token and its lifetime', async () => {
    await expect(processTokenResponse(json(200, { auth_token: 'a.b.c', expires_in: 300 }))).resolves.toEqual({ kind: 'token', authToken: 'a.b.c', expiresIn: 300 });
  });

  it('200 without JSON content type, without auth_token, or with a bad expires_in is refused', async () => {
    await expect(processTokenResponse(new Response('{"auth_token":"x"}', { status: 200, headers: { 'content-type': 'text/plain' } }))).rejects.toBeInstanceOf(MalformedError);
    await expect(processTokenResponse(json(200, { token: 'x' }))).rejects.toThrow('"auth_token"');
    await expect(processTokenResponse(json(200, { auth_token: 'x', expires_in: '300' }))).rejects.toThrow('"expires_in"');
    await expect(processTokenResponse(json(200, ['auth_token']))).rejects.toThrow('not a JSON object');
  });

  it('202: Location resolved against the endpoint, Retry-After, and the interaction code from the AAuth header', async () => {
    const response = json(202, { status: 'pending', require: 'interaction', code: 'BODYCODE' }, {
      location: '/realms/x/protocol/aauth/pending/42', 'retry-after': '3', aauth: 'require=interaction; code="HDRCODE1"',
    });
    await expect(processTokenResponse(response, { base: 'https://as.example/realms/x/protocol/aauth/token' })).resolves.toEqual({
      kind: 'pending', location: 'https://as.example/realms/x/protocol/aauth/pending/42', retryAfter: 3, status: 'pending', require: 'interaction', code: 'HDRCODE1',
    });
  });

  it('202 without Location is refused, unless it answers a poll; without Retry-After it waits 5 s', async () => {
    await expect(processTokenResponse(json(202, { status: 'pending' }))).rejects.toThrow('Location');
    await expect(processTokenResponse(json(202, { status: 'interacting' }, { 'retry-after': '1' }), { pendingUrl: 'https://as.example/p/9' }))
      .resolves.toMatchObject({ kind: 'pending', location: 'https://as.example/p/9', status: 'interacting', retryAfter: 1 });
    const result = await processTokenResponse(json(202, {}, { location: 'https://as.example/p/1' }));
    expect(result).toMatchObject({ kind: 'pending', retryAfter: 5, code: undefined });
  });

  it('an error body becomes a ResponseError with the server code, description and status', async () => {
    const err = await processTokenResponse(json(400, { error: 'invalid_resource_token', error_description: 'agent mismatch' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseError);
    expect(err).toMatchObject({ code: 'invalid_resource_token', serverError: 'invalid_resource_token', message: 'agent mismatch', status: 400 });
    expect(await processTokenResponse(json(403, { error: 'denied' })).catch((e: unknown) => e)).toMatchObject({ code: 'denied', status: 403 });
    expect(await processTokenResponse(json(408, { error: 'expired' })).catch((e: unknown) => e)).toMatchObject({ code: 'expired', status: 408 });
  });

  it('an unknown error code is kept as serverError; a non-JSON error is still typed', async () => {
    expect(await processTokenResponse(json(403, { error: 'clarification_limit' })).catch((e: unknown) => e)).toMatchObject({ code: 'server_error', serverError: 'clarification_limit', status: 403 });
    const err = await processTokenResponse(new Response('<html>bad gateway</html>', { status: 502 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseError);
    expect(err).toMatchObject({ status: 502, serverError: 'invalid_response' });
  });

  it('an oversized body is refused before parsing', async () => {
    await expect(processTokenResponse(json(200, { auth_token: 'x'.repeat(70 * 1024) }))).rejects.toThrow('larger than');
  });
});

describe('helpers', () => {
  it('parseRetryAfter: seconds, HTTP-date, garbage', () => {
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter('12')).toBe(12);
    expect(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(10);
    expect(parseRetryAfter('soon')).toBe(5);
    expect(parseRetryAfter(null)).toBe(5);
  });

  it('interactionUrl appends ?code= to the interaction_endpoint', () => {
    expect(interactionUrl('https://as.example/realms/x/protocol/aauth/interact', 'ABCD1234')).toBe('https://as.example/realms/x/protocol/aauth/interact?code=ABCD1234');
  });
});
