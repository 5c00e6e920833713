/**
 * Parse an RFC 8693 §2.1 token-exchange request: `application/x-www-form-urlencoded`, parsed from
 * the raw bytes whose Content-Digest was checked. Each parameter at most once, strings only.
 */
import { AAuthError, MalformedError, TOKEN_EXCHANGE } from '@aauth-ts/core';

export interface ExchangeRequest {
  readonly subjectToken: string;
  readonly actorToken: string | undefined;
  /** The one target: `audience`, or `resource` when no audience is given. */
  readonly target: string | undefined;
  readonly scope: string | undefined;
}

const P = TOKEN_EXCHANGE.params;
const MAX_VALUE = 16 * 1024;

function bad(message: string, field?: string): never {
  throw new MalformedError('invalid_request', message, undefined, { field, reason: 'malformed' });
}

export function parseExchangeRequest(contentType: string | undefined, body: Uint8Array | undefined): ExchangeRequest {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') bad('a token-exchange request is application/x-www-form-urlencoded (RFC 8693 §2.1)', 'content-type');
  if (body === undefined || body.length === 0) bad('the token-exchange request has no body');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    bad('the request body is not UTF-8');
  }
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (params.has(name)) bad(`parameter "${name}" appears more than once`, name);
    if (value.length > MAX_VALUE) bad(`parameter "${name}" is longer than ${MAX_VALUE} characters`, name);
    params.set(name, value);
  }
  const grantType = params.get(P.grantType);
  if (grantType === undefined) bad(`"${P.grantType}" is required`, P.grantType);
  if (grantType !== TOKEN_EXCHANGE.grantType) {
    throw new AAuthError('unsupported_grant_type', `only ${TOKEN_EXCHANGE.grantType} is served here`, { field: P.grantType, actual: grantType });
  }
  const subjectToken = params.get(P.subjectToken);
  if (!subjectToken) bad(`"${P.subjectToken}" is required`, P.subjectToken);
  const jwtTypes: readonly string[] = [TOKEN_EXCHANGE.tokenTypes.jwt, TOKEN_EXCHANGE.tokenTypes.accessToken];
  const subjectType = params.get(P.subjectTokenType);
  if (subjectType === undefined || !jwtTypes.includes(subjectType)) bad(`"${P.subjectTokenType}" must be ${jwtTypes.join(' or ')}`, P.subjectTokenType);
  const actorToken = params.get(P.actorToken);
  const actorType = params.get(P.actorTokenType);
  // RFC 8693 §2.1: actor_token_type is REQUIRED with actor_token and MUST NOT appear without it.
  if ((actorToken === undefined) !== (actorType === undefined)) bad(`"${P.actorToken}" and "${P.actorTokenType}" come together`, P.actorTokenType);
  if (actorType !== undefined && actorType !== TOKEN_EXCHANGE.tokenTypes.jwt) bad(`"${P.actorTokenType}" must be ${TOKEN_EXCHANGE.tokenTypes.jwt}`, P.actorTokenType);
  const requested = params.get(P.requestedTokenType);
  if (requested !== undefined && !jwtTypes.includes(requested)) bad(`"${P.requestedTokenType}" must be ${jwtTypes.join(' or ')}`, P.requestedTokenType);
  return {
    subjectToken,
    actorToken: actorToken || undefined,
    target: params.get(P.audience) ?? params.get(P.resource),
    scope: params.get(P.scope),
  };
}
