import type { PublicJwk } from '@aauth-ts/core';

/** The framework-neutral view of an incoming request the endpoints work on. */
export interface IncomingRequest {
  readonly method: string;
  /** Absolute URL as addressed by the client (its authority is the signed `@authority`). */
  readonly url: string;
  /** The request target as received; signature verification refuses one `url` does not spell as sent. */
  readonly target: string;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The raw body bytes, exactly as received (digests are checked over these). */
  readonly body: Uint8Array | undefined;
}

/** Who signed a request, after signature and agent identity have been verified. */
export interface AuthenticatedAgent {
  /**
   * The agent identifier: the agent token's `iss`, the `jwks_uri` scheme's `id`, or for `x509` the
   * origin of `x5u`, which the leaf certificate must name as a URI subjectAltName.
   */
  readonly agentId: string;
  /** The key that made the HTTP signature. */
  readonly jwk: PublicJwk;
  /** RFC 7638 thumbprint of `jwk`. */
  readonly jkt: string;
  readonly scheme: 'jwt' | 'jwks_uri' | 'x509';
}
