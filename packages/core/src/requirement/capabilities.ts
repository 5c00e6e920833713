/**
 * `AAuth-Capabilities` (draft-hardt-oauth-aauth-protocol §AAuth-Capabilities Request Header): an
 * RFC 8941 List of Tokens. Unknown values and parameters are ignored (MUST); a header that is not
 * a list of tokens yields no capabilities, since an absent header means none may be assumed.
 */
import { parseList, serializeList, Token } from 'structured-headers';
import { AAUTH_CURRENT, type Capability } from '../profile/index.js';

export function parseCapabilities(header: string | undefined): Capability[] {
  if (header === undefined) return [];
  let list: ReturnType<typeof parseList>;
  try {
    list = parseList(header);
  } catch {
    return [];
  }
  const known: readonly string[] = AAUTH_CURRENT.capabilities;
  const out: Capability[] = [];
  for (const [item] of list) {
    if (item instanceof Token && known.includes(item.toString()) && !out.includes(item.toString() as Capability)) out.push(item.toString() as Capability);
  }
  return out;
}

export function serializeCapabilities(capabilities: readonly Capability[]): string {
  return serializeList([...new Set(capabilities)].map((c) => [new Token(c), new Map()]));
}
