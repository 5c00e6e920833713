/**
 * buildSignatureBase takes a fast path for plain components and the RFC 9421 engine for the rest;
 * both must give the same bytes. The engine's own output is the reference here.
 */
import * as hms from 'http-message-signatures';
import fc from 'fast-check';
import { parseDictionary, serializeInnerList, serializeItem, type InnerList } from 'structured-headers';
import { buildSignatureBase, MalformedError } from '@aauth-ts/core';

function engineBase(request: { method: string; url: URL; headers: Record<string, string> }, input: InnerList): string {
  const fields = input[0].map(([name, params]) => serializeItem(name, params));
  const lines = hms.httpbis.createSignatureBase({ fields }, request);
  lines.push(['"@signature-params"', [serializeInnerList(input)]]);
  return hms.httpbis.formatSignatureBase(lines);
}

function inner(signatureInput: string): InnerList {
  return parseDictionary(signatureInput).get('sig') as InnerList;
}

const ALL = 'sig=("@method" "@authority" "@path" "@query" "content-type" "content-digest" "signature-key" "x-multi");created=1730217600';

describe('buildSignatureBase: fast path equals the engine', () => {
  it.each([
    'https://resource.example/api/documents',
    'https://RESOURCE.example:443/api/documents?b=2&a=1',
    'http://resource.example:80/',
    'http://agent.localhost:3000/x/%7Euser?q=%20space',
    'https://[::1]:8443/p',
    'https://resource.example',
    'https://resource.example/?',
  ])('%s', (url) => {
    const request = { method: 'post', url: new URL(url), headers: { 'content-type': ' application/json ', 'content-digest': 'sha-256=:AAAA:', 'signature-key': 'sig=hwk;kty="OKP"', 'x-multi': 'a,\n  b, c' } };
    expect(buildSignatureBase(request, inner(ALL))).toBe(engineBase(request, inner(ALL)));
  });

  it('random paths, queries and header values', () => {
    const segment = fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s));
    fc.assert(fc.property(fc.array(segment, { maxLength: 4 }), fc.option(fc.string({ maxLength: 20 }), { nil: undefined }), fc.string({ maxLength: 30 }), (segments, query, value) => {
      const url = new URL(`https://resource.example/${segments.join('/')}${query === undefined ? '' : `?${encodeURIComponent(query)}`}`);
      const request = { method: 'GET', url, headers: { 'content-type': value, 'content-digest': value, 'signature-key': value, 'x-multi': value } };
      expect(buildSignatureBase(request, inner(ALL))).toBe(engineBase(request, inner(ALL)));
    }), { numRuns: 300 });
  });

  it('parameterised components go through the engine (;sf, ;key, @target-uri)', () => {
    const request = { method: 'GET', url: new URL('https://resource.example/a?b=1'), headers: { 'signature-key': 'sig=hwk;kty="OKP"', 'x-dict': 'a=1,   b=2' } };
    const input = inner('sig=("@target-uri" "x-dict";sf "x-dict";key="b" "signature-key");created=1');
    expect(buildSignatureBase(request, input)).toBe(engineBase(request, input));
    expect(buildSignatureBase(request, input)).toContain('"x-dict";sf: a=1, b=2');
  });

  it('a covered header that is absent is a MalformedError (component_missing), on either path', () => {
    const request = { method: 'GET', url: new URL('https://resource.example/'), headers: {} };
    for (const input of ['sig=("@method" "content-type");created=1', 'sig=("@method" "content-type";sf);created=1']) {
      expect(() => buildSignatureBase(request, inner(input))).toThrow(MalformedError);
      try {
        buildSignatureBase(request, inner(input));
      } catch (err) {
        expect(err).toMatchObject({ code: 'invalid_request', detail: { reason: 'component_missing' } });
      }
    }
  });
});
