/**
 * Polling a pending request (2026-03 §Deferred Responses "Pending Response", "Polling with GET",
 * §Polling Error Codes; contract "Polling"): the shape of every poll 202, `Prefer: wait` held and
 * answered with `Preference-Applied`, `invalid_code`, and `tenant` / `domain_hint` carried to the
 * consent page. The realm sets `aauth.maxPollWait` = 5 and `aauth.maxHeldPolls` = 1.
 */
import { parseChallenge } from '@aauth-ts/core';
import type { JsonResponse, Signer } from '../support/signed-fetch.js';
import { outcome, settledWithin } from '../support/flows.js';
import type { World } from '../support/world.js';

/** conformance/realm.json `aauth.maxPollWait`. */
const REALM_MAX_POLL_WAIT = 5;

interface Pending {
  readonly first: JsonResponse;
  readonly location: string;
  readonly code: string;
  readonly signer: Signer;
}

async function pending(w: World, extra: Record<string, unknown> = {}): Promise<Pending> {
  const signer = await w.signer(w.consentAgent);
  const rt = await w.resourceToken(w.alpha, w.consentAgent, { scope: 'alpha:read' });
  const first = await w.token(w.consentAgent, { resource_token: rt, ...extra }, { signer });
  expect(first.status).toBe(202);
  return { first, location: first.headers.get('location') as string, code: String(first.json.code), signer };
}

/** Open the interaction page for `code` the way a browser's first request does (no redirects followed). */
async function openCode(w: World, code: string): Promise<number> {
  const url = new URL(w.metadata.interaction_endpoint);
  url.searchParams.set('code', code);
  const res = await fetch(url, { redirect: 'manual', headers: { accept: 'text/html' } });
  await res.arrayBuffer();
  return res.status;
}

