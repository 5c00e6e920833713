/**
 * `{issuer}/.well-known/aauth-person.json` (draft-hardt-oauth-aauth-protocol §Person Server
 * Metadata): `issuer` is the issuer string itself, so a verifier that fetched the document from
 * `{issuer}/.well-known/aauth-person.json` finds the identifier it fetched it for.
 */
import { AAUTH_CURRENT, ACCEPT_SIGNATURE_ALGS } from '@aauth-ts/core';
import { ENDPOINT_PATHS, type AuthServerContext } from '../context.js';

export function personServerMetadata(ctx: AuthServerContext): Record<string, unknown> {
  const issuer = ctx.issuer();
  return {
    issuer,
    name: ctx.realm.displayName,
    person_token_endpoint: `${issuer}${ENDPOINT_PATHS.psPerson}`,
    auth_token_endpoint: `${issuer}${ENDPOINT_PATHS.psToken}`,
    mission_endpoint: `${issuer}${ENDPOINT_PATHS.psMission}`,
    interaction_endpoint: `${issuer}${ENDPOINT_PATHS.psInteraction}`,
    jwks_uri: `${issuer}${ENDPOINT_PATHS.jwks}`,
    // §Metadata Documents: the request-signing algorithms this server verifies (the list both servers share).
    [AAUTH_CURRENT.metadata.common.acceptSignatureAlgs]: ACCEPT_SIGNATURE_ALGS,
    scopes_supported: [...ctx.realm.scopes.keys()].filter((name) => ctx.realm.scopes.get(name)?.resource !== undefined),
  };
}
