/**
 * The current profile (draft-hardt-oauth-aauth-protocol) against PyPI `aauth` (0.5.x, with
 * `aauth-signing`), both ways, with no network: each side's keys are handed to the other as a
 * JWKS per issuer.
 *
 * Tokens: Python issues `aa-agent+jwt`, `aa-person+jwt`, `aa-resource+jwt` and `aa-auth+jwt` →
 * core's `verifyAa*Token` (the resource token also against the person-token record a PS keeps,
 * §Resource Token Verification step 6); core issues the same four → the library's verifiers.
 * Signatures: `sig=jwt` carrying each of the agent, person and auth token × GET, GET with a query,
 * POST with a JSON body; Python signs → core `verifyRequest` (the carried token verified by type);
 * core signs → the library's `verify_signature`.
 */
import {
  createAaAgentToken, createAaAuthToken, createAaPersonToken, createAaResourceToken, generateSigningKey, matchPersonTokenRecord, peekTyp,
  signRequest, toJwks, verifyAaAgentToken, verifyAaAuthToken, verifyAaPersonToken, verifyAaResourceToken, verifyRequest,
  type IssuerKeySource, type JwkSet, type PublicJwk, type SignableRequest, type SigningKey,
} from '@aauth-ts/core';
import { oneLine, reasonOf, type Verdict } from './our-side.js';
import { runPython, type Release } from './python-aauth.js';
import { type MatrixCell, type Row } from './table.js';

export const TOKEN_KINDS = ['aa-agent', 'aa-person', 'aa-resource', 'aa-auth'] as const;
/** A Python agent token whose identifier has upper-case letters (§Agent Identifiers: lower case only). */
export const UPPER_CASE_AGENT = 'aa-agent, "Py-Agent"';
/** Our person token from a PS whose issuer has our Person Server's `/realms/{realm}` path. */
export const REALM_ISSUER_PERSON = 'aa-person, iss …/realms/{realm}';

export type TokenKind = (typeof TOKEN_KINDS)[number];
export const CARRIERS = ['aa-agent', 'aa-person', 'aa-auth'] as const;
export type Carrier = (typeof CARRIERS)[number];
export const REQUEST_KINDS = ['GET', 'GET ?query', 'POST json', 'GET, Signature as base64url'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export interface TokenCell extends MatrixCell { readonly direction: 'py→core' | 'core→py'; readonly scheme: 'token'; readonly request: TokenKind | typeof UPPER_CASE_AGENT | typeof REALM_ISSUER_PERSON }
export interface SignatureCell extends MatrixCell { readonly direction: 'py→core' | 'ours→py'; readonly scheme: Carrier; readonly request: RequestKind }

/** Python's identifiers (fixed in `python/current.py`) and ours: https, as the library demands. */
const PY = { agent: 'https://py-agent.example', ps: 'https://py-ps.example', resource: 'https://py-resource.example' } as const;
const OURS = { agent: 'https://ts-agent.example', ps: 'https://ts-ps.example', resource: 'https://ts-resource.example' } as const;
/** Our Person Server's issuer layout, `{origin}/realms/{realm}`. */
const REALM_PS = `${OURS.ps}/realms/interop`;
const SHORT: Readonly<Record<TokenKind, 'agent' | 'person' | 'resource' | 'auth'>> = { 'aa-agent': 'agent', 'aa-person': 'person', 'aa-resource': 'resource', 'aa-auth': 'auth' };

interface RequestShape { readonly kind: RequestKind; readonly method: string; readonly path: string; readonly body?: string }
const REQUESTS: readonly RequestShape[] = [
  { kind: 'GET', method: 'GET', path: '/api/documents' },
  { kind: 'GET ?query', method: 'GET', path: '/api/documents?page=2&sort=name' },
  { kind: 'POST json', method: 'POST', path: '/api/orders', body: '{"sku":"A-1","qty":2}' },
];
/**
 * Our GET with its `Signature` re-encoded as unpadded base64url, the one encoding the library
 * reads: whatever else it checks shows past that refusal (RFC 8941 §3.3.5 byte sequences are base64).
 */
const BASE64URL_SIGNATURE: RequestShape = { kind: 'GET, Signature as base64url', method: 'GET', path: '/api/documents' };
const BODY_COMPONENTS = ['content-type', 'content-digest'];

/** `label=:base64:` → `label=:base64url:` without padding. */
const asBase64url = (signature: string): string => signature.replace(/=:([A-Za-z0-9+/=]+):/, (_m, b64: string) => `=:${Buffer.from(b64, 'base64').toString('base64url')}:`);


/** Keys by issuer and `kid`, from JWKS handed over (no network on either side). */
export function keysFrom(jwksByIssuer: Readonly<Record<string, JwkSet>>): IssuerKeySource {
  return {
    getKey: async (issuer, _document, kid) => {
      const jwk = jwksByIssuer[issuer]?.keys.find((k) => k.kid === kid);
      if (jwk === undefined) throw new Error(`no key ${String(kid)} for ${issuer}`);
      return jwk;
    },
  };
}

interface OurSide {
  readonly jwks: Record<string, JwkSet>;
  readonly tokens: Record<'agent' | 'person' | 'resource' | 'auth' | 'realmPerson', string>;
  readonly delegate: SigningKey;
}

async function ourTokens(): Promise<OurSide> {
  const provider = generateSigningKey('Ed25519', 'ts-agent-provider-1');
  const ps = generateSigningKey('Ed25519', 'ts-ps-1');
  const resource = generateSigningKey('Ed25519', 'ts-resource-1');
  const delegate = generateSigningKey('Ed25519', 'ts-delegate');
  const sub = 'ts-directed-person-1';
  const agent = await createAaAgentToken(provider, { iss: OURS.agent, sub: 'aauth:ts-agent@ts-agent.example', cnfJwk: delegate.publicJwk, ps: OURS.ps });
  const person = await createAaPersonToken(ps, { iss: OURS.ps, aud: OURS.resource, sub, cnfJwk: delegate.publicJwk });
  const presentedJti = (JSON.parse(Buffer.from(person.split('.')[1] as string, 'base64url').toString('utf8')) as { jti: string }).jti;
  const resourceToken = await createAaResourceToken(resource, { iss: OURS.resource, aud: OURS.ps, ps: OURS.ps, sub, presentedJti, agentJkt: delegate.thumbprint, scope: 'inventory:read' });
  const auth = await createAaAuthToken(ps, { iss: OURS.ps, issuer: 'person', aud: OURS.resource, ps: OURS.ps, sub, cnfJwk: delegate.publicJwk, scope: 'inventory:read' });
  const realmPerson = await createAaPersonToken(ps, { iss: REALM_PS, aud: OURS.resource, sub, cnfJwk: delegate.publicJwk });
  return {
    delegate,
    tokens: { agent, person, resource: resourceToken, auth, realmPerson },
    jwks: { [OURS.agent]: toJwks([provider], 'aauth-current'), [OURS.ps]: toJwks([ps], 'aauth-current'), [REALM_PS]: toJwks([ps], 'aauth-current'), [OURS.resource]: toJwks([resource], 'aauth-current') },
  };
}

interface PeerAnswer {
  readonly version: string;
  readonly jwks: Record<string, JwkSet>;
  readonly tokens: Record<'agent' | 'person' | 'resource' | 'auth' | 'agent_upper', string>;
  readonly verified: { id: string; ok: boolean; error?: string }[];
  readonly signed: { id: string; headers?: Record<string, string>; error?: string }[];
}

const verdict = async (check: () => Promise<unknown>): Promise<Verdict> => {
  try {
    await check();
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: reasonOf(err) };
  }
};

