/**
 * The JSON body of a Person Server request (draft-hardt-oauth-aauth-protocol §Why JSON Instead of
 * Form-Encoded): an object, read from the raw bytes the digest was checked over. Members are read
 * by type; one of the wrong type, or too long, is `invalid_request` naming it.
 */
import { psError } from './errors.js';

const MAX_TEXT = 1024;
const MAX_TOKEN = 16 * 1024;
/** Mission descriptions and summaries are Markdown documents, not one-liners. */
export const MAX_DOCUMENT = 16 * 1024;

export class JsonBody {
  readonly #members: Readonly<Record<string, unknown>>;

  private constructor(members: Readonly<Record<string, unknown>>) {
    this.#members = members;
  }

  static parse(contentType: string | undefined, body: Uint8Array | undefined): JsonBody {
    if (body === undefined || body.length === 0) psError('invalid_request', 'the request has no body');
    const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') psError('invalid_request', `unsupported Content-Type ${JSON.stringify(contentType ?? '')}: send application/json`);
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch {
      psError('invalid_request', 'the request body is not valid UTF-8 JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) psError('invalid_request', 'the request body must be a JSON object');
    return new JsonBody(value as Record<string, unknown>);
  }

  has(name: string): boolean {
    return this.#members[name] !== undefined;
  }

  /** A non-empty string member, or undefined when absent. `cap` defaults to 1024 characters. */
  string(name: string, cap = MAX_TEXT): string | undefined {
    const value = this.#members[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.length === 0) psError('invalid_request', `"${name}" must be a non-empty string`);
    if (value.length > cap) psError('invalid_request', `"${name}" is longer than ${cap} characters`);
    return value;
  }

  token(name: string): string | undefined {
    return this.string(name, MAX_TOKEN);
  }

  required(name: string, cap = MAX_TEXT): string {
    return this.string(name, cap) ?? psError('invalid_request', `"${name}" is required`);
  }

  /** An array of non-empty strings, or undefined when absent. */
  strings(name: string, maxItems = 32): string[] | undefined {
    const value = this.#members[name];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.length > maxItems || value.some((v) => typeof v !== 'string' || v.length === 0 || v.length > MAX_TEXT)) {
      psError('invalid_request', `"${name}" must be an array of at most ${maxItems} non-empty strings`);
    }
    return value as string[];
  }

  /** An array of `{name, description}` objects (§Mission Creation `tools`), or undefined. */
  tools(name: string, maxItems = 64): { name: string; description: string }[] | undefined {
    const value = this.#members[name];
    if (value === undefined) return undefined;
    const ok = Array.isArray(value) && value.length <= maxItems && value.every((t) => typeof t === 'object' && t !== null
      && typeof (t as { name?: unknown }).name === 'string' && (t as { name: string }).name.length > 0 && (t as { name: string }).name.length <= MAX_TEXT
      && typeof (t as { description?: unknown }).description === 'string' && (t as { description: string }).description.length <= MAX_TEXT);
    if (!ok) psError('invalid_request', `"${name}" must be an array of at most ${maxItems} objects with string "name" and "description"`);
    return (value as { name: string; description: string }[]).map((t) => ({ name: t.name, description: t.description }));
  }
}
