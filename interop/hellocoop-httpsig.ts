/**
 * The signature matrix against `@hellocoop/httpsig` 2.x (npm), an independent RFC 9421 +
 * Signature-Key implementation that tracks a later Signature-Key draft (SK-08).
 *
 * Cells: `hwk`, `jwt` (an agent token) and `jwks_uri` (an agent server's key by `kid`) × GET, GET
 * with a query (its default components, and with `@query` added), POST with a JSON body, in three
 * directions: it signs (`fetch` with `dryRun`) → core `verifyRequest`; it signs and sends (`fetch`)
 * → an express resource with our middleware on loopback; we sign (`signRequest`) → its `verify`.
 * Our keys carry the fully specified `alg: "Ed25519"` and our `hwk` is written with `hwkAlg`, as
 * SK-08 requires (one row shows the 2026-03 default, without `alg`).
 *
 * Two measurement rows pin the `@query` deviation exactly: its signature over a query checked
 * directly against a signature base whose `@query` line drops the leading `?`, and its verifier
 * fed our query with the `?` kept. Both go green, so the `?` is the whole difference.
 */
import { createPublicKey, verify as edVerify, type JsonWebKey as NodeJwk } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fetch as hsFetch, verify as hsVerify } from '@hellocoop/httpsig';
import {
  createAgentToken, exportPrivateJwk, generateSigningKey, importSigningKey, signRequest,
  type SignableRequest, type SignatureKeyInput, type SigningKey,
} from '@aauth-ts/core';
import { coreVerify, oneLine, reasonOf, startAgentServerStub, startResource, verdictOf, type KeyedJwk, type Verdict } from './our-side.js';
import { matrixRows, type MatrixCell, type Table } from './table.js';

export type Direction = 'httpsig→core' | 'httpsig→express' | 'httpsig→base' | 'ours→httpsig';
export type Scheme = 'hwk' | 'jwt' | 'jwks_uri';
export type RequestKind = 'GET' | 'GET ?query' | 'GET ?query +@query' | 'POST json' | '@query without "?"' | 'GET ?query, "?" kept' | 'GET hwk without alg';

export interface Cell extends MatrixCell {
  readonly direction: Direction;
  readonly scheme: Scheme;
  readonly request: RequestKind;
}

interface RequestShape { readonly kind: RequestKind; readonly method: string; readonly path: string; readonly body?: string; readonly components?: readonly string[] }

const GET: RequestShape = { kind: 'GET', method: 'GET', path: '/api/documents' };
const QUERY: RequestShape = { kind: 'GET ?query', method: 'GET', path: '/api/documents?page=2&sort=name' };
const QUERY_COVERED: RequestShape = { ...QUERY, kind: 'GET ?query +@query', components: ['@method', '@authority', '@path', '@query', 'signature-key'] };
const POST: RequestShape = { kind: 'POST json', method: 'POST', path: '/api/orders', body: '{"sku":"A-1","qty":2}' };
const THEIR_REQUESTS = [GET, QUERY, QUERY_COVERED, POST] as const;
const OUR_REQUESTS = [GET, QUERY, POST] as const;
const SCHEMES: readonly Scheme[] = ['hwk', 'jwt', 'jwks_uri'];
const DIRECTIONS: readonly Direction[] = ['httpsig→core', 'httpsig→express', 'httpsig→base', 'ours→httpsig'];
const KINDS: readonly RequestKind[] = ['GET', 'GET ?query', 'GET ?query +@query', 'POST json', '@query without "?"', 'GET ?query, "?" kept', 'GET hwk without alg'];
const RESOURCE = 'https://resource.example';
const AGENT_SERVER = 'https://agent.example';
/** The agent document our `jwks_uri` names: its `dwk`, our `well-known`. */
const AGENT_DOCUMENT = 'aauth-agent.json';

const headersOf = (shape: RequestShape): Record<string, string> => (shape.body === undefined ? {} : { 'content-type': 'application/json' });

/** The installed version, from its package (the package exports no `package.json`). */
export function httpsigVersion(): string {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../node_modules/@hellocoop/httpsig/package.json', import.meta.url)), 'utf8')) as { version: string };
  return pkg.version;
}

