/**
 * The components a server asks the agent to cover (2026-03 §Covered Components): published in its
 * metadata as `additional_signature_components` (resources; the issuer document carries the same
 * member for the token endpoint), or named in a refusal, `401 invalid_signature` with
 * `required_components` (§Error Responses). The agent remembers them per server and covers them
 * on later requests; after a refusal it re-signs the request once, never in a loop.
 */
import { AAUTH_CURRENT, BoundedCache, PROFILE, parseSignatureError, readComponentList } from '@aauth-ts/core';
import { H } from '../lib/header-names.js';

/** Largest refusal body read, bytes: an error body is small. */
const MAX_BODY = 16 * 1024;

/** Components learnt per server identifier (resource, or auth server issuer); least recently used dropped first. */
export class ComponentMemory {
  readonly #byServer = new BoundedCache<readonly string[]>({ maxEntries: 1000, maxBytes: 1024 * 1024 });

  /** What `server` asked for so far ([] when nothing). */
  get(server: string): readonly string[] {
    return this.#byServer.get(server) ?? [];
  }

  /** Add what `server` asked for (a peer's list, read defensively). */
  learn(server: string, asked: unknown): readonly string[] {
    const list = readComponentList(asked);
    const known = this.get(server);
    const merged = [...known, ...list.filter((c) => !known.includes(c))];
    if (merged.length === known.length) return known;
    this.#byServer.set(server, Object.freeze(merged), merged.reduce((n, c) => n + c.length * 2, 0));
    return merged;
  }
}

/** The components a metadata document lists (`additional_signature_components`), read defensively. */
export function listedComponents(metadata: object): string[] {
  return readComponentList((metadata as Record<string, unknown>)[PROFILE.signatureComponents.metadataMember]);
}

/**
 * If `response` refuses a signature for missing components that `covered` lacks, the list the
 * server requires; else undefined. Reads a clone, so the response stays readable for the caller.
 */
export async function refusedFor(response: Response, covered: readonly string[]): Promise<string[] | undefined> {
  if (response.status !== 401) return undefined;
  const header = response.headers.get(SIGNATURE_ERROR);
  if (header !== null) return signatureErrorList(header, covered);
  if (!(response.headers.get(H.contentType) ?? '').includes('json')) return undefined;
  const length = Number(response.headers.get('content-length') ?? '0');
  if (length > MAX_BODY) return undefined;
  let body: unknown;
  try {
    const text = await readCapped(response.clone(), MAX_BODY);
    if (text === undefined) return undefined;
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  return refusalList(body, covered);
}

/** The body as text, or undefined once it passes `max` bytes (a body without Content-Length is read only that far). */
async function readCapped(response: Response, max: number): Promise<string | undefined> {
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

const SIGNATURE_ERROR = AAUTH_CURRENT.headers.signatureError.toLowerCase();

/**
 * Current profile (draft-hardt-oauth-aauth-protocol §Verification (Server) step 2; Signature-Key
 * draft `invalid_input`): `Signature-Error: error=invalid_input; required_input=(…)` names the
 * components the server requires. Only this refusal names what to change; the others
 * (`unsupported_algorithm`, `invalid_signature`, …) are answered by no re-signing.
 */
export function signatureErrorList(header: string, covered: readonly string[]): string[] | undefined {
  let refusal: ReturnType<typeof parseSignatureError>;
  try {
    refusal = parseSignatureError(header);
  } catch {
    return undefined;
  }
  if (refusal.error !== 'invalid_input' || refusal.requiredInput === undefined) return undefined;
  const required = readComponentList([...refusal.requiredInput]);
  return required.some((c) => !covered.includes(c)) ? required : undefined;
}

/** The same test on an already parsed `401` body (axios parses it). */
export function refusalList(body: unknown, covered: readonly string[]): string[] | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  if (record.error !== 'invalid_signature') return undefined;
  const required = readComponentList(record[PROFILE.signatureComponents.errorMember]);
  return required.some((c) => !covered.includes(c)) ? required : undefined;
}

/** The components a signed request covers, from its `Signature-Input` (the one label we write). */
export function coveredBy(headers: Readonly<Record<string, string>>): string[] {
  const input = headers[H.signatureInput] ?? '';
  const open = input.indexOf('(');
  const close = input.indexOf(')', open);
  if (open < 0 || close < 0) return [];
  return [...input.slice(open + 1, close).matchAll(/"([^"]+)"/g)].map((m) => m[1] as string);
}
