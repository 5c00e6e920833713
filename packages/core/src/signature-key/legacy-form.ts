/**
 * The parenthesised `Signature-Key` form of early (2026-03 era) peers:
 * `sig=(scheme=hwk kty="OKP" crv="Ed25519" x="…")`. It is not RFC 8941 (an inner list cannot hold
 * `name=value` pairs), but it names the same scheme and parameters, and the signature covers the
 * field's raw text, so reading it costs nothing: the key found is the one that signed that text.
 * Accepted inbound only, in one strict shape (one member, lowercase label, `scheme=<token>` first,
 * then `name="string"` pairs without escapes, no name twice); never written.
 */
const LEGACY = /^([a-z*][a-z0-9_\-.*]*)=\(scheme=([A-Za-z][A-Za-z0-9_\-.]*)((?: +[a-z][a-z0-9_\-.]*="[\x20\x21\x23-\x5b\x5d-\x7e]*")*) *\)$/;
const PAIR = / +([a-z][a-z0-9_\-.]*)="([^"]*)"/g;

/** The RFC 8941 spelling of a parenthesised member (`sig=hwk;kty="OKP";…`), or undefined. */
export function rfc8941FromLegacy(header: string): string | undefined {
  const match = LEGACY.exec(header.trim());
  if (!match) return undefined;
  const [, label, scheme, pairs] = match as unknown as [string, string, string, string];
  const names = new Set<string>();
  let out = `${label}=${scheme}`;
  for (const [, name, value] of pairs.matchAll(PAIR)) {
    if (names.has(name as string)) return undefined;
    names.add(name as string);
    out += `;${name as string}="${value as string}"`;
  }
  return out;
}
