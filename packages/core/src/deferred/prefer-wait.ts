/**
 * The `wait` preference of RFC 7240 (§4.3), as AAuth uses it on token requests and polls
 * (2026-03 §Deferred Responses): `Prefer: wait=N` asks the server to hold the response up to N
 * seconds; `Preference-Applied: wait=M` says it held (up to) M.
 */

/** `wait=N` for a `Prefer` or `Preference-Applied` field. */
export function formatPreferWait(seconds: number): string {
  return `wait=${Math.max(0, Math.floor(seconds))}`;
}

/** Larger values are read as this (about 68 years); the server caps them far lower anyway. */
const MAX_WAIT = 2 ** 31 - 1;

/**
 * The `wait` of one or more `Prefer` field lines, or undefined when there is none or it is not a
 * non-negative integer. RFC 7240 §2: preference names are case-insensitive, a preference may carry
 * `;parameters`, a value may be a quoted string, and only the first instance of a preference counts
 * (a malformed first `wait` is therefore not replaced by a later one).
 */
export function parsePreferWait(field: string | readonly string[] | undefined): number | undefined {
  if (field === undefined) return undefined;
  const lines = typeof field === 'string' ? [field] : field;
  for (const line of lines) {
    for (const preference of splitOutsideQuotes(line, ',')) {
      const head = splitOutsideQuotes(preference, ';')[0]?.trim() ?? '';
      const eq = head.indexOf('=');
      const name = (eq < 0 ? head : head.slice(0, eq)).trim().toLowerCase();
      if (name !== 'wait') continue;
      if (eq < 0) return undefined;
      let value = head.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (!/^\d{1,12}$/.test(value)) return undefined;
      return Math.min(Number(value), MAX_WAIT);
    }
  }
  return undefined;
}

function splitOutsideQuotes(text: string, separator: ',' | ';'): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') quoted = !quoted;
    else if (c === '\\' && quoted && i + 1 < text.length) {
      current += c + (text[i + 1] as string);
      i++;
      continue;
    }
    if (c === separator && !quoted) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}
