/**
 * Who signed a request to a Person Server endpoint (draft-hardt-oauth-aauth-protocol §HTTP Message
 * Signatures Profile, §Keying Material, §Agent Token Verification):
 *  1. the RFC 9421 signature covers `@method @authority @path signature-key`, and on a request
 *     with a body `content-type content-digest` (§Covered Components: unconditional at PS
 *     endpoints, whatever the realm's `aauth.signatureComponents`), `created` within the window;
 *  2. the `Signature-Key` scheme is `jwt` (agents MUST use it; any other scheme is refused);
 *  3. the agent token's `iss`, the agent provider, is an enabled agent client of the realm, checked
 *     before anything is fetched from it (`access_denied`);
 *  4. the `aa-agent+jwt` verifies (core: `typ`, `dwk`, key via `{iss}/.well-known/aauth-agent.json`,
 *     `exp`, `iat`, `cnf.jwk`), and its `cnf.jwk` is the key the HTTP signature verifies with.
 * Sub-agents may not call the Person Server themselves (§Single-Level Depth): a token with
 * `parent_agent` is refused by the endpoints, which know when one is acceptable.
 */
import { AAUTH_CURRENT, AAuthError, TokenError, peekClaims, signatureErrorForToken, signatureRejection, statusOf, verifyRequest, type PublicJwk, type SignatureErrorCode, type SignatureKey } from '@aauth-ts/core';
import type { AuthServerContext } from '../context.js';
import { knownAgent } from '../policy/decide.js';
import type { IncomingRequest } from '../request/types.js';
import { psError } from './errors.js';
import type { PersonServerState } from './state.js';
import type { AgentClaims } from './tokens.js';

const AAUTH_SIGNATURE_ERROR = AAUTH_CURRENT.headers.signatureError;

export interface PsCaller {
  readonly provider: string;
  readonly agentId: string;
  readonly jwk: PublicJwk;
  /** RFC 7638 thumbprint of the signing key. */
  readonly jkt: string;
  /** `exp` of the agent token presented. */
  readonly exp: number;
  readonly parentAgent: string | undefined;
}

/** Verify an agent token presented in a body (`subagent_token`) or a `Signature-Key`. */
export async function verifyPresentedAgentToken(ctx: AuthServerContext, ps: PersonServerState, token: string, what: string): Promise<AgentClaims> {
  const malformed = (message: string): never => {
    throw new TokenError('invalid_agent_token', message, { reason: 'malformed' }, { status: statusOf('invalid_agent_token', AAUTH_CURRENT) });
  };
  let iss: unknown;
  try {
    iss = peekClaims(token, 'invalid_agent_token').iss;
  } catch {
    malformed(`${what} is not a JWT`);
  }
  if (typeof iss !== 'string') malformed(`${what} has no "iss"`);
  if (!knownAgent(ctx.realm, iss as string)) psError('access_denied', `agent provider ${String(iss)} is not an enabled agent client of realm ${ctx.realm.name}`);
  return ps.tokens.verifyAgentToken(token, ctx.now());
}

/** The `Signature-Error` code for a refusal of the signature itself (§Verification (Server)). */
function signatureErrorFor(err: AAuthError): SignatureErrorCode {
  switch (err.detail.reason) {
    case 'missing_component': return 'invalid_input';
    case 'unsupported_scheme': return 'unsupported_scheme';
    case 'unsigned':
    case 'missing': return 'invalid_request';
    default: return 'invalid_signature';
  }
}

/**
 * Every failure of the signature, or of the agent token that carries its key, is a `401` with a
 * `Signature-Error` (§Authentication Errors): `invalid_jwt` / `expired_jwt` for the agent token,
 * `invalid_input` with `required_input` for missing components, `unsupported_scheme` (with
 * `Accept-Signature-Scheme: jwt`) for another scheme. A refusal of the agent provider (403) stays.
 */
function asSignatureRejection(err: unknown): unknown {
  if (!(err instanceof AAuthError) || err.status === 403 || err.status >= 500 || err.headers[AAUTH_SIGNATURE_ERROR] !== undefined) return err;
  if (err instanceof TokenError) return signatureRejection(signatureErrorForToken(err), err.message);
  const code = signatureErrorFor(err);
  const required = err.detail.expected;
  return signatureRejection(code, err.message, code === 'invalid_input' && Array.isArray(required) ? { requiredInput: required as string[] } : {});
}

export async function authenticateAgent(ctx: AuthServerContext, ps: PersonServerState, request: IncomingRequest): Promise<PsCaller> {
  try {
    return await verifiedCaller(ctx, ps, request);
  } catch (err) {
    throw asSignatureRejection(err);
  }
}

async function verifiedCaller(ctx: AuthServerContext, ps: PersonServerState, request: IncomingRequest): Promise<PsCaller> {
  const verified = await verifyRequest<AgentClaims>(
    { method: request.method, url: request.url, target: request.target, headers: request.headers, body: request.body },
    {
      resolveKey: async (key: SignatureKey) => {
        if (key.scheme !== 'jwt') psError('invalid_agent_token', 'unreachable: only the jwt scheme is allowed');
        const claims = await verifyPresentedAgentToken(ctx, ps, key.jwt, 'the agent token');
        return { jwk: claims.jwk, info: claims };
      },
      windowSeconds: ctx.realm.settings.signatureWindow,
      componentPolicy: 'strict',
      now: ctx.now(),
      allowedSchemes: ['jwt'],
    },
  );
  const claims = verified.info;
  return { provider: claims.iss, agentId: claims.sub, jwk: verified.jwk, jkt: verified.thumbprint, exp: claims.exp, parentAgent: claims.parentAgent };
}

/** §Single-Level Depth: "A PS MUST reject a token request signed by an agent whose agent token has a `parent_agent` claim". */
export function refuseSubAgent(caller: PsCaller): void {
  if (caller.parentAgent !== undefined) {
    psError('invalid_agent_token', `agent ${caller.agentId} is a sub-agent of ${caller.parentAgent}: its parent obtains tokens for it (parent-mediated authorization)`);
  }
}
