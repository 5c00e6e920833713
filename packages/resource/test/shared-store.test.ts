/**
 * The replay cache in a `SharedStore` (several instances, one memory of used signatures): each
 * state-changing signature is accepted once across every resource on the store; a store that
 * cannot answer refuses the request (503 `temporarily_unavailable`, `Retry-After`, a `warn`
 * line), never accepts it; a store whose memory began after the request was signed refuses it.
 */
import { MemoryStore, generateSigningKey, signRequest, type SharedStore } from '@aauth-ts/core';
import { AAuthResource, fromFetchRequest } from '@aauth-ts/resource';
import { rejection } from './fixtures.js';

const RESOURCE = 'https://resource.example';
const key = generateSigningKey();

function build(store: SharedStore, warnings: object[] = []): AAuthResource {
  return new AAuthResource({
    resource: RESOURCE, signingKey: generateSigningKey(), authServer: 'https://auth.example', store,
    logger: { info: () => undefined, warn: (obj) => warnings.push(obj) },
  });
}

async function signedPost(path: string, created?: number): Promise<Parameters<AAuthResource['verify']>[0]> {
  const url = `${RESOURCE}${path}`;
  const headers = { 'content-type': 'text/plain' };
  const signed = signRequest({ method: 'POST', url, headers, body: 'hi' }, { key, signatureKey: { scheme: 'hwk' }, ...(created === undefined ? {} : { created }) });
  return fromFetchRequest(new Request(url, { method: 'POST', headers: { ...headers, ...signed }, body: 'hi' }));
}

/** A store that is down: every call fails, as a Redis client does when the connection is gone. */
const downStore: SharedStore = {
  add: () => Promise.reject(new Error('Connection is closed.')),
  get: () => Promise.reject(new Error('Connection is closed.')),
  put: () => Promise.reject(new Error('Connection is closed.')),
  delete: () => Promise.reject(new Error('Connection is closed.')),
  swap: () => Promise.reject(new Error('Connection is closed.')),
  rememberedSince: () => Promise.reject(new Error('Connection is closed.')),
};

describe('replay cache in a shared store', () => {
  test('a signature accepted by one resource instance is refused as a replay by another on the same store', async () => {
    const store = new MemoryStore({ nowMs: () => 0 });
    const request = await signedPost('/x');
    await build(store).verify(request);
    expect((await rejection(build(store).verify(request))).detail.reason).toBe('replayed');
  });

  test('a store that cannot answer refuses the request with 503 temporarily_unavailable and Retry-After, and logs a warn line', async () => {
    const warnings: object[] = [];
    const err = await rejection(build(downStore, warnings).verify(await signedPost('/x')));
    expect(err.status).toBe(503);
    expect(err.code).toBe('temporarily_unavailable');
    expect(err.headers['Retry-After']).toBe('1');
    expect(err.message).toMatch(/cannot be reached/);
    expect(warnings).toEqual([expect.objectContaining({ component: 'resource', reason: 'store_unavailable', diagnostic: 'Connection is closed.' })]);
  });

  test('a request signed before the store\'s memory began is refused (it may have been accepted before a reset)', async () => {
    const nowMs = Math.floor(Date.now() / 1000) * 1000;
    const store = new MemoryStore({ nowMs: () => nowMs });
    const err = await rejection(build(store).verify(await signedPost('/x', nowMs / 1000 - 1)));
    expect({ status: err.status, code: err.code, reason: err.detail.reason }).toEqual({ status: 503, code: 'temporarily_unavailable', reason: 'store_reset' });
    await expect(build(store).verify(await signedPost('/y', nowMs / 1000))).resolves.toBeDefined();
  });

  test('a store that is not a SharedStore is a TypeError at construction', () => {
    expect(() => build({ add: () => Promise.resolve(true) } as unknown as SharedStore)).toThrow(TypeError);
  });
});