export function pollingCases(world: () => World): void {
  describe('polling', () => {
    it('a poll before the code is opened repeats the token endpoint 202: status "pending", location, require, code', async () => {
      const w = world();
      const p = await pending(w);
      const poll = await w.poll(p.location, p.signer);
      expect(poll.status).toBe(202);
      expect(poll.json).toEqual({ status: 'pending', location: p.location, require: 'interaction', code: p.code });
      expect(poll.headers.get('location')).toBe(p.location);
      expect(poll.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(poll.headers.get('cache-control')).toContain('no-store');
      expect(parseChallenge(poll.headers.get('aauth') as string)).toEqual({ require: 'interaction', code: p.code });
    });

    it('once the code is opened a poll says status "pending" (never another status) and location, without the spent code', async () => {
      const w = world();
      const p = await pending(w);
      expect(await openCode(w, p.code)).toBeLessThan(400);
      const poll = await w.poll(p.location, p.signer);
      expect(poll.status).toBe(202);
      expect(poll.json).toEqual({ status: 'pending', location: p.location });
      expect(poll.headers.get('location')).toBe(p.location);
      expect(poll.headers.get('aauth')).toBeNull();
    });

    it('Prefer: wait=1 on a poll is honoured: Preference-Applied: wait=1, then 202 as nothing was decided', async () => {
      const w = world();
      const p = await pending(w);
      const poll = await w.poll(p.location, p.signer, { prefer: 'wait=1' });
      expect(poll.status).toBe(202);
      expect(poll.headers.get('preference-applied')).toBe('wait=1');
      expect(poll.json).toEqual({ status: 'pending', location: p.location, require: 'interaction', code: p.code });
    });

    it('Prefer: wait beyond the realm maximum is held only up to aauth.maxPollWait, and says so', async () => {
      const w = world();
      const p = await pending(w);
      const poll = await w.poll(p.location, p.signer, { prefer: 'respond-async, wait=3600' });
      expect(poll.status).toBe(202);
      expect(poll.headers.get('preference-applied')).toBe(`wait=${REALM_MAX_POLL_WAIT}`);
    });

    it('a malformed or zero wait is not applied: no Preference-Applied, an immediate 202', async () => {
      const w = world();
      const p = await pending(w);
      for (const prefer of ['wait=soon', 'wait=-1', 'wait', 'wait=0']) {
        const poll = await w.poll(p.location, p.signer, { prefer });
        expect(poll.status).toBe(202);
        expect(poll.headers.get('preference-applied')).toBeNull();
      }
    });

    it('a held poll is released by the decision: it answers 200 with the token', async () => {
      const w = world();
      const p = await pending(w);
      let held: Promise<JsonResponse> | undefined;
      await w.interact(p.code, 'approve', {
        beforeDecision: async () => {
          held = w.poll(p.location, p.signer, { prefer: `wait=${REALM_MAX_POLL_WAIT}` });
          // A server that does not hold answers this poll at once (202) and fails below.
          const early = await settledWithin(held, 300);
          expect(early).toBeUndefined();
        },
      });
      const res = await (held as Promise<JsonResponse>);
      expect(outcome(res)).toEqual({ status: 200, error: undefined });
      expect(typeof res.json.auth_token).toBe('string');
      expect(res.headers.get('preference-applied')).toBe(`wait=${REALM_MAX_POLL_WAIT}`);
    });

    it('held polls beyond aauth.maxHeldPolls are answered at once, without Preference-Applied', async () => {
      const w = world();
      const a = await pending(w);
      const b = await pending(w);
      const first = w.poll(a.location, a.signer, { prefer: 'wait=3' });
      expect(await settledWithin(first, 300)).toBeUndefined();
      const second = await w.poll(b.location, b.signer, { prefer: 'wait=3' });
      expect(second.status).toBe(202);
      expect(second.headers.get('preference-applied')).toBeNull();
      const held = await first;
      expect(held.status).toBe(202);
      expect(held.headers.get('preference-applied')).toBe('wait=3');
    });

    it('the token endpoint answers a Prefer: wait request at once with its 202 (the user needs the code first), applying no wait', async () => {
      const w = world();
      const signer = await w.signer(w.consentAgent);
      const rt = await w.resourceToken(w.alpha, w.consentAgent, { scope: 'alpha:read' });
      const res = await w.token(w.consentAgent, { resource_token: rt }, { signer, replaceHeaders: () => ({ prefer: 'wait=30' }) });
      expect(res.status).toBe(202);
      expect(res.headers.get('preference-applied')).toBeNull();
    });

    it('an interaction code opened a second time ends its request: the poll answers 410 invalid_code, then 404', async () => {
      const w = world();
      const p = await pending(w);
      expect(await openCode(w, p.code)).toBeLessThan(400);
      expect(await openCode(w, p.code)).toBe(400);
      const poll = await w.poll(p.location, p.signer);
      expect(outcome(poll)).toEqual({ status: 410, error: 'invalid_code' });
      expect((await w.poll(p.location, p.signer)).status).toBe(404);
    });

    it('tenant and domain_hint are shown on the consent page', async () => {
      const w = world();
      const p = await pending(w, { tenant: 'conformance-tenant-7', domain_hint: 'tenant7.example' });
      let consentPage = '';
      await w.interact(p.code, 'deny', {
        beforeDecision: async (html) => {
          consentPage = html;
        },
      });
      expect(consentPage).toContain('conformance-tenant-7');
      expect(consentPage).toContain('tenant7.example');
    });

    it('a tenant or domain_hint that is not a string → 400 invalid_request', async () => {
      const w = world();
      for (const extra of [{ tenant: 7 }, { domain_hint: ['a.example'] }]) {
        const rt = await w.resourceToken(w.alpha, w.consentAgent, { scope: 'alpha:read' });
        const res = await w.token(w.consentAgent, { resource_token: rt, ...extra });
        expect(outcome(res)).toEqual({ status: 400, error: 'invalid_request' });
      }
    });
  });
}
