/**
 * draft-hardt-oauth-aauth-protocol §Sub-Agents, §Parent-Mediated Authorization, §Single-Level Depth;
 * interop-demo-profile.md surface 5.
 */
import { personToken, refusal, resourceTokenFor } from '../../support/current/flows.js';
import { decode, thumbprint, type CurrentWorld } from '../../support/current/world.js';

export function subAgentCases(world: () => CurrentWorld): void {
  describe('sub-agents (parent-mediated)', () => {
    it('a parent obtains a person token for its sub-agent: cnf.jwk is the sub-agent\'s key; then an auth token bound to the sub-agent\'s key', async () => {
      const w = world();
      const parent = w.provider.agent();
      const sub = w.provider.subAgent(parent);
      const subagentToken = w.provider.agentToken(sub);
      const person = await personToken(w, parent, w.r1, { subagent_token: subagentToken });
      expect(thumbprint((person.payload.cnf as { jwk: typeof sub.key.publicJwk }).jwk)).toBe(thumbprint(sub.key.publicJwk));
      // The sub-agent presents the person token at the resource and gets a resource token bound to its own key.
      const rt = resourceTokenFor(w, w.r1, sub, person, 'r1:read');
      const res = await w.post(w.metadata.auth_token_endpoint, parent, { resource_token: rt, subagent_token: subagentToken });
      expect(res.status).toBe(200);
      const { payload } = await w.verifyIssued(res.json.auth_token as string, 'aa-auth+jwt');
      expect(thumbprint((payload.cnf as { jwk: typeof sub.key.publicJwk }).jwk)).toBe(thumbprint(sub.key.publicJwk));
      expect(payload.sub).toBe(person.sub);
    });

    it('the sub-agent acts for its parent\'s person: its person token has the parent\'s directed sub', async () => {
      const w = world();
      const parent = w.provider.agent();
      const own = await personToken(w, parent, w.r1);
      const sub = w.provider.subAgent(parent);
      const res = await w.post(w.metadata.person_token_endpoint, parent, { resource: w.r1.id, subagent_token: w.provider.agentToken(sub) });
      expect(res.status).toBe(200);
      expect(decode(res.json.person_token as string).payload.sub).toBe(own.sub);
    });

    it('a subagent_token whose parent_agent names another agent → 400 invalid_agent_token', async () => {
      const w = world();
      const parent = w.provider.agent();
      const sub = w.provider.subAgent(w.provider.agent());
      const res = await w.post(w.metadata.person_token_endpoint, parent, { resource: w.r1.id, subagent_token: w.provider.agentToken(sub) });
      expect(refusal(res)).toEqual({ status: 400, error: 'invalid_agent_token' });
    });

    it('a subagent_token without parent_agent is not a sub-agent\'s token → 400 invalid_agent_token', async () => {
      const w = world();
      const parent = w.provider.agent();
      const res = await w.post(w.metadata.person_token_endpoint, parent, { resource: w.r1.id, subagent_token: w.provider.agentToken(w.provider.agent()) });
      expect(refusal(res)).toEqual({ status: 400, error: 'invalid_agent_token' });
    });

    it('with a subagent_token, a resource token bound to the parent\'s key (not the sub-agent\'s) → 400 invalid_resource_token', async () => {
      const w = world();
      const parent = w.provider.agent();
      const sub = w.provider.subAgent(parent);
      const subagentToken = w.provider.agentToken(sub);
      const person = await personToken(w, parent, w.r1, { subagent_token: subagentToken });
      const rt = resourceTokenFor(w, w.r1, parent, person, 'r1:read');
      expect(refusal(await w.post(w.metadata.auth_token_endpoint, parent, { resource_token: rt, subagent_token: subagentToken }))).toEqual({ status: 400, error: 'invalid_resource_token' });
    });

    it('a sub-agent asking for its own auth token → 400 invalid_agent_token', async () => {
      const w = world();
      const parent = w.provider.agent();
      const sub = w.provider.subAgent(parent);
      const person = await personToken(w, parent, w.r1, { subagent_token: w.provider.agentToken(sub) });
      const rt = resourceTokenFor(w, w.r1, sub, person, 'r1:read');
      expect(refusal(await w.post(w.metadata.auth_token_endpoint, sub, { resource_token: rt }))).toEqual({ status: 400, error: 'invalid_agent_token' });
    });
  });
}
