/**
 * How the user reaches the interaction page and where the browser goes afterwards
 * (draft-hardt-aauth §User Interaction; contract "Consent"): the code may be typed into a form
 * the endpoint shows when opened without one, and an agent may pass `callback`, which gets a `303`
 * once the user decides, but only on the agent's own origin (or loopback), so the endpoint is
 * no open redirect.
 */
import { attemptInteraction, parseForms } from '../support/consent-driver.js';
import { REGISTERED, type World } from '../support/world.js';
import { outcome, pollUntilDone } from '../support/flows.js';

async function pendingSelfAccess(w: World): Promise<{ code: string; location: string; signer: Awaited<ReturnType<World['signer']>> }> {
  const signer = await w.signer(w.consentAgent);
  const first = await w.token(w.consentAgent, { scope: 'consent-agent:self' }, { signer });
  expect(first.status).toBe(202);
  return { code: String(first.json.code), location: first.headers.get('location') as string, signer };
}

export function interactionEntryCases(world: () => World): void {
  describe('interaction entry and callback', () => {
    it('manual code entry form leads to consent', async () => {
      const w = world();
      const { code, location, signer } = await pendingSelfAccess(w);
      const result = await attemptInteraction(w.metadata.interaction_endpoint, code, REGISTERED.user, 'approve', { manualEntry: true });
      expect(result.decided).toBe(true);
      const final = await pollUntilDone(w, location, signer);
      expect(outcome(final)).toEqual({ status: 200, error: undefined });
    });

    it('an unknown interaction code typed into the form gets a 4xx page, not a login', async () => {
      const w = world();
      const result = await attemptInteraction(w.metadata.interaction_endpoint, 'ZZZZ0000', REGISTERED.user, 'approve', { manualEntry: true });
      expect(result.decided).toBe(false);
      expect(result.page.status).toBeGreaterThanOrEqual(400);
      expect(result.page.status).toBeLessThan(500);
      expect(parseForms(result.page.html, result.page.url).some((f) => f.hasPassword)).toBe(false);
    });

    it('callback on the agent\'s origin gets a 303 after approval', async () => {
      const w = world();
      const { code, location, signer } = await pendingSelfAccess(w);
      const callback = `${w.consentAgent.id}/callback?state=s-${code}`;
      const result = await attemptInteraction(w.metadata.interaction_endpoint, code, REGISTERED.user, 'approve', { callback });
      expect(result.decided).toBe(true);
      expect(result.page.status).toBe(303);
      expect(result.page.callback).toBe(callback);
      const final = await pollUntilDone(w, location, signer);
      expect(outcome(final)).toEqual({ status: 200, error: undefined });
    });

    it('callback on another origin is refused with a 400 page before login, and the code still works', async () => {
      const w = world();
      const { code, location, signer } = await pendingSelfAccess(w);
      const refused = await attemptInteraction(w.metadata.interaction_endpoint, code, REGISTERED.user, 'approve', { callback: 'https://elsewhere.example/callback' });
      expect(refused.decided).toBe(false);
      expect(refused.page.status).toBe(400);
      expect(refused.page.callback).toBeUndefined();
      expect(parseForms(refused.page.html, refused.page.url).some((f) => f.hasPassword)).toBe(false);

      const retried = await attemptInteraction(w.metadata.interaction_endpoint, code, REGISTERED.user, 'approve');
      expect(retried.decided).toBe(true);
      const final = await pollUntilDone(w, location, signer);
      expect(outcome(final)).toEqual({ status: 200, error: undefined });
    });
  });
}
