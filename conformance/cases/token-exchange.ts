/**
 * RFC 8693 token exchange at `{issuer}/protocol/aauth/token-exchange` (contract "RFC 8693 token
 * exchange"): the actor is the agent that signs the request; the new token nests the earlier
 * actors in `act` (§4.1); `may_act` (§4.4), the token's audience and the user's `aauth.mayAct`
 * decide who may act. Subject tokens come from this server (after the user's approval) or from
 * the suite's trusted issuer, which can put `may_act` into them.
 */
import { GuardedFetcher, KeyDiscovery, verifyDelegatedToken, type ActClaim } from '@aauth-ts/core';
import { REGISTERED, decodeJwt, type World } from '../support/world.js';
import { JWT_TOKEN_TYPE, exchangeForm, outcome, userDelegated } from '../support/flows.js';
import type { Party } from '../support/parties.js';

const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/**
 * An auth token from the trusted issuer, issued for `aud` on behalf of the consent agent, naming a
 * foreign subject the realm links to a local user (by default the registered user).
 */
function trustedToken(w: World, aud: Party, options: { sub?: string; mayAct?: unknown } = {}): Promise<string> {
  return w.trustedIssuer.authToken({
    aud: aud.id,
    agent: w.consentAgent.id,
    cnfJwk: w.consentAgent.delegateKey.publicJwk,
    sub: options.sub ?? REGISTERED.foreign.user,
    scope: 'relay:use',
    ...(options.mayAct === undefined ? {} : { claims: { may_act: options.mayAct } }),
  });
}

