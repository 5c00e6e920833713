import fc from 'fast-check';
import { parseTokenRequest } from '@aauth-ts/auth-server';
import { MalformedError } from '@aauth-ts/core';

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const JSON_TYPE = 'application/json';

describe('parseTokenRequest', () => {
  it.each([
    [{ resource_token: 'r' }, 'resource'],
    [{ resource_token: 'r', upstream_token: 'u' }, 'chain'],
    [{ scope: 'a b' }, 'self'],
    [{ auth_token: 'a' }, 'refresh'],
    [{ resource_token: 'r', scope: 'ignored', purpose: 'why', login_hint: 'alice' }, 'resource'],
  ])('%j is mode %s', (body, mode) => {
    expect(parseTokenRequest(JSON_TYPE, enc(JSON.stringify(body))).mode).toBe(mode);
  });

  it('reads form-encoded bodies', () => {
    expect(parseTokenRequest('application/x-www-form-urlencoded; charset=utf-8', enc('resource_token=r&purpose=a+b'))).toEqual({ mode: 'resource', resource_token: 'r', purpose: 'a b' });
  });

  it.each([
    ['no body', JSON_TYPE, ''],
    ['not JSON', JSON_TYPE, '{"a":'],
    ['a JSON array', JSON_TYPE, '[]'],
    ['a non-string member', JSON_TYPE, '{"resource_token":1}'],
    ['an empty member', JSON_TYPE, '{"resource_token":""}'],
    ['no mode', JSON_TYPE, '{"purpose":"x"}'],
    ['upstream without resource token', JSON_TYPE, '{"upstream_token":"u"}'],
    ['refresh mixed with resource token', JSON_TYPE, '{"auth_token":"a","resource_token":"r"}'],
    ['refresh naming a scope (refresh never changes the grant)', JSON_TYPE, '{"auth_token":"a","scope":"s"}'],
    ['an unsupported media type', 'text/plain', 'resource_token=r'],
    ['a repeated form parameter', 'application/x-www-form-urlencoded', 'resource_token=a&resource_token=b'],
    ['an over-long purpose', JSON_TYPE, JSON.stringify({ scope: 's', purpose: 'x'.repeat(2000) })],
  ])('refuses %s with invalid_request', (_name, type, body) => {
    expect(() => parseTokenRequest(type, enc(body))).toThrow(MalformedError);
  });

  it('refuses invalid UTF-8', () => {
    expect(() => parseTokenRequest(JSON_TYPE, new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow(MalformedError);
  });

  it('never throws anything but MalformedError on arbitrary bytes (bounded property test)', () => {
    fc.assert(
      fc.property(fc.constantFrom(JSON_TYPE, 'application/x-www-form-urlencoded', undefined), fc.uint8Array({ maxLength: 200 }), (type, bytes) => {
        try {
          parseTokenRequest(type, bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(MalformedError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
