/** An in-memory `IssuerKeySource`: issuer → signing keys, recording every lookup. */
import type { IssuerKeySource, PublicJwk, SigningKey } from '@aauth-ts/core';

export interface MemoryKeySource extends IssuerKeySource {
  /** Every `getKey` call, in order: [issuer, document, kid, alg]. */
  readonly calls: [string, string, string | undefined, string][];
}

export function memoryKeySource(keys: Readonly<Record<string, readonly SigningKey[]>>): MemoryKeySource {
  const calls: [string, string, string | undefined, string][] = [];
  return {
    calls,
    async getKey(issuer, document, kid, alg): Promise<PublicJwk> {
      calls.push([issuer, document, kid, alg]);
      const found = (keys[issuer] ?? []).find((k) => kid === undefined || k.kid === kid);
      if (!found) throw new Error(`no key ${String(kid)} for ${issuer}`);
      return found.publicJwk;
    },
  };
}
