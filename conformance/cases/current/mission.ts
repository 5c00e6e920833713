/**
 * draft-hardt-oauth-aauth-protocol §Mission Creation, §Mission Approval, §Mission Identifier,
 * §Mission Update, §Mission Completion, §Mission Endpoint Errors, §Mission Status Errors.
 */
import { createHash } from 'node:crypto';
import { decide, deferred, personToken, refusal, resourceTokenFor, type IssuedPersonToken } from '../../support/current/flows.js';
import type { Agent } from '../../support/current/parties.js';
import { decode, type CurrentWorld } from '../../support/current/world.js';

async function approvedMission(w: CurrentWorld, agent: Agent, resources: readonly string[]): Promise<{ s256: string; blob: Record<string, unknown>; personTokens: Record<string, string> }> {
  const proposal = await w.post(w.metadata.mission_endpoint, agent, { description: '# Weekly report\n\nCollect the figures and draft the report.', tools: [{ name: 'Read', description: 'Read reports' }], resources });
  const final = await decide(w, agent, deferred(proposal));
  if (final.status !== 200) throw new Error(`mission approval: HTTP ${final.status} ${JSON.stringify(final.json)}`);
  const blob = JSON.parse(Buffer.from(final.json.mission as string, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { s256: final.json.s256 as string, blob, personTokens: (final.json.person_tokens ?? {}) as Record<string, string> };
}

function issued(token: string): IssuedPersonToken {
  const { payload } = decode(token);
  return { token, jti: payload.jti as string, sub: payload.sub as string, payload };
}

export function missionCases(world: () => CurrentWorld): void {
  describe('missions', () => {
    it('a proposal waits for the person\'s review (202 with an interaction requirement)', async () => {
      const w = world();
      const res = await w.post(w.metadata.mission_endpoint, w.provider.agent(), { description: '# Plan' });
      expect(res.status).toBe(202);
      expect(res.headers.get('aauth-requirement')).toContain('interaction');
    });

    it('approval answers {s256, mission, person_tokens}: s256 is the SHA-256 of the decoded blob, which names approver, agent, approved_at, description', async () => {
      const w = world();
      const agent = w.provider.agent();
      const proposal = await w.post(w.metadata.mission_endpoint, agent, { description: '# Weekly report', resources: [w.r1.id] });
      const final = await decide(w, agent, deferred(proposal));
      expect(final.status).toBe(200);
      const bytes = Buffer.from(final.json.mission as string, 'base64url');
      expect(final.json.s256).toBe(createHash('sha256').update(bytes).digest('base64url'));
      const blob = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
      expect(blob).toEqual(expect.objectContaining({ approver: w.issuer, agent: agent.id, description: '# Weekly report', approved_resources: [w.r1.id] }));
      expect(typeof blob.approved_at).toBe('string');
      const tokens = final.json.person_tokens as Record<string, string>;
      expect(Object.keys(tokens)).toEqual([w.r1.id]);
      const { payload } = await w.verifyIssued(tokens[w.r1.id] as string, 'aa-person+jwt');
      expect(payload).toEqual(expect.objectContaining({ aud: w.r1.id, mission_s256: final.json.s256 }));
    });

    it('the person declines the mission → 403 denied', async () => {
      const w = world();
      const agent = w.provider.agent();
      const proposal = await w.post(w.metadata.mission_endpoint, agent, { description: '# Something' });
      expect(refusal(await decide(w, agent, deferred(proposal), 'deny'))).toEqual({ status: 403, error: 'denied' });
    });

    it('a person token under the mission for an approved resource is issued at once and carries mission_s256; the auth token echoes it', async () => {
      const w = world();
      const agent = w.provider.agent();
      const mission = await approvedMission(w, agent, [w.r1.id]);
      const res = await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id, mission_s256: mission.s256 });
      expect(res.status).toBe(200);
      const person = issued(res.json.person_token as string);
      expect(person.payload.mission_s256).toBe(mission.s256);
      const auth = await w.post(w.metadata.auth_token_endpoint, agent, { resource_token: resourceTokenFor(w, w.r1, agent, person, 'r1:read') });
      expect(auth.status).toBe(200);
      expect(decode(auth.json.auth_token as string).payload.mission_s256).toBe(mission.s256);
    });

    it('a description is required → 400 invalid_request', async () => {
      const w = world();
      expect(refusal(await w.post(w.metadata.mission_endpoint, w.provider.agent(), { resources: [w.r1.id] }))).toEqual({ status: 400, error: 'invalid_request' });
    });

    it('update: accepted and answered with the s256 of the update', async () => {
      const w = world();
      const agent = w.provider.agent();
      const mission = await approvedMission(w, agent, []);
      const res = await w.post(`${w.metadata.mission_endpoint}/${mission.s256}`, agent, { action: 'update', description: 'The hotel is full; a comparable one two blocks away.' });
      expect(res.status).toBe(200);
      expect(res.json.s256).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('a mission URL without a valid action → 400 invalid_request; a malformed s256 → 400 invalid_request', async () => {
      const w = world();
      const agent = w.provider.agent();
      const mission = await approvedMission(w, agent, []);
      expect(refusal(await w.post(`${w.metadata.mission_endpoint}/${mission.s256}`, agent, { description: 'x' }))).toEqual({ status: 400, error: 'invalid_request' });
      expect(refusal(await w.post(`${w.metadata.mission_endpoint}/${mission.s256}`, agent, { action: 'revoke' }))).toEqual({ status: 400, error: 'invalid_request' });
      expect(refusal(await w.post(`${w.metadata.mission_endpoint}/not-an-s256`, agent, { action: 'update', description: 'x' }))).toEqual({ status: 400, error: 'invalid_request' });
    });

    it('an unknown mission and another agent\'s mission get the same 404 mission_not_found answer', async () => {
      const w = world();
      const owner = w.provider.agent();
      const mission = await approvedMission(w, owner, []);
      const stranger = w.provider.agent();
      const theirs = await w.post(`${w.metadata.mission_endpoint}/${mission.s256}`, stranger, { action: 'update', description: 'x' });
      const unknown = await w.post(`${w.metadata.mission_endpoint}/${'B'.repeat(42)}A`, stranger, { action: 'update', description: 'x' });
      expect(refusal(theirs)).toEqual({ status: 404, error: 'mission_not_found' });
      expect(unknown.status).toBe(theirs.status);
      expect(unknown.json).toEqual(theirs.json);
    });

    it('completion: the person accepts, the mission ends (reason completed), and later requests naming it are 403 mission_terminated', async () => {
      const w = world();
      const agent = w.provider.agent();
      const mission = await approvedMission(w, agent, [w.r1.id]);
      const person = issued(mission.personTokens[w.r1.id] as string);
      const res = await w.post(`${w.metadata.mission_endpoint}/${mission.s256}`, agent, { action: 'completion', summary: 'Report sent.' });
      const final = await decide(w, agent, deferred(res));
      expect(final.status).toBe(200);
      const again = await w.post(w.metadata.person_token_endpoint, agent, { resource: w.r1.id, mission_s256: mission.s256 });
      expect(refusal(again)).toEqual({ status: 403, error: 'mission_terminated' });
      expect(again.json).toEqual(expect.objectContaining({ mission_status: 'terminated', termination_reason: 'completed' }));
      const update = await w.post(`${w.metadata.mission_endpoint}/${mission.s256}`, agent, { action: 'update', description: 'x' });
      expect(refusal(update)).toEqual({ status: 403, error: 'mission_terminated' });
      const auth = await w.post(w.metadata.auth_token_endpoint, agent, { resource_token: resourceTokenFor(w, w.r1, agent, person, 'r1:read') });
      expect(refusal(auth)).toEqual({ status: 403, error: 'mission_terminated' });
    });

    it('the person declines the completion: the mission stays active', async () => {
      const w = world();
      const agent = w.provider.agent();
      const mission = await approvedMission(w, agent, [w.r1.id]);
      const res = await w.post(`${w.metadata.mission_endpoint}/${mission.s256}`, agent, { action: 'completion', summary: 'Done?' });
      expect(refusal(await decide(w, agent, deferred(res), 'deny'))).toEqual({ status: 403, error: 'denied' });
      const person = await personToken(w, agent, w.r1, { mission_s256: mission.s256 });
      expect(person.payload.mission_s256).toBe(mission.s256);
    });
  });
}
