/**
 * Decode a compact JWT for display only: header and claims, no verification. Every token shown by
 * the demo has been verified by the party that received it; this is just the readable form.
 */

export interface DecodedToken {
  readonly header: Readonly<Record<string, unknown>>;
  readonly claims: Readonly<Record<string, unknown>>;
}

function segment(part: string | undefined): Record<string, unknown> {
  if (part === undefined || !/^[A-Za-z0-9_-]*$/.test(part)) return {};
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function decodeJwt(token: string): DecodedToken {
  const [header, claims] = token.split('.');
  return { header: segment(header), claims: segment(claims) };
}
