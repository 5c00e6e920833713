import { actChain, mayActAllows, nestAct, parseAct, MAX_ACT_DEPTH } from '@aauth-ts/core';

describe('RFC 8693 §4.1 act chains', () => {
  it('nests the prior chain inside the new actor', () => {
    const first = nestAct({ sub: 'https://backend.example' });
    const second = nestAct({ sub: 'https://sca.example' }, first);
    expect(second).toEqual({ sub: 'https://sca.example', act: { sub: 'https://backend.example' } });
    expect(actChain(second)).toEqual(['https://sca.example', 'https://backend.example']);
  });

  it('parses a well-formed chain and keeps iss', () => {
    expect(parseAct({ sub: 'a', iss: 'https://as', act: { sub: 'b' } })).toEqual({ sub: 'a', iss: 'https://as', act: { sub: 'b' } });
    expect(parseAct(undefined)).toBeUndefined();
  });

  it.each([
    ['a string', 'x'],
    ['an array', [{ sub: 'a' }]],
    ['no sub', { iss: 'x' }],
    ['a numeric sub', { sub: 1 }],
    ['a non-string iss', { sub: 'a', iss: 2 }],
    ['a malformed nested act', { sub: 'a', act: { sub: '' } }],
  ])('refuses %s', (_name, value) => {
    expect(() => parseAct(value)).toThrow(TypeError);
  });

  it('bounds the depth of untrusted chains', () => {
    let act: Record<string, unknown> = { sub: 'leaf' };
    for (let i = 0; i < MAX_ACT_DEPTH + 1; i += 1) act = { sub: `n${i}`, act };
    expect(() => parseAct(act)).toThrow(/deeper/);
  });
});

describe('RFC 8693 §4.4 may_act', () => {
  const actor = { sub: 'https://sca.example', iss: 'https://as.example' };
  it('allows the named actor', () => {
    expect(mayActAllows({ sub: 'https://sca.example' }, actor)).toBe(true);
    expect(mayActAllows({ sub: 'https://sca.example', iss: 'https://as.example' }, actor)).toBe(true);
    expect(mayActAllows([{ sub: 'https://other.example' }, { sub: 'https://sca.example' }], actor)).toBe(true);
  });
  it('refuses anyone else', () => {
    expect(mayActAllows({ sub: 'https://other.example' }, actor)).toBe(false);
    expect(mayActAllows({ sub: 'https://sca.example', iss: 'https://evil.example' }, actor)).toBe(false);
    expect(mayActAllows(null, actor)).toBe(false);
    expect(mayActAllows('https://sca.example', actor)).toBe(false);
    expect(mayActAllows({}, actor)).toBe(false);
  });
});
