/** Agent identifiers (§Agent Identifiers) and the mission blob (§Mission Approval, §Mission Identifier). */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  AAuthError, decodeMission, encodeMission, formatAgentIdentifier, isAgentIdentifier, isS256, missionS256, parseAgentIdentifier, subAgentIdentifier, verifyMission,
  type MissionBlob,
} from '@aauth-ts/core';

describe('agent identifiers aauth:local@domain', () => {
  it('accepts the draft\'s valid examples, the sub-agent one with its parent visible', () => {
    for (const id of ['aauth:assistant-v2@agent.example', 'aauth:planner.7f3c@vendor.example', 'aauth:planner.7f3c+search1@vendor.example']) expect(isAgentIdentifier(id)).toBe(true);
    expect(parseAgentIdentifier('aauth:planner.7f3c+search1@vendor.example')).toEqual({ value: 'aauth:planner.7f3c+search1@vendor.example', local: 'planner.7f3c+search1', domain: 'vendor.example', parentLocal: 'planner.7f3c' });
  });

  it('refuses the draft\'s invalid examples and other malformed identifiers', () => {
    for (const id of ['My Agent@agent.example', '@agent.example', 'agent@http://agent.example', 'aauth:My-Agent@agent.example', 'aauth:@agent.example',
      'aauth:a@http://agent.example', 'aauth:a@Agent.Example', 'aauth:a@agent.example:8443', 'aauth:a@agent.example/x', 'aauth:a+@agent.example',
      'aauth:+a@agent.example', 'aauth:a+b+c@agent.example', `aauth:${'a'.repeat(256)}@agent.example`, 'aauth:a@', 'aauth:a']) {
      expect(isAgentIdentifier(id)).toBe(false);
      expect(() => parseAgentIdentifier(id)).toThrow(AAuthError);
    }
  });

  it('builds sub-agent identifiers one level deep only', () => {
    expect(subAgentIdentifier('aauth:planner@vendor.example', 'search1')).toBe('aauth:planner+search1@vendor.example');
    expect(() => subAgentIdentifier('aauth:planner+s@vendor.example', 'deeper')).toThrow(AAuthError);
    expect(formatAgentIdentifier('a', '127.0.0.1:8001', { allowLoopbackHttp: true })).toBe('aauth:a@127.0.0.1:8001');
  });
});

const BLOB: MissionBlob = {
  approver: 'https://ps.example', agent: 'aauth:assistant@agent.example', approved_at: '2026-04-07T14:30:00Z', expires_at: '2026-05-07T14:30:00Z',
  description: '# Plan Japan Vacation\n\nPlan and book a trip.', approved_tools: [{ name: 'WebSearch', description: 'Search the web' }], approved_resources: ['https://flights.example'],
};

describe('mission blob', () => {
  it('s256 is base64url(SHA-256(decoded bytes)), unpadded, and verifies', () => {
    const { mission, s256, bytes } = encodeMission(BLOB);
    expect(s256).toBe(createHash('sha256').update(bytes).digest('base64url'));
    expect(s256).toHaveLength(43);
    expect(verifyMission(mission, s256).blob).toEqual(BLOB);
  });

  it('the digest covers the PS\'s exact bytes, not a re-serialisation', () => {
    const spaced = Buffer.from(JSON.stringify(BLOB, null, 2));
    const { mission, s256 } = encodeMission(spaced);
    expect(s256).toBe(missionS256(spaced));
    expect(s256).not.toBe(encodeMission(BLOB).s256);
    expect(decodeMission(mission).bytes.equals(spaced)).toBe(true);
  });

  it('a mission whose s256 is not the digest of its bytes is refused', () => {
    const { mission } = encodeMission(BLOB);
    const other = encodeMission({ ...BLOB, description: 'something else' }).s256;
    expect(() => verifyMission(mission, other)).toThrow(expect.objectContaining({ detail: expect.objectContaining({ reason: 'mission_s256_mismatch' }) }) as Error);
  });

  it('padded, non-canonical or standard-alphabet base64 is refused', () => {
    const { mission } = encodeMission(BLOB);
    for (const bad of [`${mission}=`, mission.replace(/-/g, '+').replace(/_/g, '/') + (mission.includes('-') || mission.includes('_') ? '' : '+'), 'A']) expect(() => decodeMission(bad)).toThrow(AAuthError);
  });

  it('a blob missing approver, agent, approved_at or description is refused; unknown members are kept', () => {
    for (const member of ['approver', 'agent', 'approved_at', 'description']) {
      const { [member]: _gone, ...rest } = BLOB as Record<string, unknown>;
      expect(() => decodeMission(Buffer.from(JSON.stringify(rest)).toString('base64url'))).toThrow(AAuthError);
    }
    expect(decodeMission(Buffer.from(JSON.stringify({ ...BLOB, extension: 1 })).toString('base64url')).blob.extension).toBe(1);
  });

  it('isS256 takes only 43 canonical base64url symbols', () => {
    expect(isS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(true);
    expect(isS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl')).toBe(false);
    expect(isS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk=')).toBe(false);
  });

  it('property: any bytes either decode to a checked mission whose s256 is their digest, or are refused with an AAuthError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        const decoded = decodeMission(Buffer.from(bytes).toString('base64url'));
        expect(decoded.s256).toBe(missionS256(bytes));
      } catch (err) {
        expect(err).toBeInstanceOf(AAuthError);
      }
    }), { numRuns: 1000 });
    fc.assert(fc.property(fc.string({ maxLength: 120 }), (text) => {
      try {
        decodeMission(text);
      } catch (err) {
        expect(err).toBeInstanceOf(AAuthError);
      }
    }), { numRuns: 1000 });
  });

  it('property: encode then verify round-trips any valid description', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (description) => {
      const { mission, s256 } = encodeMission({ ...BLOB, description });
      expect(verifyMission(mission, s256).blob.description).toBe(description);
    }));
  });
});
