/**
 * JSON member names of token-endpoint and pending-URL responses (2026-03 §Token Endpoint,
 * §Deferred Responses, §Error Responses). Request members come from core's `PROFILE.tokenRequest`;
 * these are the response side, kept here in one place.
 */
export const RESPONSE_MEMBERS = Object.freeze({
  authToken: 'auth_token',
  expiresIn: 'expires_in',
  status: 'status',
  location: 'location',
  require: 'require',
  code: 'code',
  error: 'error',
  errorDescription: 'error_description',
  /** RFC 9457 problem details (current profile §Error Response Format). */
  detail: 'detail',
});

/** `Prefer: wait=N` (RFC 7240 §4.3), sent on token requests and polls. */
export { formatPreferWait as preferWait } from '@aauth-ts/core';