type TheirSignatureKey = { type: 'hwk' } | { type: 'jwt'; jwt: string } | { type: 'jwks_uri'; id: string; kid: string; dwk: string };

function headersRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => { out[name] = value; });
  return out;
}

/**
 * Checks its signature directly over a signature base written out line by line (RFC 9421 §2.5),
 * with `@query` given as `query`: tells exactly which `@query` value it signed.
 */
function verifiesWithQuery(url: URL, headers: Record<string, string>, query: string, key: SigningKey): Verdict {
  const input = headers['signature-input'] ?? '';
  const params = input.slice(input.indexOf('=') + 1);
  const covered = [...(params.slice(0, params.indexOf(')')).matchAll(/"([^"]+)"/g))].map((m) => m[1] as string);
  const value = (name: string): string => {
    switch (name) {
      case '@method': return 'GET';
      case '@authority': return url.host;
      case '@path': return url.pathname;
      case '@query': return query;
      default: return headers[name] ?? '';
    }
  };
  const base = [...covered.map((name) => `"${name}": ${value(name)}`), `"@signature-params": ${params}`].join('\n');
  const signature = Buffer.from(/:([^:]*):/.exec(headers.signature ?? '')?.[1] ?? '', 'base64');
  const ok = edVerify(null, Buffer.from(base), createPublicKey({ key: key.publicJwk as unknown as NodeJwk, format: 'jwk' }), signature);
  return ok ? { ok } : { ok, reason: `its signature does not verify over "@query": ${query}` };
}

/** Asks its verifier about one of our requests; `query` overrides what it is told the query is. */
async function theirVerdict(request: SignableRequest, headers: Record<string, string>, query?: string): Promise<Verdict> {
  const url = new URL(request.url as string);
  const q = query ?? (url.search ? url.search.slice(1) : undefined);
  try {
    const result = await hsVerify({
      method: request.method, authority: url.host, path: url.pathname, ...(q === undefined ? {} : { query: q }), headers,
      ...(request.body === undefined ? {} : { body: request.body as string }),
    });
    return result.verified ? { ok: true } : { ok: false, reason: oneLine(result.error ?? 'verify() answers verified: false, no error') };
  } catch (err) {
    return { ok: false, reason: reasonOf(err) };
  }
}

/** Every cell of the matrix. */
export async function runMatrix(): Promise<Cell[]> {
  const stub = await startAgentServerStub();
  const resource = await startResource();
  try {
    const fresh = generateSigningKey('Ed25519');
    // SK-08 takes the algorithm from the key's own `alg`, and refuses the polymorphic `EdDSA`.
    const agentKey = importSigningKey({ ...exportPrivateJwk(fresh), alg: 'Ed25519', kid: 'hc-agent-1' });
    const agentServerKey = generateSigningKey('Ed25519', 'hc-agent-server-1');
    // The agent server publishes its own key (agent tokens) and the agent's (`jwks_uri`).
    const jwks: KeyedJwk[] = [{ ...agentKey.publicJwk, kid: 'hc-agent-1' }, { ...agentServerKey.publicJwk, kid: 'hc-agent-server-1' }];
    stub.publish(...jwks);
    // The core cells name an https agent server (core takes no loopback identifiers); the
    // express resource discovers the keys at the loopback agent server.
    const tokens = {
      core: await createAgentToken(agentServerKey, { iss: AGENT_SERVER, sub: 'aauth:hc-agent@agent.example', cnfJwk: agentKey.publicJwk }),
      express: await createAgentToken(agentServerKey, { iss: stub.server.origin, sub: 'aauth:hc-agent@agent.example', cnfJwk: agentKey.publicJwk }),
    };
    type Target = keyof typeof tokens;
    const agentServer = (target: Target): string => (target === 'core' ? AGENT_SERVER : stub.server.origin);
    const theirKey = (scheme: Scheme, target: Target): TheirSignatureKey => {
      if (scheme === 'hwk') return { type: 'hwk' };
      if (scheme === 'jwt') return { type: 'jwt', jwt: tokens[target] };
      return { type: 'jwks_uri', id: agentServer(target), kid: 'hc-agent-1', dwk: AGENT_DOCUMENT };
    };
    const ourKey = (scheme: Scheme): SignatureKeyInput => {
      if (scheme === 'hwk') return { scheme };
      if (scheme === 'jwt') return { scheme, jwt: tokens.core };
      return { scheme, id: AGENT_SERVER, kid: 'hc-agent-1', wellKnown: AGENT_DOCUMENT };
    };
    const signingKey = exportPrivateJwk(agentKey) as unknown as JsonWebKey;
    const theirInit = (scheme: Scheme, shape: RequestShape, target: Target) => ({
      method: shape.method, headers: headersOf(shape), signingKey, signatureKey: theirKey(scheme, target),
      ...(shape.body === undefined ? {} : { body: shape.body }), ...(shape.components === undefined ? {} : { components: [...shape.components] }),
    });

    const cells: Cell[] = [];
    const push = (direction: Direction, scheme: Scheme, request: RequestKind, verdict: Verdict): void => { cells.push({ direction, scheme, request, ...verdict }); };
    for (const scheme of SCHEMES) {
      for (const shape of THEIR_REQUESTS) {
        // It signs → core.
        const url = `${RESOURCE}${shape.path}`;
        let signed: Record<string, string> | undefined;
        try {
          signed = headersRecord((await hsFetch(url, { ...theirInit(scheme, shape, 'core'), dryRun: true }) as unknown as { headers: Headers }).headers);
        } catch (err) {
          push('httpsig→core', scheme, shape.kind, { ok: false, reason: `it could not sign: ${reasonOf(err)}` });
        }
        if (signed !== undefined) {
          push('httpsig→core', scheme, shape.kind, await coreVerify({ method: shape.method, url, headers: signed, ...(shape.body === undefined ? {} : { body: shape.body }) }, jwks));
          if (shape === QUERY_COVERED) push('httpsig→base', scheme, '@query without "?"', verifiesWithQuery(new URL(url), signed, new URL(url).search.slice(1), agentKey));
        }
        // It signs and sends → the express resource.
        try {
          const res = await hsFetch(`${resource.origin}${shape.path}`, theirInit(scheme, shape, 'express')) as Response;
          push('httpsig→express', scheme, shape.kind, await verdictOf(res));
        } catch (err) {
          push('httpsig→express', scheme, shape.kind, { ok: false, reason: `it could not send: ${reasonOf(err)}` });
        }
      }
      // We sign → its verifier.
      const options = { key: agentKey, signatureKey: ourKey(scheme), signatureKeyOptions: { hwkAlg: true } };
      for (const shape of OUR_REQUESTS) {
        const request: SignableRequest = { method: shape.method, url: `${RESOURCE}${shape.path}`, headers: headersOf(shape), ...(shape.body === undefined ? {} : { body: shape.body }) };
        const headers = { ...headersOf(shape), ...signRequest(request, options) };
        push('ours→httpsig', scheme, shape.kind, await theirVerdict(request, headers));
        if (shape === QUERY) push('ours→httpsig', scheme, 'GET ?query, "?" kept', await theirVerdict(request, headers, new URL(request.url as string).search));
      }
    }
    const plain: SignableRequest = { method: 'GET', url: `${RESOURCE}${GET.path}`, headers: {} };
    push('ours→httpsig', 'hwk', 'GET hwk without alg', await theirVerdict(plain, { ...signRequest(plain, { key: agentKey, signatureKey: { scheme: 'hwk' } }) }));

    const order = (c: Cell): string => `${DIRECTIONS.indexOf(c.direction)}${SCHEMES.indexOf(c.scheme)}${KINDS.indexOf(c.request)}`;
    return cells.sort((a, b) => order(a).localeCompare(order(b)));
  } finally {
    await Promise.all([stub.server.close(), resource.close()]);
  }
}

/** The matrix as an interop table; `why` names the deviation behind a known red cell. */
export function matrixTable(version: string, cells: readonly Cell[], why: (cell: Cell) => string | undefined): Table {
  return {
    id: '2-hellocoop-httpsig',
    title: `npm @hellocoop/httpsig@${version}: signatures`,
    head: ['library', 'direction', 'scheme', 'request'],
    rows: matrixRows(`httpsig ${version}`, cells, why),
  };
}