/** Core's verifier for each Python token, as the party that receives it would run it. */
async function coreVerifiesToken(kind: TokenKind, tokens: PeerAnswer['tokens'], keys: IssuerKeySource): Promise<Verdict> {
  switch (kind) {
    case 'aa-agent': return verdict(() => verifyAaAgentToken(tokens.agent, { keys }));
    case 'aa-person': return verdict(() => verifyAaPersonToken(tokens.person, { keys, audience: PY.resource }));
    case 'aa-auth': return verdict(() => verifyAaAuthToken(tokens.auth, { keys, audience: PY.resource }));
    case 'aa-resource': return verdict(async () => {
      // The PS's step 6: its record of the person token the resource names by `presented_jti`.
      const person = await verifyAaPersonToken(tokens.person, { keys, audience: PY.resource });
      const claims = await verifyAaResourceToken(tokens.resource, { keys, audience: PY.ps });
      matchPersonTokenRecord(claims, { jti: person.jti, ps: person.iss, sub: person.sub, exp: person.exp });
    });
  }
}

/** The carried token verified by its `typ`, its `cnf.jwk` the request key (core `verifyRequest`). */
async function coreVerifiesRequest(request: SignableRequest, keys: IssuerKeySource): Promise<Verdict> {
  return verdict(() => verifyRequest(request, {
    resolveKey: async (sk) => {
      if (sk.scheme !== 'jwt') throw new Error(`unexpected scheme ${sk.scheme}`);
      const typ = peekTyp(sk.jwt);
      const claims = typ === 'aa-agent+jwt' ? await verifyAaAgentToken(sk.jwt, { keys })
        : typ === 'aa-person+jwt' ? await verifyAaPersonToken(sk.jwt, { keys, audience: PY.resource })
          : await verifyAaAuthToken(sk.jwt, { keys, audience: PY.resource });
      return { jwk: claims.cnf.jwk as PublicJwk, info: null };
    },
  }));
}

