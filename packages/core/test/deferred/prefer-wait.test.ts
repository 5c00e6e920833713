/** RFC 7240 §2 and §4.3: reading and writing the `wait` preference. */
import { formatPreferWait, parsePreferWait } from '@aauth-ts/core';

describe('parsePreferWait', () => {
  it('reads wait=N among other preferences, in any case, with parameters, quoted, over several field lines', () => {
    expect(parsePreferWait('wait=45')).toBe(45);
    expect(parsePreferWait('respond-async, WAIT=10')).toBe(10);
    expect(parsePreferWait(['handling=lenient', 'wait=7;foo="a,b"'])).toBe(7);
    expect(parsePreferWait('wait="3"')).toBe(3);
  });

  it('only the first wait counts; a malformed first one is not replaced by a later one', () => {
    expect(parsePreferWait('wait=2, wait=9')).toBe(2);
    expect(parsePreferWait('wait=soon, wait=9')).toBeUndefined();
  });

  it('nothing to apply without a well-formed non-negative integer', () => {
    for (const field of [undefined, '', 'respond-async', 'wait', 'wait=-1', 'wait=1.5', 'wait=9999999999999', 'prefer-wait=3']) {
      expect(parsePreferWait(field)).toBeUndefined();
    }
  });

  it('formats whole non-negative seconds', () => {
    expect(formatPreferWait(20)).toBe('wait=20');
    expect(formatPreferWait(2.7)).toBe('wait=2');
    expect(formatPreferWait(-1)).toBe('wait=0');
  });
});
