/**
 * Verify a request to the token endpoint or a pending URL: the RFC 9421 signature and the agent
 * behind it (auth-server contract, "Request signature"; 2026-03 §Request Verification).
 *
 * Steps (core's `verifyRequest` runs 1–4 before any network access):
 *  1. `Signature`, `Signature-Input`, `Signature-Key` present; one label.
 *  2. Covered components: `@method @authority @path signature-key`, and under the realm's
 *     `aauth.signatureComponents` = `strict` (default) `@query` with a query and
 *     `content-type content-digest` with a body (`draft-minimum`: the four only).
 *     A refusal names them in `required_components`.
 *  3. `created` within the realm's window (`aauth.signatureWindow`, default ±60 s).
 *  4. `Content-Digest`, when covered, matches the raw body bytes.
 *  5. Scheme: `jwt` (an `agent+jwt`), `jwks_uri` or `x509`. `hwk` is refused: pseudonymous
 *     callers get no tokens here. `x509` is refused at once when the realm has no trust anchors
 *     (`aauth.x509TrustAnchors`).
 *  6. The agent is an enabled agent client of the realm — checked before fetching anything from
 *     its identifier, so unknown parties cannot make us fetch arbitrary URLs (`access_denied`).
 *     For `x509` the claimed agent is the origin of `x5u`: the chain is served by the agent itself.
 *  7. jwt: the agent token verifies with the key from `{iss}/.well-known/aauth-agent.json`
 *     (`typ`, signature, `exp`, `iat`, `aud` if present lists our issuer); its `cnf.jwk` is the
 *     key the HTTP signature is checked with, so `cnf.jwk` = signing key holds by construction.
 *     jwks_uri: the key `kid` from `{id}/.well-known/aauth-agent.json` → `jwks_uri`.
 *     x509: the PEM chain at `x5u` validates to a realm anchor (core `X509CertificateVerifier`)
 *     and the leaf names the agent as a URI subjectAltName; the key is the leaf's.
 *  8. The HTTP signature verifies.
 *
 * Does not check: anything in the body beyond its digest.
 */
import {
  AAuthError, PROFILE, SignatureError, TokenError, X509CertificateVerifier, isThenable, keyUnavailableMessage, peekClaims, requireAgentDocument, verifyAgentToken, verifyRequestNow,
  type AgentTokenClaims, type KeyDiscovery, type PublicJwk, type ResolvedKey, type SignatureKey, type VerifiedRequest, type X509SignatureKey,
} from '@aauth-ts/core';
import { knownAgent } from '../policy/decide.js';
import type { RealmModel } from '../realm/types.js';
import type { VerifiedTokens } from '../token/verified-tokens.js';
import type { AuthenticatedAgent, IncomingRequest } from './types.js';

export interface AuthenticateOptions {
  readonly realm: RealmModel;
  readonly issuer: string;
  /** Discovery of agent keys (metadata + JWKS, guarded and cached). */
  readonly keys: KeyDiscovery;
  /** Verdicts of agent tokens already verified (token/verified-tokens.ts). */
  readonly agentTokens: VerifiedTokens<AgentTokenClaims>;
  readonly now: number;
}

interface Resolved { readonly agentId: string; readonly scheme: AuthenticatedAgent['scheme'] }

function unknownAgent(agentId: string, realm: RealmModel): never {
  throw new AAuthError('access_denied', `agent ${agentId} is not an enabled agent of realm ${realm.name}`, { field: 'agent', reason: 'unknown', actual: agentId });
}

/**
 * The key of the request's signer. An agent token whose verdict is kept (and whose issuer key the
 * discovery caches still give) is answered at once; everything else with a promise.
 */
function resolveKey(signatureKey: SignatureKey, options: AuthenticateOptions): ResolvedKey<Resolved> | Promise<ResolvedKey<Resolved>> {
  if (signatureKey.scheme !== 'jwt') return otherKey(signatureKey, options);
  const token = signatureKey.jwt;
  const claims = options.agentTokens.claims(token, options.keys, options.now, (keys) => {
    const claimed = peekClaims(token, 'invalid_agent_token').iss;
    if (typeof claimed !== 'string') throw new TokenError('invalid_agent_token', 'agent token claim "iss" is missing or not a string', { field: 'iss', reason: 'missing' });
    if (!knownAgent(options.realm, claimed)) unknownAgent(claimed, options.realm);
    return verifyAgentToken(token, { keys, identifiers: { allowLoopbackHttp: options.realm.settings.allowLoopback }, audience: options.issuer, now: options.now });
  }, (kept) => knownAgent(options.realm, kept.iss) !== undefined);
  return isThenable(claims) ? claims.then(agentTokenKey) : agentTokenKey(claims);
}