const headersOf = (shape: RequestShape): Record<string, string> => (shape.body === undefined ? {} : { 'content-type': 'application/json' });
const bodyOf = (shape: RequestShape): { body?: string } => (shape.body === undefined ? {} : { body: shape.body });

export interface CurrentCells { readonly version: string; readonly tokens: TokenCell[]; readonly signatures: SignatureCell[] }

/** Every cell for one release. */
export async function runCurrent(release: Release): Promise<CurrentCells> {
  const ours = await ourTokens();
  const tokenJobs: { id: string; kind: string; token: string; aud: string; presented: string }[] = TOKEN_KINDS.map((kind) => ({
    id: kind, kind: SHORT[kind], token: ours.tokens[SHORT[kind]],
    aud: kind === 'aa-resource' ? OURS.ps : OURS.resource, presented: ours.tokens.person,
  }));
  tokenJobs.push({ id: REALM_ISSUER_PERSON, kind: 'person', token: ours.tokens.realmPerson, aud: OURS.resource, presented: ours.tokens.person });
  const requestJobs = CARRIERS.flatMap((carrier) => [...REQUESTS, BASE64URL_SIGNATURE].map((shape) => {
    const request: SignableRequest = { method: shape.method, url: `${OURS.resource}${shape.path}`, headers: headersOf(shape), ...bodyOf(shape) };
    const signed = signRequest(request, { key: ours.delegate, signatureKey: { scheme: 'jwt', jwt: ours.tokens[SHORT[carrier] as 'agent' | 'person' | 'auth'] } });
    const signature = shape === BASE64URL_SIGNATURE ? asBase64url(signed.signature) : signed.signature;
    return { id: `${carrier}|${shape.kind}`, method: shape.method, url: request.url as string, headers: { ...headersOf(shape), ...signed, signature }, ...bodyOf(shape) };
  }));
  const signJobs = CARRIERS.flatMap((carrier) => REQUESTS.map((shape) => ({
    id: `${carrier}|${shape.kind}`, carrier: SHORT[carrier], method: shape.method, url: `${PY.resource}${shape.path}`, headers: headersOf(shape),
    ...bodyOf(shape), ...(shape.body === undefined ? {} : { components: BODY_COMPONENTS }),
  })));

  const answer = await runPython<PeerAnswer>(release.python, 'current.py', { ours: { jwks: ours.jwks, tokens: tokenJobs, requests: requestJobs }, sign: signJobs });
  const keys = keysFrom(answer.jwks);
  const found = (id: string): Verdict => {
    const v = answer.verified.find((r) => r.id === id);
    return v === undefined ? { ok: false, reason: 'no answer' } : { ok: v.ok, ...(v.ok ? {} : { reason: oneLine(v.error ?? '') }) };
  };

  const tokens: TokenCell[] = [];
  for (const kind of TOKEN_KINDS) tokens.push({ direction: 'py→core', scheme: 'token', request: kind, ...await coreVerifiesToken(kind, answer.tokens, keys) });
  tokens.push({ direction: 'py→core', scheme: 'token', request: UPPER_CASE_AGENT, ...await verdict(() => verifyAaAgentToken(answer.tokens.agent_upper, { keys })) });
  for (const kind of TOKEN_KINDS) tokens.push({ direction: 'core→py', scheme: 'token', request: kind, ...found(kind) });
  tokens.push({ direction: 'core→py', scheme: 'token', request: REALM_ISSUER_PERSON, ...found(REALM_ISSUER_PERSON) });

  const signatures: SignatureCell[] = [];
  for (const carrier of CARRIERS) {
    for (const shape of REQUESTS) {
      const signed = answer.signed.find((s) => s.id === `${carrier}|${shape.kind}`);
      const outcome: Verdict = signed?.headers === undefined
        ? { ok: false, reason: oneLine(`Python could not sign: ${signed?.error ?? 'no answer'}`) }
        : await coreVerifiesRequest({ method: shape.method, url: `${PY.resource}${shape.path}`, headers: signed.headers, ...bodyOf(shape) }, keys);
      signatures.push({ direction: 'py→core', scheme: carrier, request: shape.kind, ...outcome });
    }
  }
  for (const carrier of CARRIERS) {
    for (const shape of [...REQUESTS, BASE64URL_SIGNATURE]) signatures.push({ direction: 'ours→py', scheme: carrier, request: shape.kind, ...found(`${carrier}|${shape.kind}`) });
  }
  return { version: answer.version, tokens, signatures };
}

/** Rows of the token table: one per direction, the token types as columns. */
export function tokenRows(library: string, cells: readonly TokenCell[], why: (c: TokenCell) => string | undefined): Row[] {
  return cells.map((c) => {
    const deviation = c.ok ? undefined : why(c);
    return { keys: [library, c.direction, c.request], outcome: c.ok ? 'green' : 'RED', ...(c.ok ? {} : { reason: c.reason ?? '' }), ...(deviation === undefined ? {} : { why: deviation }) };
  });
}
