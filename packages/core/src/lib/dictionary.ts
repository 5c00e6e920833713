/**
 * RFC 8941 dictionaries with repeated keys refused. RFC 8941 §4.2.2 lets the last duplicate win,
 * so `Signature: sig=:bad:, sig=:good:` would quietly be decided by its last member, and two
 * implementations reading first-wins and last-wins would disagree about what was verified. A
 * signature header that names a label twice is ambiguous; we refuse it instead of choosing.
 */
import { parseDictionary, type Dictionary } from 'structured-headers';

/** Top-level members of a well-formed dictionary: commas outside quoted strings, plus one. */
function memberCount(raw: string): number {
  let count = 1;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash escapes the next character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x2c) count++;
  }
  return count;
}

/**
 * Parse `raw` as a dictionary. Throws the parser's error on bad syntax and `DuplicateKeyError`
 * when a key appears more than once (callers map both to their own typed error).
 */
export function parseUniqueDictionary(raw: string): Dictionary {
  const dict = parseDictionary(raw);
  // Only worth counting when there is more than one comma-separated member at all.
  if (dict.size > 0 && raw.includes(',') && memberCount(raw) !== dict.size) throw new DuplicateKeyError();
  return dict;
}

export class DuplicateKeyError extends Error {
  override readonly name = 'DuplicateKeyError';
  constructor() {
    super('a dictionary key appears more than once');
  }
}
