/**
 * Server identifiers (src/identifiers.ts): the exact textual form, and the relaxations only when
 * asked for. Verdicts are kept per text and policy, so the same text must get the same answer
 * however often it is asked, and a value that is not a string never borrows a string's verdict.
 */
import { isServerIdentifier } from '@aauth-ts/core';

describe('isServerIdentifier', () => {
  it('answers the same, asked again, for each text and policy', () => {
    for (let i = 0; i < 3; i++) {
      expect(isServerIdentifier('https://rs.example')).toBe(true);
      expect(isServerIdentifier('https://rs.example/')).toBe(false);
      expect(isServerIdentifier('https://RS.example')).toBe(false);
      expect(isServerIdentifier('http://127.0.0.1:8080')).toBe(false);
      expect(isServerIdentifier('http://127.0.0.1:8080', { allowLoopbackHttp: true })).toBe(true);
      expect(isServerIdentifier('http://rs.example', { allowLoopbackHttp: true })).toBe(false);
      expect(isServerIdentifier('https://issuer.example/realms/demo', { exact: ['https://issuer.example/realms/demo'] })).toBe(true);
      expect(isServerIdentifier('https://issuer.example/realms/demo')).toBe(false);
    }
  });

  it('a value that is not a string is not one, even when its text is an accepted identifier', () => {
    expect(isServerIdentifier('https://rs.example')).toBe(true);
    expect(isServerIdentifier(['https://rs.example'] as unknown as string)).toBe(false);
    expect(isServerIdentifier({ toString: () => 'https://rs.example' } as unknown as string)).toBe(false);
  });

  it('stays right past its bound of kept verdicts', () => {
    for (let i = 0; i < 600; i++) expect(isServerIdentifier(`https://rs${i}.example`)).toBe(true);
    expect(isServerIdentifier('https://rs0.example/')).toBe(false);
    expect(isServerIdentifier('https://rs0.example')).toBe(true);
  });
});
