/**
 * The RFC 9421 §2.5 signature base a signed request was signed over, rebuilt from what went on the
 * wire (its `Signature-Input`), for `aauth request --verbose`: the same function the verifier uses.
 */
import { buildSignatureBase, PROFILE } from '@aauth-ts/core';
import { parseDictionary, type InnerList } from 'structured-headers';

export interface SignedBase {
  readonly label: string;
  readonly base: string;
}

export function signatureBases(method: string, url: URL, headers: Readonly<Record<string, string>>): SignedBase[] {
  const input = headers[PROFILE.headers.signatureInput.toLowerCase()];
  if (input === undefined) return [];
  const bases: SignedBase[] = [];
  for (const [label, member] of parseDictionary(input)) {
    if (!Array.isArray(member[0])) continue;
    bases.push({ label, base: buildSignatureBase({ method, url, headers: { ...headers } }, member as InnerList) });
  }
  return bases;
}
