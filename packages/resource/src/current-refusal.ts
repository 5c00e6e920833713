/**
 * A request that failed verification, answered in the current profile
 * (draft-hardt-oauth-aauth-protocol §Verification (Server), §Authentication Errors): `401` with the
 * machine-readable cause in `Signature-Error` (the Signature-Key draft's codes), the body a problem
 * with the AAuth code. A refused token keeps its own code in the body (`invalid_person_token`,
 * `invalid_auth_token`, …) and is `invalid_jwt` / `expired_jwt` / `issuer_mismatch` in the header,
 * or, for its `cnf.jwk` (the signing key), `unsupported_algorithm` / `invalid_key` (core's
 * `signatureErrorForToken`, as the auth server answers);
 * missing covered components are `invalid_input` with `required_input`. Capacity refusals (the
 * replay cache's `429`/`503`) are not signature errors and keep their status, without the header.
 */
import {
  AAUTH_2026_03, AAuthError, SignatureRejection, TokenError, isAAuthError, signatureErrorForToken, signatureRejection,
  type SignatureErrorCode,
} from '@aauth-ts/core';

const REQUIRED_COMPONENTS = AAUTH_2026_03.signatureComponents.errorMember;

/** `401` with core's headers for `code` (`Accept-Signature-Alg` beside `unsupported_algorithm`); the body keeps the token's own code. */
function withSignatureError(err: AAuthError, code: SignatureErrorCode): AAuthError {
  return new AAuthError(err.code, err.message, { ...err.detail, cause: err }, { status: 401, headers: { ...err.headers, ...signatureRejection(code, err.message).headers } });
}

export function asCurrentRefusal(err: unknown): unknown {
  if (!isAAuthError(err) || err instanceof SignatureRejection || err.status >= 500 || err.status === 429) return err;
  const required = err.extras[REQUIRED_COMPONENTS];
  if (Array.isArray(required)) return signatureRejection('invalid_input', err.message, { requiredInput: required as string[] });
  if (err instanceof TokenError || err.detail.field === 'typ') return withSignatureError(err, signatureErrorForToken(err));
  return withSignatureError(err, err.code === 'invalid_request' ? 'invalid_request' : 'invalid_signature');
}
