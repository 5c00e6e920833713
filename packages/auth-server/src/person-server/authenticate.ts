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
import { AAUTH_CURRENT, TokenError, peekClaims, signatureErrorForToken, signatureRejection, statusOf, verifyRequest, type PublicJwk, type SignatureKey } from '@aauth-ts/core';
import type { AuthServerContext } from '../context.js';
import { knownAgent } from '../policy/decide.js';
import type { IncomingRequest } from '../request/types.js';
import { psError } from './errors.js';
import type { PersonServerState } from './state.js';
import type { AgentClaims } from './tokens.js';

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
async function verifyPresentedAgentToken(ctx: AuthServerContext, ps: PersonServerState, token: string, what: string): Promise<AgentClaims> {
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

/**
 * The agent token carries the signing key, so its failures are signature failures too: `401` with
 * the `Signature-Error` core names for it (`signatureErrorForToken`: §Verification (Server) steps 5
 * and 6, `cnf.jwk` alg faults included). Core already answers the signature's own failures so. A
 * refusal of the agent provider (403) stays.
 */
function asSignatureRejection(err: unknown): unknown {
  if (!(err instanceof TokenError)) return err;
  return signatureRejection(signatureErrorForToken(err), err.message);
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
      personOrAccessServer: true,
      profile: AAUTH_CURRENT,
      now: ctx.now(),
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

/** Whom the token to issue binds: the signer, or the sub-agent it asks for. */
export interface TokenSubject {
  readonly cnfJwk: PublicJwk;
  /** The earliest `exp` of the agent tokens presented: nothing issued outlives it. */
  readonly agentExp: number;
  readonly subagent: string | undefined;
}

/**
 * §Parent-Mediated Authorization: with a `subagent_token`, the token issued binds the sub-agent's
 * key, and that agent token's `parent_agent` must name the signing agent (`invalid_agent_token`).
 */
export async function tokenSubject(ctx: AuthServerContext, ps: PersonServerState, caller: PsCaller, subagentToken: string | undefined): Promise<TokenSubject> {
  if (subagentToken === undefined) return { cnfJwk: caller.jwk, agentExp: caller.exp, subagent: undefined };
  const sub = await verifyPresentedAgentToken(ctx, ps, subagentToken, AAUTH_CURRENT.tokenRequest.subagentToken);
  if (sub.parentAgent !== caller.agentId) psError('invalid_agent_token', `subagent_token's "parent_agent" must name the signing agent ${caller.agentId}`);
  return { cnfJwk: sub.jwk, agentExp: Math.min(caller.exp, sub.exp), subagent: sub.sub };
}
