/**
 * Whatever a token endpoint or pending URL answers, `processTokenResponse()` returns a typed
 * result or throws an `AAuthError` — never a bare `Error`, never a hang. Bounded runs.
 */
import fc from 'fast-check';
import { AAuthError } from '@aauth-ts/core';
import { processTokenResponse } from '@aauth-ts/agent';

const statuses = fc.oneof(fc.constantFrom(200, 202, 400, 401, 403, 404, 408, 500, 503), fc.integer({ min: 200, max: 599 }).filter((s) => ![204, 205, 304].includes(s)));
const bodies = fc.oneof(
  fc.string(),
  fc.json(),
  fc.record({ auth_token: fc.oneof(fc.string(), fc.integer(), fc.constant(null)), expires_in: fc.oneof(fc.integer(), fc.string(), fc.double()) }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
  fc.record({ error: fc.oneof(fc.string(), fc.integer()), error_description: fc.oneof(fc.string(), fc.constant(null)) }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
);
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
const headers = fc.record({
  'content-type': fc.oneof(fc.constant('application/json'), fc.constant('text/html'), headerValue),
  location: headerValue,
  'retry-after': headerValue,
  aauth: fc.oneof(fc.constant('require=interaction; code="AB12CD34"'), fc.constant('require=approval'), headerValue),
}, { requiredKeys: [] });

it('always a TokenResult or an AAuthError', async () => {
  await fc.assert(
    fc.asyncProperty(statuses, bodies, headers, async (status, body, hdrs) => {
      const response = new Response(body, { status, headers: hdrs });
      try {
        const result = await processTokenResponse(response, { base: 'https://as.example/token' });
        expect(['token', 'pending']).toContain(result.kind);
        if (result.kind === 'token') expect(typeof result.authToken).toBe('string');
        else expect(() => new URL(result.location)).not.toThrow();
      } catch (err) {
        expect(err).toBeInstanceOf(AAuthError);
      }
    }),
    { numRuns: 300, interruptAfterTimeLimit: 10_000 },
  );
});
