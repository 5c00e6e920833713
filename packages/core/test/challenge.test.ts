/** The `AAuth` challenge header (2026-03 §Challenge; wire notes §3.3). */
import { parseChallenge, serializeChallenge, MalformedError, UnsupportedRequirementError, type Challenge } from '@aauth-ts/core';

describe('AAuth challenge', () => {
  it.each<[Challenge, string]>([
    [{ require: 'auth-token', resourceToken: 'eyJ.a.b', authServer: 'https://auth.example/realms/demo' }, 'require=auth-token;resource-token="eyJ.a.b";auth-server="https://auth.example/realms/demo"'],
    [{ require: 'interaction', code: 'ABCD1234' }, 'require=interaction;code="ABCD1234"'],
    [{ require: 'pseudonym' }, 'require=pseudonym'],
    [{ require: 'identity' }, 'require=identity'],
    [{ require: 'approval' }, 'require=approval'],
  ])('%o ⇄ %s', (challenge, header) => {
    expect(serializeChallenge(challenge)).toBe(header);
    expect(parseChallenge(header)).toEqual(challenge);
  });

  it('accepts the spaced form of the draft\'s examples and ignores unknown parameters', () => {
    expect(parseChallenge('require=auth-token; resource-token="rt"; auth-server="https://as.example"; future="x"')).toEqual({ require: 'auth-token', resourceToken: 'rt', authServer: 'https://as.example' });
  });

  it('an unknown requirement keeps the raw header', () => {
    const header = 'require=payment;amount="1"';
    expect(() => parseChallenge(header)).toThrow(UnsupportedRequirementError);
    try {
      parseChallenge(header);
    } catch (err) {
      expect(err).toMatchObject({ code: 'invalid_request', raw: header, detail: { reason: 'unsupported', actual: 'payment' } });
    }
  });

  it.each([
    ['not a dictionary', '"just a string"', 'malformed'],
    ['no require', 'resource-token="x"', 'missing'],
    ['require as a string', 'require="auth-token"', 'malformed'],
    ['auth-token without resource-token', 'require=auth-token;auth-server="https://as.example"', 'missing'],
    ['auth-token with an empty auth-server', 'require=auth-token;resource-token="rt";auth-server=""', 'missing'],
    ['interaction without code', 'require=interaction', 'missing'],
  ])('%s', (_name, header, reason) => {
    try {
      parseChallenge(header);
      throw new Error('parsed');
    } catch (err) {
      expect(err).toBeInstanceOf(MalformedError);
      expect(err).toMatchObject({ code: 'invalid_request', status: 400, detail: { reason } });
    }
  });
});
