/**
 * The signature matrix against the independent PyPI `aauth` library, one pinned release per
 * virtual environment under `.cache/interop/` (made by `interop/python/setup.sh`).
 *
 * Cells: for each release, `hwk` and `jwt` (agent token) × GET, GET with a query, POST with a JSON
 * body, in three directions: Python signs → core `verifyRequest`; Python signs → an express
 * resource with our middleware on loopback; we sign (`signRequest`) → Python's `verify_signature`.
 * Python-signed POSTs cover `content-type` and `content-digest`, which our resources ask for in
 * `additional_signature_components`. One extra row pins the `@authority` port deviation.
 * Each cell is green (verified) or red with the verifier's own one-line reason.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  PROFILE, createAgentToken, exportPrivateJwk, generateSigningKey, importSigningKey, signRequest, toJwks,
  type PublicJwk, type SignableRequest,
} from '@aauth-ts/core';
import { coreVerify, oneLine, sendTo, startAgentServerStub, startResource, type Verdict } from './our-side.js';
import { matrixRows, type MatrixCell, type Table } from './table.js';

const root = (path: string): string => fileURLToPath(new URL(`../${path}`, import.meta.url));

export type Direction = 'py→core' | 'py→express' | 'ours→py';
export type Scheme = 'hwk' | 'jwt';
export type RequestKind = 'GET' | 'GET ?query' | 'POST json' | 'GET :443' | 'GET hwk+alg';

export interface Cell extends MatrixCell {
  readonly release: string;
  readonly direction: Direction;
  readonly scheme: Scheme;
  readonly request: RequestKind;
}

export interface Release {
  /** `py-aauth-<version>`: the requirements file and the virtual environment share it. */
  readonly name: string;
  readonly python: string;
  readonly installed: boolean;
}

/** The pinned releases, whether or not their environments exist yet. */
export function pythonReleases(): Release[] {
  return readdirSync(root('interop/python/requirements')).filter((f) => f.endsWith('.txt')).sort().map((file) => {
    const name = file.slice(0, -'.txt'.length);
    const python = root(`.cache/interop/${name}/bin/python`);
    return { name, python, installed: existsSync(root(`.cache/interop/${name}/.installed`)) && existsSync(python) };
  });
}

interface RequestShape {
  readonly kind: RequestKind;
  readonly method: string;
  readonly path: string;
  readonly body?: string;
  readonly authority?: string;
}

const REQUESTS: readonly RequestShape[] = [
  { kind: 'GET', method: 'GET', path: '/api/documents' },
  { kind: 'GET ?query', method: 'GET', path: '/api/documents?page=2&sort=name' },
  { kind: 'POST json', method: 'POST', path: '/api/orders', body: '{"sku":"A-1","qty":2}' },
];
/** Python keeps an explicit default port in `@authority`; RFC 9421 §2.2.3 omits it. */
const DEFAULT_PORT_REQUEST: RequestShape = { kind: 'GET :443', method: 'GET', path: '/api/documents', authority: 'resource.example:443' };
/**
 * Our hwk key declared with the fully specified `alg: "Ed25519"` (`hwkAlg`), as later Signature-Key
 * drafts require: gets past that rule, so the cell shows the next refusal.
 */
const HWK_ALG_REQUEST: RequestShape = { kind: 'GET hwk+alg', method: 'GET', path: '/api/documents' };
const SCHEMES: readonly Scheme[] = ['hwk', 'jwt'];
const DIRECTIONS: readonly Direction[] = ['py→core', 'py→express', 'ours→py'];
const RESOURCE = 'https://resource.example';
const AGENT_SERVER = 'https://agent.example';
const BODY_COMPONENTS = [...PROFILE.bodyComponents];

const headersOf = (shape: RequestShape): Record<string, string> => (shape.body === undefined ? {} : { [PROFILE.headers.contentType]: 'application/json' });
const urlOf = (origin: string, shape: RequestShape): string => (shape.authority === undefined ? `${origin}${shape.path}` : `https://${shape.authority}${shape.path}`);

interface SignJob { id: string; scheme: Scheme; method: string; url: string; headers: Record<string, string>; body?: string; components?: string[]; iss: string }
interface VerifyJob { id: string; method: string; url: string; headers: Record<string, string>; body?: string; jwks?: unknown }
interface PeerAnswer {
  version: string;
  agentServerJwk: PublicJwk & { kid: string };
  signed: { id: string; headers?: Record<string, string>; error?: string }[];
  verified: { id: string; ok: boolean; error?: string }[];
}

/** Runs `interop/python/{script}` with `python`: one JSON document in on stdin, one out on stdout. */
export function runPython<T>(python: string, script: string, input: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [root(`interop/python/${script}`)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString('utf8'); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) { reject(new Error(`${python} ${script} exited ${String(code)}: ${err.trim().split('\n').pop() ?? ''}`)); return; }
      try { resolve(JSON.parse(out) as T); } catch (cause) { reject(new Error(`${script} wrote no JSON: ${out.slice(0, 200)}`, { cause })); }
    });
    child.stdin.end(JSON.stringify(input));
  });
}

