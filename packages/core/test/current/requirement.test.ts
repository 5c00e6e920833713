/** `AAuth-Requirement` (draft-hardt-oauth-aauth-protocol §AAuth-Requirement Header Structure, §Requirement Values, §Interaction Required). */
import fc from 'fast-check';
import {
  AAUTH_CURRENT, RequirementError, generateInteractionCode, isInteractionCode, normalizeInteractionCode, parseCapabilities, parseRequirement,
  requirementStatus, serializeCapabilities, serializeRequirement, type Requirement,
} from '@aauth-ts/core';

function failure(header: string): string {
  try {
    parseRequirement(header);
  } catch (err) {
    if (err instanceof RequirementError) return err.failure;
    throw err;
  }
  return 'accepted';
}

describe('AAuth-Requirement', () => {
  it('every requirement value of §Requirement Values round-trips with its status', () => {
    const samples: Requirement[] = [
      { requirement: 'agent-token' }, { requirement: 'person-token' }, { requirement: 'auth-token', resourceToken: 'eyJ.eyJ.sig' },
      { requirement: 'interaction', url: 'https://ps.example/interaction', code: 'A1B2-C3D4' },
      { requirement: 'approval' }, { requirement: 'clarification' }, { requirement: 'claims' },
    ];
    expect(samples.map((s) => s.requirement)).toEqual([...AAUTH_CURRENT.requirement.values]);
    for (const s of samples) expect(parseRequirement(serializeRequirement(s))).toEqual(s);
    expect(samples.map((s) => requirementStatus(s.requirement))).toEqual([401, 401, 401, 202, 202, 202, 202]);
  });

  it('parses the draft\'s examples', () => {
    expect(parseRequirement('requirement=auth-token; resource-token="eyJ.a.b"')).toEqual({ requirement: 'auth-token', resourceToken: 'eyJ.a.b' });
    expect(parseRequirement('requirement=interaction; url="https://example.com/interact"; code="A1B2-C3D4"')).toEqual({ requirement: 'interaction', url: 'https://example.com/interact', code: 'A1B2-C3D4' });
    expect(serializeRequirement({ requirement: 'agent-token' })).toBe('requirement=agent-token');
  });

  it('unknown parameters and members are ignored (MUST ignore)', () => {
    expect(parseRequirement('requirement=agent-token;future=1, other=?1')).toEqual({ requirement: 'agent-token' });
  });

  it('an unknown requirement value is refused as unsupported_requirement', () => {
    expect(failure('requirement=pseudonym')).toBe('unsupported_requirement');
    expect(failure('requirement=identity')).toBe('unsupported_requirement');
  });

  it('malformed headers are refused with a stable failure', () => {
    expect(failure('requirement=')).toBe('not_a_dictionary');
    expect(failure('require=auth-token')).toBe('missing_requirement');
    expect(failure('requirement="agent-token"')).toBe('requirement_not_a_token');
    expect(failure('requirement=agent-token, requirement=person-token')).toBe('duplicate_member');
    expect(failure('requirement=auth-token')).toBe('missing_parameter');
    expect(failure('requirement=auth-token; resource-token=abc')).toBe('invalid_parameter');
    // JWS Compact Serialization with every segment present: an empty signature (even in a long token) or a non-base64url character is not a resource token.
    for (const token of ['a.0.', 'eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0.', 'eyJ.a b.c', '.a.b']) expect(failure(`requirement=auth-token; resource-token="${token}"`)).toBe('invalid_parameter');
    expect(failure('requirement=interaction; code="A1B2-C3D4"')).toBe('missing_parameter');
  });

  it('an interaction url that is not https or carries a query or fragment is refused', () => {
    for (const url of ['http://ps.example/i', 'https://ps.example/i?x=1', 'https://ps.example/i#f', 'not a url']) {
      expect(failure(`requirement=interaction; url="${url}"; code="A1B2C3D4"`)).toBe('invalid_parameter');
    }
  });

  it('an http interaction url on a loopback host is accepted only under allowLoopbackHttp (development), both ways', () => {
    const local: Requirement = { requirement: 'interaction', url: 'http://127.0.0.1:8080/realms/r/protocol/aauth/ps/interaction', code: 'A1B2C3D4' };
    const policy = { allowLoopbackHttp: true };
    expect(parseRequirement(serializeRequirement(local, policy), policy)).toEqual(local);
    expect(() => serializeRequirement(local)).toThrow(RequirementError);
    expect(failure('requirement=interaction; url="http://127.0.0.1:8080/i"; code="A1B2C3D4"')).toBe('invalid_parameter');
    expect(() => serializeRequirement({ ...local, url: 'http://ps.example/i' }, policy)).toThrow(RequirementError);
  });

  it('an interaction code outside Crockford base32 or under 8 symbols is refused (§Interaction Code Format)', () => {
    for (const code of ['A1B2-C3D', 'ABCDEFGU', 'abcd-efgh', 'A1B2 C3D4']) expect(failure(`requirement=interaction; url="https://ps.example/i"; code="${code}"`)).toBe('invalid_parameter');
  });

  it('interaction codes compare without hyphens, case-insensitively, with I/L→1 and O→0 folded', () => {
    expect(normalizeInteractionCode('a1b2-c3d4')).toBe(normalizeInteractionCode('A1B2C3D4'));
    expect(normalizeInteractionCode('OIL0-1234')).toBe('01101234');
  });

  it('property: generated codes are valid and every serialised requirement parses back to itself', () => {
    fc.assert(fc.property(fc.integer({ min: 8, max: 32 }), (n) => isInteractionCode(generateInteractionCode(n))));
    const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}\.[A-Za-z0-9_-]{1,40}\.[A-Za-z0-9_-]{1,40}$/);
    const arb = fc.oneof(
      fc.constantFrom<Requirement>({ requirement: 'agent-token' }, { requirement: 'person-token' }, { requirement: 'approval' }, { requirement: 'clarification' }, { requirement: 'claims' }),
      token.map((t): Requirement => ({ requirement: 'auth-token', resourceToken: t })),
      fc.tuple(fc.stringMatching(/^[a-z]{1,12}$/), fc.integer({ min: 8, max: 16 })).map(([p, n]): Requirement => ({ requirement: 'interaction', url: `https://ps.example/${p}`, code: generateInteractionCode(n) })),
    );
    fc.assert(fc.property(arb, (r) => expect(parseRequirement(serializeRequirement(r))).toEqual(r)));
  });

  it('property: any header either parses or is refused with a RequirementError, never anything else', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (raw) => {
      try {
        parseRequirement(raw);
      } catch (err) {
        expect(err).toBeInstanceOf(RequirementError);
      }
    }), { numRuns: 2000 });
  });
});

describe('AAuth-Capabilities (§AAuth-Capabilities Request Header)', () => {
  it('unknown values and parameters are ignored; a bad header means no capabilities', () => {
    expect(parseCapabilities('interaction, clarification;x=1, teleport, payment')).toEqual(['interaction', 'clarification', 'payment']);
    expect(parseCapabilities('"interaction"')).toEqual([]);
    expect(parseCapabilities(undefined)).toEqual([]);
    expect(serializeCapabilities(['interaction', 'payment', 'interaction'])).toBe('interaction, payment');
  });
});
