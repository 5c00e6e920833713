/** Errors of the current profile: RFC 9457 problem+json (§Error Response Format) and Signature-Error (§Verification (Server), §Signature-Key Scheme Rejection). */
import { readFileSync } from 'node:fs';
import {
  AAUTH_CURRENT, TokenError, FetchError, AAuthError, missionTerminatedProblem, parseProblem, parseSignatureError, parseTokenList, problemFor, problemResponse,
  schemeRejection, serializeSignatureError, signatureErrorForToken, signatureRejection,
} from '@aauth-ts/core';

describe('problem+json', () => {
  it('an endpoint error is application/problem+json with error and detail, at the draft\'s status', () => {
    const res = problemFor('expired_resource_token', 'The resource token expired; obtain a new resource token from the resource and retry.');
    expect(res.status).toBe(400);
    expect(res.headers['Content-Type']).toBe('application/problem+json');
    expect(res.body).toEqual({ error: 'expired_resource_token', detail: 'The resource token expired; obtain a new resource token from the resource and retry.' });
  });

  it('each code of §Token Endpoint, §Polling, §Mission Endpoint and §Interaction Endpoint Error Codes has its status', () => {
    expect(AAUTH_CURRENT.errors).toMatchObject({
      invalid_request: 400, invalid_agent_token: 400, expired_agent_token: 400, invalid_resource_token: 400, expired_resource_token: 400,
      unknown_person_token: 400, user_unreachable: 403, server_error: 500, denied: 403, abandoned: 403, expired: 408, invalid_code: 410,
      slow_down: 429, mission_not_found: 404, mission_terminated: 403, interaction_unavailable: 424, invalid_person_token: 400, invalid_account: 400,
    });
  });

  it('mission_terminated carries mission_status terminated and the termination_reason (§Mission Status Errors)', () => {
    const res = missionTerminatedProblem('expired');
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: 'mission_terminated', mission_status: 'terminated', termination_reason: 'expired' });
  });

  it('a received problem body needs a string error; detail, if present, is a string', () => {
    expect(parseProblem({ error: 'denied', detail: 'no', extra: 1 })).toMatchObject({ error: 'denied' });
    expect(() => parseProblem({ detail: 'x' })).toThrow(AAuthError);
    expect(() => parseProblem({ error: 'x', detail: 3 })).toThrow(AAuthError);
    expect(() => parseProblem([])).toThrow(AAuthError);
  });

  it('a 403 never carries Signature-Error or Accept-Signature-* headers', () => {
    const err = new AAuthError('denied', 'no', {}, { status: 403, headers: { 'Signature-Error': 'error=invalid_signature', 'Accept-Signature-Scheme': 'jwt' } });
    expect(Object.keys(problemResponse(err).headers)).toEqual(['Content-Type']);
  });
});

describe('Signature-Error', () => {
  it('a Signature-Key scheme other than jwt is refused with 401, unsupported_scheme and Accept-Signature-Scheme: jwt', () => {
    const res = schemeRejection('hwk');
    expect(res.status).toBe(401);
    expect(res.headers['Signature-Error']).toBe('error=unsupported_scheme');
    expect(res.headers['Accept-Signature-Scheme']).toBe('jwt');
    expect(res.body).toMatchObject({ error: 'unsupported_scheme', type: 'urn:ietf:params:sig-error:unsupported_scheme' });
  });

  it('unsupported_algorithm names exactly the shared list (data/accept-signature-algs.json, read by the Keycloak provider too) in Accept-Signature-Alg', () => {
    const res = problemResponse(signatureRejection('unsupported_algorithm', 'alg EdDSA is polymorphic'));
    const shared = (JSON.parse(readFileSync(new URL('../../data/accept-signature-algs.json', import.meta.url), 'utf8')) as { algorithms: string[] }).algorithms;
    expect(parseTokenList(res.headers['Accept-Signature-Alg'] as string)).toEqual(shared);
    expect(shared).toEqual(['Ed25519', 'ES256', 'RS256', 'PS512']);
    expect(res.headers['Accept-Signature-Scheme']).toBeUndefined();
  });

  it('invalid_input lists required_input in the header and the body', () => {
    const res = problemResponse(signatureRejection('invalid_input', 'content-digest is required', { requiredInput: ['@method', '@authority', '@path', 'signature-key', 'content-type', 'content-digest'] }));
    expect(res.headers['Signature-Error']).toBe('error=invalid_input, required_input=("@method" "@authority" "@path" "signature-key" "content-type" "content-digest")');
    expect(parseSignatureError(res.headers['Signature-Error'] as string).requiredInput).toHaveLength(6);
    expect(res.body.required_input).toHaveLength(6);
  });

  it('Signature-Error parses the Signature-Key draft\'s examples and refuses what is not a dictionary with a token error', () => {
    expect(parseSignatureError('error=unsupported_algorithm, supported_algorithms=("ed25519" "ecdsa-p256-sha256")')).toEqual({ error: 'unsupported_algorithm' });
    expect(parseSignatureError(serializeSignatureError({ error: 'expired_jwt' }))).toEqual({ error: 'expired_jwt' });
    for (const bad of ['error="invalid_jwt"', 'error=', 'required_input=("x")', 'error=a, error=b', 'error=invalid_input, required_input=(1 2)']) expect(() => parseSignatureError(bad)).toThrow(AAuthError);
  });

  it('a refused token in Signature-Key is expired_jwt, issuer_missing / issuer_mismatch, or invalid_jwt', () => {
    expect(signatureErrorForToken(new TokenError('invalid_auth_token', 'x', { reason: 'expired' }))).toBe('expired_jwt');
    const mismatch = new FetchError('invalid_document', 'x', { reason: 'issuer_mismatch' });
    expect(signatureErrorForToken(new TokenError('invalid_auth_token', 'x', { reason: 'key_unavailable', cause: mismatch }))).toBe('issuer_mismatch');
    expect(signatureErrorForToken(new TokenError('invalid_auth_token', 'x', { reason: 'bad_signature' }))).toBe('invalid_jwt');
  });

  it('a token whose cnf.jwk (the signing key) has no fully specified alg is unsupported_algorithm; one whose alg disagrees with kty/crv is invalid_key', () => {
    expect(signatureErrorForToken(new TokenError('invalid_agent_token', 'x', { field: 'cnf', reason: 'alg_not_fully_specified' }))).toBe('unsupported_algorithm');
    expect(signatureErrorForToken(new TokenError('invalid_auth_token', 'x', { field: 'cnf', reason: 'alg_mismatch' }))).toBe('invalid_key');
    expect(signatureErrorForToken(new TokenError('invalid_auth_token', 'x', { field: 'cnf', reason: 'key_mismatch' }))).toBe('invalid_jwt');
  });
});
