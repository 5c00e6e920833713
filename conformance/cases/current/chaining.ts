/**
 * draft-hardt-oauth-aauth-protocol §Call Chaining, §Upstream Token Verification, §Directed
 * Identifiers Across a Chain, §Person Token Endpoint (`upstream_token`), §PS Token Endpoint (mode
 * "Call chaining"), §Interaction Chaining with §User Interaction / §Interaction Callback Errors
 * (docs/person-server-contract.md "Call chaining").
 *
 * The story: an agent bound to the person holds an auth token for the intermediary (`aud` = the
 * intermediary, which is also its own agent provider); the intermediary, signing as its own agent,
 * presents that token as `upstream_token` to get a person token and then an auth token for resource
 * one, for the same person, under a `sub` directed to resource one.
 */
import { asIntermediary, decide, deferred, personToken, refusal, requirementOf, resourceTokenFor, upstreamToken, type IssuedPersonToken } from '../../support/current/flows.js';
import { signJwt, ed25519Key, nowSeconds } from '../../support/current/parties.js';
import { decode, thumbprint, type CurrentWorld } from '../../support/current/world.js';

type Jwk = { kty: string; crv: string; x: string; alg: string };

/** A base64url SHA-256 shape that names no mission. */
const NO_MISSION = 'A'.repeat(43);

/** The intermediary's chained person token for resource one, and resource one's resource token on it for `scope`. */
async function chainedHop(w: CurrentWorld, upstream: string, scope: string): Promise<{ person: IssuedPersonToken; resourceToken: string }> {
  const { agent: r, signer } = asIntermediary(w);
  const res = await w.post(w.metadata.person_token_endpoint, r, { resource: w.r1.id, upstream_token: upstream }, { signer });
  if (res.status !== 200) throw new Error(`chained person token: HTTP ${res.status} ${JSON.stringify(res.json)}`);
  const token = res.json.person_token as string;
  const payload = decode(token).payload;
  const person = { token, jti: payload.jti as string, sub: payload.sub as string, payload };
  return { person, resourceToken: resourceTokenFor(w, w.r1, r, person, scope) };
}

