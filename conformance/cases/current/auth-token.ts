/**
 * draft-hardt-oauth-aauth-protocol §PS Token Endpoint (three-party), §Resource Token Verification
 * (steps 1–7, `unknown_person_token`, mission stripping), §Auth Token Structure; realm policy as the
 * 2026-03 token endpoint (docs/person-server-contract.md "Auth token endpoint").
 */
import { decide, deferred, personToken, refusal, resourceTokenFor } from '../../support/current/flows.js';
import { decode, thumbprint, type CurrentWorld } from '../../support/current/world.js';

export function authTokenCases(world: () => CurrentWorld): void {
  describe('auth token (three-party)', () => {
    it('a resource token naming our person token yields an aa-auth+jwt: aud = resource, sub = the person token sub, ps = iss, cnf = the agent key, scope', async () => {
      const w = world();
      const agent = w.provider.agent();
      const person = await personToken(w, agent, w.r1);
      const rt = resourceTokenFor(w, w.r1, agent, person, 'r1:read');
      const res = await w.post(w.metadata.auth_token_endpoint, agent, { resource_token: rt });
      expect(res.status).toBe(200);
      expect(typeof res.json.expires_in).toBe('number');
      const { payload } = await w.verifyIssued(res.json.auth_token as string, 'aa-auth+jwt');
      expect(payload).toEqual(expect.objectContaining({ iss: w.issuer, dwk: 'aauth-person.json', aud: w.r1.id, ps: w.issuer, sub: person.sub, scope: 'r1:read' }));
      expect(thumbprint((payload.cnf as { jwk: typeof agent.key.publicJwk }).jwk)).toBe(thumbprint(agent.key.publicJwk));
      expect((payload.exp as number) - (payload.iat as number)).toBeLessThanOrEqual(3600);
      expect(payload).not.toHaveProperty('agent');
      expect(payload).not.toHaveProperty('act');
    });

    it('a scope in aauth.consentScopes asks the bound person (202), then the poll returns the token', async () => {
      const w = world();
      const agent = w.provider.agent();
      const person = await personToken(w, agent, w.r1);
      const res = await w.post(w.metadata.auth_token_endpoint, agent, { resource_token: resourceTokenFor(w, w.r1, agent, person, 'r1:write'), justification: 'update the weekly report' });
      const final = await decide(w, agent, deferred(res));
      expect(final.status).toBe(200);
      expect(decode(final.json.auth_token as string).payload).toEqual(expect.objectContaining({ sub: person.sub, scope: 'r1:write' }));
    });

    it('"presented_jti" naming no person token of this PS → 400 unknown_person_token', async () => {
      const w = world();
      const agent = w.provider.agent();
      const person = await personToken(w, agent, w.r1);
      const rt = resourceTokenFor(w, w.r1, agent, person, 'r1:read', { presented_jti: 'not-a-person-token-of-this-ps' });
      expect(refusal(await w.post(w.metadata.auth_token_endpoint, agent, { resource_token: rt }))).toEqual({ status: 400, error: 'unknown_person_token' });
    });

    it('mission stripping: the person token carried mission_s256, the resource token leaves it out → 400 invalid_resource_token', async () => {
      const w = world();
      const agent = w.provider.agent();
      const proposal = await w.post(w.metadata.mission_endpoint, agent, { description: '# Read reports', resources: [w.r1.id] });
      const approved = await decide(w, agent, deferred(proposal));
      const token = (approved.json.person_tokens as Record<string, string>)[w.r1.id] as string;
      const person = { token, jti: decode(token).payload.jti as string, sub: decode(token).payload.sub as string, payload: decode(token).payload };
      const stripped = resourceTokenFor(w, w.r1, agent, person, 'r1:read', { mission_s256: undefined });
      expect(refusal(await w.post(w.metadata.auth_token_endpoint, agent, { resource_token: stripped }))).toEqual({ status: 400, error: 'invalid_resource_token' });
    });

    it('a "sub" other than the person token\'s → 400 invalid_resource_token', async () => {
      const w = world();
      const agent = w.provider.agent();
      const person = await personToken(w, agent, w.r1);
      const rt = resourceTokenFor(w, w.r1, agent, person, 'r1:read', { sub: 'someone-else' });
      expect(refusal(await w.post(w.metadata.auth_token_endpoint, agent, { resource_token: rt }))).toEqual({ status: 400, error: 'invalid_resource_token' });
    });

    it('"agent_jkt" that is not the signing key\'s thumbprint → 400 invalid_resource_token', async () => {
      const w = world();
      const agent = w.provider.agent();
      const person = await personToken(w, agent, w.r1);
      const rt = resourceTokenFor(w, w.r1, agent, person, 'r1:read', { agent_jkt: thumbprint(w.provider.agent().key.publicJwk) });
      expect(refusal(await w.post(w.metadata.auth_token_endpoint, agent, { resource_token: rt }))).toEqual({ status: 400, error: 'invalid_resource_token' });
    });

    it('another agent presenting a resource token built on this agent\'s person token → 400 invalid_resource_token', async () => {
      const w = world();
      const agent = w.provider.agent();
      const thief = w.provider.agent();
      const person = await personToken(w, agent, w.r1);
      const rt = resourceTokenFor(w, w.r1, thief, person, 'r1:read');
      expect(refusal(await w.post(w.metadata.auth_token_endpoint, thief, { resource_token: rt }))).toEqual({ status: 400, error: 'invalid_resource_token' });
    });

    it('"aud" other than this Person Server → 400 invalid_resource_token', async () => {
      const w = world();
      const agent = w.provider.agent();
      const person = await personToken(w, agent, w.r1);
      const rt = resourceTokenFor(w, w.r1, agent, person, 'r1:read', { aud: 'https://as.example' });
      expect(refusal(await w.post(w.metadata.auth_token_endpoint, agent, { resource_token: rt }))).toEqual({ status: 400, error: 'invalid_resource_token' });
    });

    it('an expired resource token → 400 expired_resource_token', async () => {
      const w = world();
      const agent = w.provider.agent();
      const person = await personToken(w, agent, w.r1);
      const old = Math.floor(Date.now() / 1000) - 900;
      const rt = resourceTokenFor(w, w.r1, agent, person, 'r1:read', { iat: old, exp: old + 300 });
      expect(refusal(await w.post(w.metadata.auth_token_endpoint, agent, { resource_token: rt }))).toEqual({ status: 400, error: 'expired_resource_token' });
    });

    it('a resource token of the wrong typ (2026-03 resource+jwt) → 400 invalid_resource_token', async () => {
      const w = world();
      const agent = w.provider.agent();
      const person = await personToken(w, agent, w.r1);
      const p = person.payload;
      const rt = w.r1.resourceToken({ aud: w.issuer, ps: p.iss as string, sub: person.sub, presentedJti: person.jti, agentJkt: thumbprint(agent.key.publicJwk), scope: 'r1:read', typ: 'resource+jwt' });
      expect(refusal(await w.post(w.metadata.auth_token_endpoint, agent, { resource_token: rt }))).toEqual({ status: 400, error: 'invalid_resource_token' });
    });

    it('a resource token used twice → the second is 400 invalid_resource_token', async () => {
      const w = world();
      const agent = w.provider.agent();
      const person = await personToken(w, agent, w.r1);
      const rt = resourceTokenFor(w, w.r1, agent, person, 'r1:read');
      expect((await w.post(w.metadata.auth_token_endpoint, agent, { resource_token: rt })).status).toBe(200);
      expect(refusal(await w.post(w.metadata.auth_token_endpoint, agent, { resource_token: rt }))).toEqual({ status: 400, error: 'invalid_resource_token' });
    });

    it('a resource the realm does not know → 403 access_denied', async () => {
      const w = world();
      const agent = w.provider.agent();
      const person = await personToken(w, agent, w.unregisteredResource);
      const rt = resourceTokenFor(w, w.unregisteredResource, agent, person, '');
      expect(refusal(await w.post(w.metadata.auth_token_endpoint, agent, { resource_token: rt }))).toEqual({ status: 403, error: 'access_denied' });
    });

    it('a scope the resource does not offer → 400 invalid_scope', async () => {
      const w = world();
      const agent = w.provider.agent();
      const person = await personToken(w, agent, w.r1);
      const rt = resourceTokenFor(w, w.r1, agent, person, 'r2:read');
      expect(refusal(await w.post(w.metadata.auth_token_endpoint, agent, { resource_token: rt }))).toEqual({ status: 400, error: 'invalid_scope' });
    });

    it('no "resource_token" → 400 invalid_request', async () => {
      const w = world();
      expect(refusal(await w.post(w.metadata.auth_token_endpoint, w.provider.agent(), {}))).toEqual({ status: 400, error: 'invalid_request' });
    });
  });
}
