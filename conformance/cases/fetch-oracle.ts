/**
 * A fetch failure tells the caller nothing about what the fetch found (contract "Remote fetches"):
 * an unauthenticated caller names an agent id, and the answer must not become a port or DNS
 * oracle. Two registered agents: nothing listens on 19108; 19109 answers 404 to everything. Both
 * refusals carry the same `error_description`, free of addresses, ports, statuses and OS errors.
 */
import http from 'node:http';
import { generateSigningKey } from '@aauth-ts/core';
import type { World } from '../support/world.js';
import { outcome } from '../support/flows.js';
import { postJson } from '../support/signed-fetch.js';

const CLOSED_PORT_AGENT = 'http://127.0.0.1:19108';
const NOT_FOUND_AGENT = 'http://127.0.0.1:19109';

export function fetchOracleCases(world: () => World): void {
  describe('remote fetch failures reveal nothing to the caller', () => {
    let notFound: http.Server;

    beforeAll(async () => {
      notFound = http.createServer((_req, res) => { res.writeHead(404, { 'content-type': 'text/plain' }).end('no such thing'); });
      await new Promise<void>((resolve) => notFound.listen(19109, '127.0.0.1', resolve));
    });

    afterAll(async () => {
      notFound.closeAllConnections();
      await new Promise<void>((resolve) => notFound.close(() => resolve()));
    });

    it('an agent id at a closed port and one whose metadata is 404 get the same 401 and the same description, with no fetch detail', async () => {
      const w = world();
      const body = { resource_token: await w.resourceToken(w.alpha, w.autonomousAgent, { scope: 'alpha:read' }) };
      const key = generateSigningKey('Ed25519', 'k1');
      const ask = (id: string) => postJson(w.metadata.token_endpoint, { key, signatureKey: { scheme: 'jwks_uri', id, kid: 'k1' } }, body);
      const [closed, missing] = [await ask(CLOSED_PORT_AGENT), await ask(NOT_FOUND_AGENT)];
      expect(outcome(closed)).toEqual({ status: 401, error: 'invalid_signature' });
      expect(outcome(missing)).toEqual({ status: 401, error: 'invalid_signature' });
      const descriptions = [closed.json.error_description, missing.json.error_description];
      expect(typeof descriptions[0]).toBe('string');
      expect(descriptions[1]).toBe(descriptions[0]);
      for (const text of descriptions as string[]) {
        expect(text).not.toMatch(/19108|19109|127\.0\.0\.1|404|HTTP|refused|ECONN|connect|resolve|bytes|\bms\b/i);
      }
    });
  });
}
