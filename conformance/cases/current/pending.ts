/**
 * draft-hardt-oauth-aauth-protocol §Deferred Responses, §Polling Error Codes, §Agent Response to
 * Clarification, §Cancel Request, §Interaction Code Format (single use, hyphens and case ignored).
 */
import { deferred, refusal } from '../../support/current/flows.js';
import { settledWithin } from '../../support/flows.js';
import type { JsonResponse } from '../../support/signed-fetch.js';
import type { CurrentWorld } from '../../support/current/world.js';

export function psPendingCases(world: () => CurrentWorld): void {
  describe('Person Server pending URLs', () => {
    it('a poll before the person decides is 202 with Location, Retry-After and status pending', async () => {
      const w = world();
      const agent = w.provider.agent();
      const { location } = deferred(await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id }));
      const poll = await w.poll(location, agent);
      expect(poll.status).toBe(202);
      expect(poll.headers.get('location')).toBe(location);
      expect(poll.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(['pending', 'interacting']).toContain(poll.json.status);
    });

    it('only the key that made the request may poll it → 403 access_denied', async () => {
      const w = world();
      const agent = w.provider.agent();
      const { location } = deferred(await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id }));
      expect(refusal(await w.poll(location, w.provider.agent()))).toEqual({ status: 403, error: 'access_denied' });
    });

    it('after the terminal answer the pending URL is 410 Gone', async () => {
      const w = world();
      const agent = w.provider.agent();
      const pending = deferred(await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id }));
      expect((await w.interact(pending.code, 'approve')).decided).toBe(true);
      expect((await w.poll(pending.location, agent)).status).toBe(200);
      expect((await w.poll(pending.location, agent)).status).toBe(410);
    });

    it('DELETE withdraws the request (2xx); the URL then answers 410 and the code no longer opens', async () => {
      const w = world();
      const agent = w.provider.agent();
      const pending = deferred(await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id }));
      const gone = await w.cancel(pending.location, agent);
      expect(gone.status).toBeGreaterThanOrEqual(200);
      expect(gone.status).toBeLessThan(300);
      expect((await w.poll(pending.location, agent)).status).toBe(410);
      expect((await w.interact(pending.code, 'approve')).decided).toBe(false);
    });

    it('POST without an "action", or with one this request does not expect → 400 invalid_request', async () => {
      const w = world();
      const agent = w.provider.agent();
      const { location } = deferred(await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id }));
      expect(refusal(await w.post(location, agent, {}))).toEqual({ status: 400, error: 'invalid_request' });
      expect(refusal(await w.post(location, agent, { action: 'dance' }))).toEqual({ status: 400, error: 'invalid_request' });
      expect(refusal(await w.post(location, agent, { action: 'clarification_response', clarification_response: 'unasked' }))).toEqual({ status: 400, error: 'invalid_request' });
    });

    it('the code works typed in lower case with a grouping hyphen', async () => {
      const w = world();
      const agent = w.provider.agent();
      const pending = deferred(await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id }));
      const typed = `${pending.code.slice(0, 4)}-${pending.code.slice(4)}`.toLowerCase();
      expect((await w.interact(typed, 'approve')).decided).toBe(true);
      expect((await w.poll(pending.location, agent)).status).toBe(200);
    });

    it('a callback on the agent provider\'s origin passed with the code gets a 303 to it after the person decides (§Interaction Endpoint)', async () => {
      const w = world();
      const agent = w.provider.agent();
      const pending = deferred(await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id }));
      const callback = `${w.provider.id}/callback?state=s-${pending.code}`;
      const result = await w.interact(pending.code, 'approve', { callback });
      expect(result.decided).toBe(true);
      expect(result.page.status).toBe(303);
      expect(result.page.callback).toBe(callback);
      expect((await w.poll(pending.location, agent)).status).toBe(200);
    });

    it('a callback on another origin is refused with a 400 page before login, and the code still works', async () => {
      const w = world();
      const agent = w.provider.agent();
      const pending = deferred(await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id }));
      const refused = await w.interact(pending.code, 'approve', { callback: 'https://elsewhere.example/callback' });
      expect(refused.decided).toBe(false);
      expect(refused.page.status).toBe(400);
      expect(refused.page.callback).toBeUndefined();
      expect((await w.interact(pending.code, 'approve')).decided).toBe(true);
      expect((await w.poll(pending.location, agent)).status).toBe(200);
    });

    it('Prefer: wait on an undecided request is honoured: 202 with Preference-Applied, capped at aauth.maxPollWait (RFC 7240 §4.3)', async () => {
      const w = world();
      const agent = w.provider.agent();
      const { location } = deferred(await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id }));
      const poll = await w.poll(location, agent, { prefer: 'wait=1' });
      expect(poll.status).toBe(202);
      expect(poll.headers.get('preference-applied')).toBe('wait=1');
      const capped = await w.poll(location, agent, { prefer: 'respond-async, wait=3600' });
      expect(capped.status).toBe(202);
      expect(capped.headers.get('preference-applied')).toBe('wait=5');
    });

    it('a poll held with Prefer: wait is released by the person\'s decision: 200 with the token', async () => {
      const w = world();
      const agent = w.provider.agent();
      const pending = deferred(await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id }));
      let held: Promise<JsonResponse> | undefined;
      const result = await w.interact(pending.code, 'approve', {
        beforeDecision: async () => {
          held = w.poll(pending.location, agent, { prefer: 'wait=5' });
          // A server that does not hold answers this poll at once (202) and fails here.
          expect(await settledWithin(held, 300)).toBeUndefined();
        },
      });
      expect(result.decided).toBe(true);
      const res = await (held as Promise<JsonResponse>);
      expect(res.status).toBe(200);
      expect(typeof res.json.person_token).toBe('string');
      expect(res.headers.get('preference-applied')).toBe('wait=5');
    });

    it('a code opened a second time ends its request: the poll answers 410 invalid_code', async () => {
      const w = world();
      const agent = w.provider.agent();
      const pending = deferred(await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id }));
      const page = `${w.metadata.interaction_endpoint}?code=${encodeURIComponent(pending.code)}`;
      await (await fetch(page)).text();
      await (await fetch(page)).text();
      expect(refusal(await w.poll(pending.location, agent))).toEqual({ status: 410, error: 'invalid_code' });
    });
  });
}
