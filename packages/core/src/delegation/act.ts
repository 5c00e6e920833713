/**
 * Delegation chains as RFC 8693 §4.1 `act` claims: the outermost `act` names the current actor,
 * each nested `act` the actor before it. Only the outermost actor is the one acting now; the
 * nested ones are history, never used for access decisions (§4.1, last paragraph).
 */
export interface ActClaim {
  /** The actor's identifier (here: the agent identifier URL). */
  readonly sub: string;
  /** Issuer of the actor's identity, when it is not implied. */
  readonly iss?: string;
  readonly act?: ActClaim;
}

/** The maximum depth we accept when reading a chain (bounded recursion on untrusted input). */
export const MAX_ACT_DEPTH = 16;

/** A new `act` for `actor`, with the subject token's existing chain nested inside it. */
export function nestAct(actor: { readonly sub: string; readonly iss?: string }, prior?: ActClaim): ActClaim {
  return { sub: actor.sub, ...(actor.iss === undefined ? {} : { iss: actor.iss }), ...(prior === undefined ? {} : { act: prior }) };
}

/** Parse an `act` claim from an untrusted payload; undefined if absent, throws TypeError if malformed. */
export function parseAct(value: unknown, depth = 0): ActClaim | undefined {
  if (value === undefined) return undefined;
  if (depth >= MAX_ACT_DEPTH) throw new TypeError(`"act" nests deeper than ${MAX_ACT_DEPTH}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError('"act" must be a JSON object');
  const { sub, iss, act } = value as Record<string, unknown>;
  if (typeof sub !== 'string' || sub.length === 0) throw new TypeError('"act.sub" must be a non-empty string');
  if (iss !== undefined && typeof iss !== 'string') throw new TypeError('"act.iss" must be a string');
  const nested = parseAct(act, depth + 1);
  return { sub, ...(iss === undefined ? {} : { iss }), ...(nested === undefined ? {} : { act: nested }) };
}

/** Actors from the current one back to the first. */
export function actChain(act: ActClaim | undefined): string[] {
  const chain: string[] = [];
  for (let link = act; link !== undefined; link = link.act) chain.push(link.sub);
  return chain;
}

/**
 * RFC 8693 §4.4 `may_act`: a JSON object identifying the party allowed to act for the subject. It
 * matches when every identifying member it carries (`sub`, and `iss` if present) equals the actor's.
 * As an extension, an array of such objects allows any one of several actors.
 */
export function mayActAllows(mayAct: unknown, actor: { readonly sub: string; readonly iss?: string }): boolean {
  const candidates = Array.isArray(mayAct) ? mayAct : [mayAct];
  return candidates.some((candidate) => {
    if (typeof candidate !== 'object' || candidate === null) return false;
    const { sub, iss } = candidate as Record<string, unknown>;
    if (typeof sub !== 'string' || sub !== actor.sub) return false;
    return iss === undefined || iss === actor.iss;
  });
}
