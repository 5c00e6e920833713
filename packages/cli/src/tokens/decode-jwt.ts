/**
 * A JWT's protected header and claims, read without verifying anything (for display): the kind
 * comes from `typ` (2026-03 §Tokens: `agent+jwt`, `resource+jwt`, `auth+jwt`).
 */
import { PROFILE } from '@aauth-ts/core';
import { CliError } from '../errors.js';

export type TokenKindName = 'agent' | 'resource' | 'auth' | 'jwt';

export interface DecodedJwt {
  readonly kind: TokenKindName;
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

function segment(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new CliError('not_a_jwt', `not a JWT: its ${what} is not base64url-encoded JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError('not_a_jwt', `not a JWT: its ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

export function kindOf(typ: unknown): TokenKindName {
  for (const [kind, name] of Object.entries(PROFILE.typ)) if (name === typ) return kind as TokenKindName;
  return 'jwt';
}

export function decodeJwt(token: string): DecodedJwt {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || !parts.every((p, i) => SEGMENT.test(p) || (i === 2 && p === ''))) {
    throw new CliError('not_a_jwt', 'not a JWT: expected three base64url segments separated by "." (header.payload.signature)');
  }
  const header = segment(parts[0] as string, 'header');
  const payload = segment(parts[1] as string, 'payload');
  return { kind: kindOf(header.typ), header, payload };
}

/** `iat`/`nbf`/`exp` as readable times relative to `now` (seconds), for the text output. */
export function describeTimes(payload: Record<string, unknown>, now: number = Math.floor(Date.now() / 1000)): string[] {
  const lines: string[] = [];
  for (const claim of ['iat', 'nbf', 'exp'] as const) {
    const value = payload[claim];
    if (typeof value !== 'number') continue;
    const delta = value - now;
    const relative = delta === 0 ? 'now' : delta > 0 ? `in ${delta} s` : `${-delta} s ago`;
    lines.push(`${claim} ${new Date(value * 1000).toISOString()} (${relative})`);
  }
  return lines;
}