export function tokenExchangeCases(world: () => World): void {
  describe('RFC 8693 token exchange', () => {
    it('two exchanges nest the whole chain: relay ← intermediary ← consent agent, bound to the last actor\'s key', async () => {
      const w = world();
      const approved = await userDelegated(w, w.consentAgent, w.intermediary, 'intermediary:use');
      expect(outcome(approved.final)).toEqual({ status: 200, error: undefined });

      // 1. The intermediary (the auth token's audience) exchanges it for the relay.
      const first = await w.exchange(w.intermediary, exchangeForm(approved.final.json.auth_token as string, w.relay.id));
      expect(outcome(first)).toEqual({ status: 200, error: undefined });
      expect(first.json).toEqual(expect.objectContaining({ issued_token_type: JWT_TOKEN_TYPE, token_type: 'N_A', scope: 'relay:use' }));
      expect(first.headers.get('cache-control')).toBe('no-store');
      const one = decodeJwt(first.json.access_token as string);
      expect(one.header.typ).toBe('at+jwt');
      expect(one.payload).toEqual(expect.objectContaining({
        iss: w.issuer, aud: w.relay.id, sub: REGISTERED.user.id, client_id: w.intermediary.id,
        act: { sub: w.intermediary.id, act: { sub: w.consentAgent.id } },
      }));

      // 2. The relay (the new token's audience) exchanges it for alpha, proving itself with actor_token too.
      const second = await w.exchange(w.relay, exchangeForm(first.json.access_token as string, w.alpha.id, {
        subject_token_type: ACCESS_TOKEN_TYPE, scope: 'alpha:read', actor_token: await w.relay.agentToken(), actor_token_type: JWT_TOKEN_TYPE,
      }));
      expect(outcome(second)).toEqual({ status: 200, error: undefined });
      const claims = await verifyDelegatedToken(second.json.access_token as string, {
        keys: new KeyDiscovery(new GuardedFetcher({ allowLoopback: true })), trustedIssuers: [w.issuer], audience: w.alpha.id, cnfThumbprint: w.relay.delegateKey.thumbprint,
      });
      const chain: ActClaim = { sub: w.relay.id, act: { sub: w.intermediary.id, act: { sub: w.consentAgent.id } } };
      expect(claims.act).toEqual(chain);
      expect(claims.chain).toEqual([w.relay.id, w.intermediary.id, w.consentAgent.id]);
      expect(claims).toEqual(expect.objectContaining({ sub: REGISTERED.user.id, client_id: w.relay.id, scope: 'alpha:read' }));
      // Never longer than the token it came from.
      expect(claims.exp).toBeLessThanOrEqual(one.payload.exp as number);
    });

    it('may_act names who may act: the named agent is allowed although it is not the audience', async () => {
      const w = world();
      const subject = await trustedToken(w, w.relay, { mayAct: { sub: w.intermediary.id } });
      const res = await w.exchange(w.intermediary, exchangeForm(subject, w.alpha.id));
      expect(outcome(res)).toEqual({ status: 200, error: undefined });
      expect(decodeJwt(res.json.access_token as string).payload).toEqual(expect.objectContaining({
        aud: w.alpha.id, sub: REGISTERED.user.id, scope: 'alpha:read', act: { sub: w.intermediary.id, act: { sub: w.consentAgent.id } },
      }));
    });

    it('may_act naming another agent refuses even the audience → 400 invalid_grant', async () => {
      const w = world();
      const subject = await trustedToken(w, w.relay, { mayAct: { sub: w.intermediary.id } });
      const res = await w.exchange(w.relay, exchangeForm(subject, w.alpha.id));
      expect(outcome(res)).toEqual({ status: 400, error: 'invalid_grant' });
      expect(res.json.error_description).toContain('may_act');
    });

    it('the user\'s aauth.mayAct refuses an actor it does not list → 400 invalid_grant (and allows one it lists)', async () => {
      const w = world();
      const denied = await w.exchange(w.relay, exchangeForm(await trustedToken(w, w.relay, { sub: REGISTERED.foreign.restrictedUser }), w.alpha.id));
      expect(outcome(denied)).toEqual({ status: 400, error: 'invalid_grant' });
      expect(denied.json.error_description).toContain('aauth.mayAct');
      const allowed = await w.exchange(w.intermediary, exchangeForm(await trustedToken(w, w.intermediary, { sub: REGISTERED.foreign.restrictedUser }), w.alpha.id));
      expect(outcome(allowed)).toEqual({ status: 200, error: undefined });
    });

    it('an actor that is not the subject token\'s audience (and no may_act) → 400 invalid_grant', async () => {
      const w = world();
      const subject = await trustedToken(w, w.intermediary);
      const res = await w.exchange(w.relay, exchangeForm(subject, w.alpha.id));
      expect(outcome(res)).toEqual({ status: 400, error: 'invalid_grant' });
      expect(res.json.error_description).toContain('issued to');
    });

    it('self-delegation: an actor exchanging a token whose subject is the actor itself → 400 invalid_request', async () => {
      const w = world();
      // The relay would act for the relay: nobody's authority is delegated (RFC 8693 §4.1), whatever the token's audience or may_act.
      const subject = await trustedToken(w, w.relay, { sub: w.relay.id, mayAct: { sub: w.relay.id } });
      const res = await w.exchange(w.relay, exchangeForm(subject, w.alpha.id));
      expect(outcome(res)).toEqual({ status: 400, error: 'invalid_request' });
      expect(res.json.error_description).toContain('actor itself');
    });

    it('a target that is not a resource of the realm → 400 invalid_target', async () => {
      const w = world();
      const subject = await trustedToken(w, w.relay);
      expect(outcome(await w.exchange(w.relay, exchangeForm(subject, 'http://127.0.0.1:19199')))).toEqual({ status: 400, error: 'invalid_target' });
    });

    it('another grant type → 400 unsupported_grant_type', async () => {
      const w = world();
      const res = await w.exchange(w.relay, { grant_type: 'client_credentials', scope: 'alpha:read' });
      expect(outcome(res)).toEqual({ status: 400, error: 'unsupported_grant_type' });
    });

    it('an unsigned request → 401 invalid_signature', async () => {
      const w = world();
      const subject = await trustedToken(w, w.relay);
      expect(outcome(await w.exchange(w.relay, exchangeForm(subject, w.alpha.id), { unsigned: true }))).toEqual({ status: 401, error: 'invalid_signature' });
    });
  });
}