export function chainingCases(world: () => CurrentWorld): void {
  describe('call chaining (upstream_token)', () => {
    it('chained person token: for the upstream person, sub directed to the downstream resource (not the upstream sub), cnf = the intermediary\'s key', async () => {
      const w = world();
      const agent = w.provider.agent();
      const upstream = await upstreamToken(w, agent);
      const own = await personToken(w, agent, w.r1);
      const { agent: r, signer } = asIntermediary(w);
      const res = await w.post(w.metadata.person_token_endpoint, r, { resource: w.r1.id, upstream_token: upstream.token }, { signer });
      expect(res.status).toBe(200);
      const { payload } = await w.verifyIssued(res.json.person_token as string, 'aa-person+jwt');
      expect(payload).toEqual(expect.objectContaining({ iss: w.issuer, aud: w.r1.id, sub: own.sub }));
      expect(payload.sub).not.toBe(upstream.payload.sub);
      expect(thumbprint((payload.cnf as { jwk: Jwk }).jwk)).toBe(thumbprint(r.key.publicJwk));
      expect(payload).not.toHaveProperty('mission_s256');
    });

    it('chained auth token: aud = the downstream resource, sub = the chained person token\'s, cnf = the intermediary\'s key; the upstream mission_s256 is carried through both tokens', async () => {
      const w = world();
      const agent = w.provider.agent();
      const proposal = await w.post(w.metadata.mission_endpoint, agent, { description: '# Plan the supply order', resources: [w.intermediary.id] });
      const approved = await decide(w, agent, deferred(proposal));
      expect(approved.status).toBe(200);
      const missionPerson = (approved.json.person_tokens as Record<string, string>)[w.intermediary.id] as string;
      const p = decode(missionPerson).payload;
      const upstream = await upstreamToken(w, agent, { person: { token: missionPerson, jti: p.jti as string, sub: p.sub as string, payload: p } });
      const mission = upstream.payload.mission_s256;
      expect(typeof mission).toBe('string');
      const { agent: r, signer } = asIntermediary(w);
      const chained = await w.post(w.metadata.person_token_endpoint, r, { resource: w.r1.id, upstream_token: upstream.token }, { signer });
      expect(chained.status).toBe(200);
      const person = decode(chained.json.person_token as string).payload;
      expect(person.mission_s256).toBe(mission);
      const rt = resourceTokenFor(w, w.r1, r, { token: chained.json.person_token as string, jti: person.jti as string, sub: person.sub as string, payload: person }, 'r1:read');
      const res = await w.post(w.metadata.auth_token_endpoint, r, { resource_token: rt, upstream_token: upstream.token }, { signer });
      expect(res.status).toBe(200);
      const { payload } = await w.verifyIssued(res.json.auth_token as string, 'aa-auth+jwt');
      expect(payload).toEqual(expect.objectContaining({ iss: w.issuer, ps: w.issuer, aud: w.r1.id, sub: person.sub, scope: 'r1:read', mission_s256: mission }));
      expect(payload.sub).not.toBe(upstream.payload.sub);
      expect(thumbprint((payload.cnf as { jwk: Jwk }).jwk)).toBe(thumbprint(r.key.publicJwk));
    });

    it('an upstream token whose aud is not the iss of the signer\'s agent token → 400 invalid_request', async () => {
      const w = world();
      const agent = w.provider.agent();
      const person = await personToken(w, agent, w.r1);
      const forR1 = await w.post(w.metadata.auth_token_endpoint, agent, { resource_token: resourceTokenFor(w, w.r1, agent, person, 'r1:read') });
      expect(forR1.status).toBe(200);
      const { agent: r, signer } = asIntermediary(w);
      const res = await w.post(w.metadata.person_token_endpoint, r, { resource: w.r2.id, upstream_token: forR1.json.auth_token }, { signer });
      expect(refusal(res)).toEqual({ status: 400, error: 'invalid_request' });
    });

    it('the original agent presenting its own upstream token (its agent token\'s iss is not the aud) → 400 invalid_request', async () => {
      const w = world();
      const agent = w.provider.agent();
      const upstream = await upstreamToken(w, agent);
      const res = await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id, upstream_token: upstream.token });
      expect(refusal(res)).toEqual({ status: 400, error: 'invalid_request' });
    });

    it('an upstream token from another issuer → 400 invalid_request', async () => {
      const w = world();
      const iat = nowSeconds();
      const foreign = signJwt(ed25519Key('foreign-1'), 'aa-auth+jwt', {
        iss: w.otherRealmIssuer, dwk: 'aauth-person.json', aud: w.intermediary.id, ps: w.otherRealmIssuer, sub: 'someone', jti: `j-${iat}`,
        cnf: { jwk: w.provider.agent().key.publicJwk }, iat, exp: iat + 300,
      });
      const { agent: r, signer } = asIntermediary(w);
      expect(refusal(await w.post(w.metadata.person_token_endpoint, r, { resource: w.r1.id, upstream_token: foreign }, { signer }))).toEqual({ status: 400, error: 'invalid_request' });
    });

    it('an upstream token with a bad signature (payload altered after signing) → 400 invalid_request, at both endpoints', async () => {
      const w = world();
      const agent = w.provider.agent();
      const upstream = await upstreamToken(w, agent);
      const [h, , s] = upstream.token.split('.');
      const altered = `${h}.${Buffer.from(JSON.stringify({ ...upstream.payload, exp: (upstream.payload.exp as number) + 60 })).toString('base64url')}.${s}`;
      const { agent: r, signer } = asIntermediary(w);
      expect(refusal(await w.post(w.metadata.person_token_endpoint, r, { resource: w.r1.id, upstream_token: altered }, { signer }))).toEqual({ status: 400, error: 'invalid_request' });
      const { resourceToken } = await chainedHop(w, upstream.token, 'r1:read');
      expect(refusal(await w.post(w.metadata.auth_token_endpoint, r, { resource_token: resourceToken, upstream_token: altered }, { signer }))).toEqual({ status: 400, error: 'invalid_request' });
    });

    it('"upstream_token" that is not a string JWT → 400 invalid_request', async () => {
      const w = world();
      const { agent: r, signer } = asIntermediary(w);
      expect(refusal(await w.post(w.metadata.person_token_endpoint, r, { resource: w.r1.id, upstream_token: 42 }, { signer }))).toEqual({ status: 400, error: 'invalid_request' });
      expect(refusal(await w.post(w.metadata.person_token_endpoint, r, { resource: w.r1.id, upstream_token: 'not-a-jwt' }, { signer }))).toEqual({ status: 400, error: 'invalid_request' });
    });

    it('a body mission_s256 other than the upstream token\'s → 400 invalid_request', async () => {
      const w = world();
      const agent = w.provider.agent();
      const upstream = await upstreamToken(w, agent);
      const { agent: r, signer } = asIntermediary(w);
      const res = await w.post(w.metadata.person_token_endpoint, r, { resource: w.r1.id, upstream_token: upstream.token, mission_s256: NO_MISSION }, { signer });
      expect(refusal(res)).toEqual({ status: 400, error: 'invalid_request' });
    });

    it('a sub-agent may not call with upstream_token → 400 invalid_agent_token', async () => {
      const w = world();
      const agent = w.provider.agent();
      const upstream = await upstreamToken(w, agent);
      const sub = w.intermediary.subAgent();
      const res = await w.post(w.metadata.person_token_endpoint, sub, { resource: w.r1.id, upstream_token: upstream.token }, { signer: w.signer(sub, { token: w.intermediary.agentToken(sub) }) });
      expect(refusal(res)).toEqual({ status: 400, error: 'invalid_agent_token' });
    });

    it('a chained person token is for chaining: its resource token without upstream_token → 400 invalid_request', async () => {
      const w = world();
      const agent = w.provider.agent();
      const upstream = await upstreamToken(w, agent);
      const { signer, agent: r } = asIntermediary(w);
      const { resourceToken } = await chainedHop(w, upstream.token, 'r1:read');
      expect(refusal(await w.post(w.metadata.auth_token_endpoint, r, { resource_token: resourceToken }, { signer }))).toEqual({ status: 400, error: 'invalid_request' });
    });

    it('a chained hop needing consent (a scope in aauth.consentScopes) answers 202; the upstream person approves and is sent to the intermediary\'s callback; the poll yields the token', async () => {
      const w = world();
      const agent = w.provider.agent();
      const upstream = await upstreamToken(w, agent);
      const { agent: r, signer } = asIntermediary(w);
      const { person, resourceToken } = await chainedHop(w, upstream.token, 'r1:write');
      const res = await w.post(w.metadata.auth_token_endpoint, r, { resource_token: resourceToken, upstream_token: upstream.token }, { signer });
      expect(res.status).toBe(202);
      expect(requirementOf(res).requirement).toBe('interaction');
      const pending = deferred(res);
      const callback = `${w.intermediary.id}/chain/callback?flow=f-${pending.code}`;
      let csp: string | undefined;
      const result = await w.interact(pending.code, 'approve', { callback, beforeDecision: async (_html, page) => { csp = page.csp; } });
      expect(result.decided).toBe(true);
      expect(result.page.callback).toBe(callback);
      // A browser applies form-action to the redirect after the submission: the callback's origin is named beside 'self'.
      const formAction = /(?:^|;)\s*form-action ([^;]*)/.exec(csp ?? '')?.[1]?.trim().split(/\s+/);
      expect(formAction).toEqual(expect.arrayContaining(["'self'", new URL(w.intermediary.id).origin]));
      const final = await w.poll(pending.location, r, { signer });
      expect(final.status).toBe(200);
      expect(decode(final.json.auth_token as string).payload).toEqual(expect.objectContaining({ aud: w.r1.id, sub: person.sub, scope: 'r1:write' }));
    });

    it('denied at the interaction page: the callback gets error=access_denied (§Interaction Callback Errors), the poll 403 denied', async () => {
      const w = world();
      const agent = w.provider.agent();
      const upstream = await upstreamToken(w, agent);
      const { agent: r, signer } = asIntermediary(w);
      const { resourceToken } = await chainedHop(w, upstream.token, 'r1:write');
      const pending = deferred(await w.post(w.metadata.auth_token_endpoint, r, { resource_token: resourceToken, upstream_token: upstream.token }, { signer }));
      const callback = `${w.intermediary.id}/chain/callback?flow=f-${pending.code}`;
      const result = await w.interact(pending.code, 'deny', { callback });
      expect(result.decided).toBe(true);
      const back = new URL(result.page.callback as string);
      expect(`${back.origin}${back.pathname}`).toBe(`${w.intermediary.id}/chain/callback`);
      expect(back.searchParams.get('flow')).toBe(`f-${pending.code}`);
      expect(back.searchParams.get('error')).toBe('access_denied');
      expect(refusal(await w.poll(pending.location, r, { signer }))).toEqual({ status: 403, error: 'denied' });
    });
  });
}
