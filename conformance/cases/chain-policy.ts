/**
 * The realm's default chain policy (contract "Chain policy"): `aauth.maxChainDepth` bounds the
 * actors of a chain and `aauth.chainActors` names the only agents that may appear in one, at the
 * token-exchange endpoint (the new `act` chain) and at the token endpoint for call chaining (the
 * requester, then the upstream token's agent). A refusal is 403 `access_denied` naming the
 * setting. The suite's realm sets a depth of 3 and lists its own agents plus two outside
 * identifiers that appear in the `act` of the trusted issuer's delegated tokens.
 */
import { createDelegatedToken, type ActClaim } from '@aauth-ts/core';
import { REGISTERED, decodeJwt, type World } from '../support/world.js';
import { exchangeForm, outcome } from '../support/flows.js';

const LISTED = ['https://first-agent.example', 'https://origin-agent.example'] as const;
const UNLISTED = 'https://unlisted-agent.example';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** A delegated token (`at+jwt`) of the trusted issuer for the relay, whose chain is `act` (the relay is not in it yet). */
function delegatedToRelay(w: World, act: ActClaim): Promise<string> {
  return createDelegatedToken(w.trustedIssuer.serverKey, {
    iss: w.trustedIssuer.id, aud: w.relay.id, sub: REGISTERED.foreign.user, act, cnfJwk: w.consentAgent.delegateKey.publicJwk, scope: 'relay:use', lifetimeSeconds: 300,
  });
}

function exchangeAtRelay(w: World, subject: string): ReturnType<World['exchange']> {
  return w.exchange(w.relay, exchangeForm(subject, w.alpha.id, { subject_token_type: ACCESS_TOKEN_TYPE }));
}

export function chainPolicyCases(world: () => World): void {
  describe('chain policy: the realm default (aauth.maxChainDepth, aauth.chainActors)', () => {
    it('token exchange building a chain of exactly aauth.maxChainDepth (3) actors is granted', async () => {
      const w = world();
      const res = await exchangeAtRelay(w, await delegatedToRelay(w, { sub: w.consentAgent.id, act: { sub: LISTED[0] } }));
      expect(outcome(res)).toEqual({ status: 200, error: undefined });
      expect(decodeJwt(res.json.access_token as string).payload.act).toEqual({ sub: w.relay.id, act: { sub: w.consentAgent.id, act: { sub: LISTED[0] } } });
    });

    it('token exchange over a one-actor chain (act with no nested act) is granted and nests it under the new actor', async () => {
      const w = world();
      const res = await exchangeAtRelay(w, await delegatedToRelay(w, { sub: w.consentAgent.id }));
      expect(outcome(res)).toEqual({ status: 200, error: undefined });
      expect(decodeJwt(res.json.access_token as string).payload.act).toEqual({ sub: w.relay.id, act: { sub: w.consentAgent.id } });
    });

    it('token exchange over a one-actor chain whose actor is outside aauth.chainActors → 403 access_denied naming it', async () => {
      const w = world();
      const res = await exchangeAtRelay(w, await delegatedToRelay(w, { sub: UNLISTED }));
      expect(outcome(res)).toEqual({ status: 403, error: 'access_denied' });
      expect(res.json.error_description).toContain('aauth.chainActors');
      expect(res.json.error_description).toContain(UNLISTED);
    });

    it('token exchange building a chain longer than aauth.maxChainDepth → 403 access_denied', async () => {
      const w = world();
      const res = await exchangeAtRelay(w, await delegatedToRelay(w, { sub: w.consentAgent.id, act: { sub: LISTED[0], act: { sub: LISTED[1] } } }));
      expect(outcome(res)).toEqual({ status: 403, error: 'access_denied' });
      expect(res.json.error_description).toContain('aauth.maxChainDepth');
    });

    it('token exchange over a chain naming an agent outside aauth.chainActors → 403 access_denied', async () => {
      const w = world();
      const res = await exchangeAtRelay(w, await delegatedToRelay(w, { sub: w.consentAgent.id, act: { sub: UNLISTED } }));
      expect(outcome(res)).toEqual({ status: 403, error: 'access_denied' });
      expect(res.json.error_description).toContain('aauth.chainActors');
      expect(res.json.error_description).toContain(UNLISTED);
    });

    it('call chaining from an upstream agent outside aauth.chainActors → 403 access_denied', async () => {
      const w = world();
      const upstream = await w.trustedIssuer.authToken({
        aud: w.intermediary.id, agent: UNLISTED, cnfJwk: w.consentAgent.delegateKey.publicJwk, sub: REGISTERED.foreign.user, scope: 'intermediary:use',
      });
      const rt = await w.resourceToken(w.alpha, w.intermediary, { scope: 'alpha:read' });
      const res = await w.token(w.intermediary, { resource_token: rt, upstream_token: upstream });
      expect(outcome(res)).toEqual({ status: 403, error: 'access_denied' });
      expect(res.json.error_description).toContain('aauth.chainActors');
    });
  });
}