/** Every cell for one release. */
export async function runRelease(release: Release): Promise<Cell[]> {
  const stub = await startAgentServerStub();
  const resource = await startResource();
  try {
    const pyShapes = [...REQUESTS, DEFAULT_PORT_REQUEST];
    const signJobs: SignJob[] = [];
    for (const scheme of SCHEMES) {
      for (const shape of pyShapes) {
        const common = { scheme, method: shape.method, headers: headersOf(shape), ...(shape.body === undefined ? {} : { body: shape.body, components: BODY_COMPONENTS }) };
        signJobs.push({ id: `core|${scheme}|${shape.kind}`, url: urlOf(RESOURCE, shape), iss: AGENT_SERVER, ...common });
        if (shape.authority === undefined) signJobs.push({ id: `express|${scheme}|${shape.kind}`, url: urlOf(resource.origin, shape), iss: stub.server.origin, ...common });
      }
    }

    // Ours → Python: a delegate key vouched for by an agent token from our agent server.
    const delegate = generateSigningKey('Ed25519');
    const agentServerKey = generateSigningKey('Ed25519', 'ts-agent-server-1');
    const agentToken = await createAgentToken(agentServerKey, { iss: AGENT_SERVER, sub: 'aauth:ts-agent@agent.example', cnfJwk: delegate.publicJwk });
    const verifyJobs: VerifyJob[] = [];
    for (const scheme of SCHEMES) {
      for (const shape of REQUESTS) {
        const request: SignableRequest = { method: shape.method, url: urlOf(RESOURCE, shape), headers: headersOf(shape), ...(shape.body === undefined ? {} : { body: shape.body }) };
        const signed = signRequest(request, { key: delegate, signatureKey: scheme === 'hwk' ? { scheme } : { scheme, jwt: agentToken } });
        verifyJobs.push({
          id: `ours|${scheme}|${shape.kind}`, method: shape.method, url: request.url as string, headers: { ...headersOf(shape), ...signed },
          ...(shape.body === undefined ? {} : { body: shape.body }), ...(scheme === 'jwt' ? { jwks: toJwks([agentServerKey]) } : {}),
        });
      }
    }
    const declared = importSigningKey({ ...exportPrivateJwk(delegate), alg: 'Ed25519' });
    const plainGet: SignableRequest = { method: 'GET', url: urlOf(RESOURCE, HWK_ALG_REQUEST), headers: {} };
    verifyJobs.push({
      id: `ours|hwk|${HWK_ALG_REQUEST.kind}`, method: 'GET', url: plainGet.url as string,
      headers: { ...signRequest(plainGet, { key: declared, signatureKey: { scheme: 'hwk' }, signatureKeyOptions: { hwkAlg: true } }) },
    });

    const answer = await runPython<PeerAnswer>(release.python, 'peer.py', { sign: signJobs, verify: verifyJobs });
    stub.publish(answer.agentServerJwk);
    const label = `aauth ${answer.version}`;
    const cells: Cell[] = [];
    for (const job of signJobs) {
      const [target, scheme, kind] = job.id.split('|') as ['core' | 'express', Scheme, RequestKind];
      const shape = pyShapes.find((s) => s.kind === kind) as RequestShape;
      const signed = answer.signed.find((s) => s.id === job.id);
      const direction: Direction = target === 'core' ? 'py→core' : 'py→express';
      let outcome: Verdict;
      if (!signed?.headers) outcome = { ok: false, reason: oneLine(`Python could not sign: ${signed?.error ?? 'no answer'}`) };
      else if (target === 'core') outcome = await coreVerify({ method: shape.method, url: job.url, headers: signed.headers, ...(shape.body === undefined ? {} : { body: shape.body }) }, [answer.agentServerJwk]);
      else outcome = await sendTo(job.url, shape.method, signed.headers, shape.body);
      cells.push({ release: label, direction, scheme, request: kind, ...outcome });
    }
    for (const result of answer.verified) {
      const [, scheme, kind] = result.id.split('|') as ['ours', Scheme, RequestKind];
      cells.push({ release: label, direction: 'ours→py', scheme, request: kind, ok: result.ok, ...(result.ok ? {} : { reason: oneLine(result.error ?? '') }) });
    }
    const order = (c: Cell): string => `${DIRECTIONS.indexOf(c.direction)}${SCHEMES.indexOf(c.scheme)}${[...pyShapes, HWK_ALG_REQUEST].findIndex((s) => s.kind === c.request)}`;
    return cells.sort((a, b) => order(a).localeCompare(order(b)));
  } finally {
    await Promise.all([stub.server.close(), resource.close()]);
  }
}

/** The matrix as an interop table; `why` names the deviation behind a known red cell. */
export function matrixTable(release: Release, cells: readonly Cell[], why: (cell: Cell) => string | undefined): Table {
  return {
    id: `1-${release.name}`,
    title: `PyPI ${pinnedVersion(release)}: signatures`,
    head: ['library', 'direction', 'scheme', 'request'],
    rows: matrixRows(cells[0]?.release ?? release.name, cells, why),
  };
}

/** The `aauth==…` line pinned for a release. */
export function pinnedVersion(release: Release): string {
  const line = readFileSync(root(`interop/python/requirements/${release.name}.txt`), 'utf8').split('\n').find((l) => l.startsWith('aauth=='));
  return line ?? release.name;
}

/** The newest pinned release (the one the current-profile tests run against). */
export function newestRelease(): Release {
  const byVersion = pythonReleases().sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  return byVersion[byVersion.length - 1] as Release;
}