function agentTokenKey(claims: AgentTokenClaims): ResolvedKey<Resolved> {
  return { jwk: claims.cnf.jwk, info: { agentId: claims.iss, scheme: 'jwt' } };
}

async function otherKey(signatureKey: SignatureKey, options: AuthenticateOptions): Promise<ResolvedKey<Resolved>> {
  if (signatureKey.scheme === 'jwks_uri') {
    if (!knownAgent(options.realm, signatureKey.id)) unknownAgent(signatureKey.id, options.realm);
    requireAgentDocument(signatureKey);
    let jwk: PublicJwk;
    try {
      jwk = await options.keys.getKey(signatureKey.id, PROFILE.wellKnown.agent, signatureKey.kid);
    } catch (cause) {
      throw new SignatureError('invalid_signature', keyUnavailableMessage(cause), { field: 'kid', reason: 'unknown_key', cause });
    }
    return { jwk, info: { agentId: signatureKey.id, scheme: 'jwks_uri' } };
  }
  if (signatureKey.scheme === 'x509') return certificateKey(signatureKey, options);
  // Unreachable: verifyRequest enforces allowedSchemes first.
  throw new SignatureError('invalid_signature', `Signature-Key scheme "${signatureKey.scheme}" is not accepted here`, { reason: 'unsupported_scheme' });
}

/** The origin of `x5u`, or undefined when it is not an absolute http(s) URL. */
function x5uOrigin(x5u: string): string | undefined {
  if (!URL.canParse(x5u)) return undefined;
  const url = new URL(x5u);
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined;
}

async function certificateKey(signatureKey: X509SignatureKey, options: AuthenticateOptions): Promise<{ jwk: PublicJwk; info: Resolved }> {
  const verifier = new X509CertificateVerifier({ anchors: options.realm.settings.x509TrustAnchors, fetcher: options.keys.fetcher, now: () => options.now });
  verifier.requireAnchors();
  const agentId = x5uOrigin(signatureKey.x5u);
  if (agentId === undefined || !knownAgent(options.realm, agentId)) {
    throw new AAuthError('access_denied', `x5u must be served by an enabled agent of realm ${options.realm.name} (its origin is the agent identifier)`, { field: 'x5u', reason: 'unknown', actual: signatureKey.x5u });
  }
  const { jwk, info } = await verifier.resolve(signatureKey);
  if (!info.uris.includes(agentId)) {
    throw new SignatureError('invalid_signature', `the leaf certificate does not name agent ${agentId} as a URI subjectAltName`, { field: 'x5u', reason: 'x509_agent_mismatch', expected: agentId, actual: info.uris });
  }
  return { jwk, info: { agentId, scheme: 'x509' } };
}

/** The caller, at once when its agent token's verdict is kept (see `resolveKey`), else with a promise. */
export function authenticateRequest(request: IncomingRequest, options: AuthenticateOptions): AuthenticatedAgent | Promise<AuthenticatedAgent> {
  const verified = verifyRequestNow<Resolved>(
    { method: request.method, url: request.url, target: request.target, headers: request.headers, body: request.body },
    {
      resolveKey: (key) => resolveKey(key, options),
      windowSeconds: options.realm.settings.signatureWindow,
      componentPolicy: options.realm.settings.signatureComponents,
      now: options.now,
      allowedSchemes: ['jwt', 'jwks_uri', 'x509'],
    },
  );
  return isThenable(verified) ? verified.then(authenticated) : authenticated(verified);
}

function authenticated(verified: VerifiedRequest<Resolved>): AuthenticatedAgent {
  return { agentId: verified.info.agentId, jwk: verified.jwk, jkt: verified.thumbprint, scheme: verified.info.scheme };
}
