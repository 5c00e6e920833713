/**
 * Mutated-valid requests: a seed is a valid signed request to one endpoint (made from real keys
 * and fresh tokens of the fuzz world); mutations, all plain data that fast-check generates and
 * shrinks, break it in three places:
 *  - before signing: the body's members (tokens swapped or corrupted, wrong types, additions)
 *    and how it is signed (`created`, scheme, label, components, key), so the signature still
 *    verifies and the request reaches the checks behind it;
 *  - after signing: method, request target, headers, signature parameters and bytes, body bytes;
 *  - or not at all (the seed itself must be answered below 500 too).
 */
import fc from 'fast-check';
import { generateSigningKey, signRequest, type SignatureKeyInput, type SigningKey } from '@aauth-ts/core';
import type { RawRequest } from './raw-http.js';
import { SCOPE, SELF_SCOPE, type FuzzWorld } from './world.js';

export type SeedKind =
  | 'token.resource' | 'token.self' | 'token.refresh' | 'token.chain'
  | 'exchange'
  | 'pending.get' | 'pending.post'
  | 'resource.get' | 'resource.post' | 'resource.pseudo' | 'resource.challenge';

type TokenChoice = 'agent' | 'consentAgent' | 'auth' | 'subject' | 'resource' | 'resourceForConsent';

export type JwtMutation =
  | { readonly op: 'keep' }
  | { readonly op: 'flip'; readonly segment: number; readonly at: number; readonly char: string }
  | { readonly op: 'truncate'; readonly keep: number }
  | { readonly op: 'header'; readonly header: Record<string, unknown> }
  | { readonly op: 'payload'; readonly payload: Record<string, unknown> }
  | { readonly op: 'segments'; readonly count: number };

type FieldValue =
  | { readonly kind: 'token'; readonly token: TokenChoice; readonly mutation: JwtMutation }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'json'; readonly value: unknown };

export type FieldMutation =
  | { readonly op: 'replace'; readonly at: number; readonly value: FieldValue }
  | { readonly op: 'drop'; readonly at: number }
  | { readonly op: 'add'; readonly name: string; readonly value: FieldValue }
  | { readonly op: 'repeat'; readonly at: number; readonly text: string };

export type SignMutation =
  | { readonly op: 'created'; readonly offset: number }
  | { readonly op: 'scheme'; readonly scheme: 'hwk' | 'jwks_uri'; readonly kid: string }
  | { readonly op: 'agentJwt'; readonly mutation: JwtMutation }
  | { readonly op: 'label'; readonly label: string }
  | { readonly op: 'components'; readonly extra: readonly string[] }
  | { readonly op: 'otherKey' }
  | { readonly op: 'sha512' };

export type TargetForm =
  | 'absolute' | 'absolute-foreign' | 'dot-segment' | 'encoded-dot-segment' | 'double-slash' | 'trailing-dot'
  | 'query' | 'asterisk' | 'percent-garbage' | 'long' | 'other-pending' | 'case';

export type RawMutation =
  | { readonly op: 'method'; readonly method: string }
  | { readonly op: 'target'; readonly form: TargetForm; readonly text: string }
  | { readonly op: 'dropHeader'; readonly name: string }
  | { readonly op: 'setHeader'; readonly name: string; readonly value: string }
  | { readonly op: 'flipHeader'; readonly name: string; readonly at: number; readonly char: string }
  | { readonly op: 'repeatHeader'; readonly name: string; readonly second: string | null }
  | { readonly op: 'sigParams'; readonly edit: 'created' | 'expires' | 'alg' | 'nonce' | 'keyid' | 'repeat-component' | 'drop-component' | 'relabel' | 'second-signature'; readonly value: number }
  | { readonly op: 'sigBytes'; readonly at: number; readonly xor: number }
  | { readonly op: 'body'; readonly edit: 'flip' | 'truncate' | 'append' | 'replace' | 'oversize' | 'drop'; readonly at: number; readonly bytes: Uint8Array };

export interface Case {
  readonly seed: SeedKind;
  readonly fields: readonly FieldMutation[];
  readonly signing: readonly SignMutation[];
  readonly raw: readonly RawMutation[];
}

// ---- arbitraries ---------------------------------------------------------------------------

/** Printable ASCII, the text a header or a target can carry without node:http refusing to send it. */
const printable = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });
const tricky = fc.constantFrom('', ' ', '"', '\\', '=', ';', ',', ':', '::', '()', '?1', 'sig', 'a.b.c', 'eyJ', '%00', '%', '\u00e9', 'null', '-1', '1e999', '99999999999999999999');
const text = fc.oneof(printable(60), tricky, printable(4).map((s) => s.repeat(500)));

const jwtMutation: fc.Arbitrary<JwtMutation> = fc.oneof(
  fc.constant<JwtMutation>({ op: 'keep' }),
  fc.record({ op: fc.constant('flip' as const), segment: fc.integer({ min: 0, max: 2 }), at: fc.nat(), char: fc.constantFrom('A', '_', '-', '.', '=', '+', '/', 'z') }),
  fc.record({ op: fc.constant('truncate' as const), keep: fc.nat({ max: 400 }) }),
  fc.record({
    op: fc.constant('header' as const),
    header: fc.constantFrom<Record<string, unknown>>(
      { alg: 'none', typ: 'auth+jwt' }, { alg: 'HS256', typ: 'agent+jwt' }, { alg: 'EdDSA' }, { alg: 'EdDSA', typ: 'resource+jwt', kid: 7 },
      { alg: 'ES256', typ: 'auth+jwt', crit: ['x'] }, { alg: 'RS256', typ: 'at+jwt', kid: '../../x' }, {}, { typ: ['auth+jwt'] },
    ),
  }),
  fc.record({
    op: fc.constant('payload' as const),
    payload: fc.oneof(
      fc.constantFrom<Record<string, unknown>>(
        {}, { iss: 1 }, { iss: 'http://127.0.0.1:1', exp: 'soon' }, { exp: 1e308, iat: -1 }, { cnf: [] }, { cnf: { jwk: { kty: 'OKP' } } },
        { aud: [] }, { aud: [1, 2] }, { act: { act: { act: {} } } }, { may_act: 'x' }, { scope: 7 }, { sub: {} }, { jti: '' }, { agent_jkt: null },
      ),
      fc.dictionary(fc.constantFrom('iss', 'aud', 'sub', 'exp', 'iat', 'cnf', 'agent', 'agent_jkt', 'scope', 'jti', 'act', 'may_act', 'txn'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }),
    ),
  }),
  fc.record({ op: fc.constant('segments' as const), count: fc.constantFrom(1, 2, 4, 5) }),
);

const tokenChoice = fc.constantFrom<TokenChoice>('agent', 'consentAgent', 'auth', 'subject', 'resource', 'resourceForConsent');
const fieldValue: fc.Arbitrary<FieldValue> = fc.oneof(
  fc.record({ kind: fc.constant('token' as const), token: tokenChoice, mutation: jwtMutation }),
  fc.record({ kind: fc.constant('text' as const), text }),
  fc.record({ kind: fc.constant('json' as const), value: fc.jsonValue({ maxDepth: 2 }) }),
);
const memberName = fc.constantFrom(
  'resource_token', 'upstream_token', 'auth_token', 'scope', 'purpose', 'login_hint', 'clarification_response',
  'grant_type', 'subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'audience', 'resource', 'requested_token_type', '__proto__', 'constructor',
);
const fieldMutation: fc.Arbitrary<FieldMutation> = fc.oneof(
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: fieldValue }),
  fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('add' as const), name: memberName, value: fieldValue }),
  fc.record({ op: fc.constant('repeat' as const), at: fc.nat(), text }),
);

const signMutation: fc.Arbitrary<SignMutation> = fc.oneof(
  fc.record({ op: fc.constant('created' as const), offset: fc.oneof(fc.integer({ min: -200, max: 200 }), fc.constantFrom(-2_000_000_000, 2_000_000_000, -1e15)) }),
  fc.record({ op: fc.constant('scheme' as const), scheme: fc.constantFrom('hwk' as const, 'jwks_uri' as const), kid: fc.constantFrom('server-1', 'delegate-1', 'nope', '') }),
  fc.record({ op: fc.constant('agentJwt' as const), mutation: jwtMutation }),
  fc.record({ op: fc.constant('label' as const), label: fc.constantFrom('sig2', 'a', 'x-y', 'sig') }),
  fc.record({ op: fc.constant('components' as const), extra: fc.subarray(['@target-uri', '@query', '@method', 'content-type', 'x-missing', '@request-target', '@scheme', 'host']) }),
  fc.constant<SignMutation>({ op: 'otherKey' }),
  fc.constant<SignMutation>({ op: 'sha512' }),
);

const headerName = fc.constantFrom('signature', 'signature-input', 'signature-key', 'content-digest', 'content-type', 'host', 'content-encoding', 'authorization', 'aauth', 'expect', 'x-forwarded-host');
const headerValue = fc.oneof(text, fc.constantFrom(
  'sig=:AAAA:', 'sig=("@method");created=1', 'sig=jwt;jwt="a.b.c"', 'sig=hwk;kty="OKP";crv="Ed25519";x="AAAA"', 'sig=jwks_uri;id="http://127.0.0.1:1";kid="k"',
  'sha-256=:AAAA:', 'sha-512=:=:', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'gzip', 'deflate', 'evil.example', '127.0.0.1:1', '100-continue',
));
const targetForm = fc.constantFrom<TargetForm>('absolute', 'absolute-foreign', 'dot-segment', 'encoded-dot-segment', 'double-slash', 'trailing-dot', 'query', 'asterisk', 'percent-garbage', 'long', 'other-pending', 'case');
const bytes = fc.uint8Array({ minLength: 1, maxLength: 64 });

const rawMutation: fc.Arbitrary<RawMutation> = fc.oneof(
  fc.record({ op: fc.constant('method' as const), method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'PROPFIND', 'SEARCH') }),
  fc.record({ op: fc.constant('target' as const), form: targetForm, text: printable(30) }),
  fc.record({ op: fc.constant('dropHeader' as const), name: headerName }),
  fc.record({ op: fc.constant('setHeader' as const), name: headerName, value: headerValue }),
  fc.record({ op: fc.constant('flipHeader' as const), name: headerName, at: fc.nat(), char: fc.constantFrom('"', ';', ',', '=', ':', 'A', ' ', '(', ')') }),
  fc.record({ op: fc.constant('repeatHeader' as const), name: headerName, second: fc.option(headerValue, { nil: null }) }),
  fc.record({
    op: fc.constant('sigParams' as const),
    edit: fc.constantFrom('created' as const, 'expires' as const, 'alg' as const, 'nonce' as const, 'keyid' as const, 'repeat-component' as const, 'drop-component' as const, 'relabel' as const, 'second-signature' as const),
    value: fc.oneof(fc.integer(), fc.constantFrom(0, -1, 2 ** 53)),
  }),
  fc.record({ op: fc.constant('sigBytes' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ op: fc.constant('body' as const), edit: fc.constantFrom('flip' as const, 'truncate' as const, 'append' as const, 'replace' as const, 'oversize' as const, 'drop' as const), at: fc.nat(), bytes }),
);

export function caseOf(seeds: readonly SeedKind[]): fc.Arbitrary<Case> {
  return fc.record({
    seed: fc.constantFrom(...seeds),
    fields: fc.array(fieldMutation, { maxLength: 2 }),
    signing: fc.array(signMutation, { maxLength: 2 }),
    raw: fc.array(rawMutation, { maxLength: 3 }),
  });
}

// ---- building a request --------------------------------------------------------------------

interface Seed {
  readonly port: number;
  readonly origin: string;
  readonly method: string;
  readonly path: string;
  readonly members?: Array<[string, unknown]>;
  readonly encoding?: 'json' | 'form';
  readonly key: SigningKey;
  readonly signatureKey: SignatureKeyInput;
}

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

async function seedOf(world: FuzzWorld, kind: SeedKind): Promise<Seed> {
  const auth = { port: world.authPort, origin: new URL(world.issuer).origin };
  const resource = { port: world.resourcePort, origin: world.resourceId };
  const issuerPath = new URL(world.issuer).pathname;
  const asAgent = { key: world.agent.delegate, signatureKey: { scheme: 'jwt', jwt: world.agent.agentToken } as const };
  const asConsentAgent = { key: world.consentAgent.delegate, signatureKey: { scheme: 'jwt', jwt: world.consentAgent.agentToken } as const };
  const token = `${issuerPath}/protocol/aauth/token`;
  switch (kind) {
    case 'token.resource':
      return { ...auth, ...asAgent, method: 'POST', path: token, encoding: 'json', members: [['resource_token', await world.freshResourceToken()], ['purpose', 'fuzz']] };
    case 'token.self':
      return { ...auth, ...asAgent, method: 'POST', path: token, encoding: 'json', members: [['scope', SELF_SCOPE]] };
    case 'token.refresh':
      return { ...auth, ...asAgent, method: 'POST', path: token, encoding: 'json', members: [['auth_token', world.authToken]] };
    case 'token.chain':
      return { ...auth, ...asAgent, method: 'POST', path: token, encoding: 'json', members: [['resource_token', await world.freshResourceToken()], ['upstream_token', world.subjectToken]] };
    case 'exchange':
      return {
        ...auth, ...asAgent, method: 'POST', path: `${issuerPath}/protocol/aauth/token-exchange`, encoding: 'form',
        members: [['grant_type', GRANT], ['subject_token', world.subjectToken], ['subject_token_type', JWT_TYPE], ['audience', world.resourceId], ['scope', SCOPE]],
      };
    case 'pending.get':
      return { ...auth, ...asConsentAgent, method: 'GET', path: world.pendingPath };
    case 'pending.post':
      return { ...auth, ...asConsentAgent, method: 'POST', path: world.pendingPath, encoding: 'json', members: [['clarification_response', 'fuzz']] };
    case 'resource.get':
      return { ...resource, key: world.agent.delegate, signatureKey: { scheme: 'jwt', jwt: world.authToken }, method: 'GET', path: '/data?q=1' };
    case 'resource.post':
      return { ...resource, key: world.agent.delegate, signatureKey: { scheme: 'jwt', jwt: world.authToken }, method: 'POST', path: '/data', encoding: 'json', members: [['order', 'fuzz']] };
    case 'resource.pseudo':
      return { ...resource, key: world.agent.delegate, signatureKey: { scheme: 'hwk' }, method: 'POST', path: '/pseudo', encoding: 'json', members: [['a', 1]] };
    case 'resource.challenge':
      return { ...resource, ...asAgent, method: 'GET', path: '/admin/x' };
  }
}

async function tokenFor(world: FuzzWorld, choice: TokenChoice): Promise<string> {
  switch (choice) {
    case 'agent': return world.agent.agentToken;
    case 'consentAgent': return world.consentAgent.agentToken;
    case 'auth': return world.authToken;
    case 'subject': return world.subjectToken;
    case 'resource': return world.freshResourceToken();
    case 'resourceForConsent': return world.freshResourceToken(world.consentAgent);
  }
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function mutateJwt(jwt: string, m: JwtMutation): string {
  const parts = jwt.split('.');
  switch (m.op) {
    case 'keep': return jwt;
    case 'flip': {
      const segment = parts[m.segment % parts.length] ?? '';
      const at = segment.length === 0 ? 0 : m.at % segment.length;
      parts[m.segment % parts.length] = `${segment.slice(0, at)}${m.char}${segment.slice(at + 1)}`;
      return parts.join('.');
    }
    case 'truncate': return jwt.slice(0, m.keep);
    case 'header': return [b64(m.header), ...parts.slice(1)].join('.');
    case 'payload': return [parts[0], b64(m.payload), parts[2]].join('.');
    case 'segments': return Array.from({ length: m.count }, (_, i) => parts[i % parts.length]).join('.');
  }
}

async function valueOf(world: FuzzWorld, value: FieldValue): Promise<unknown> {
  switch (value.kind) {
    case 'token': return mutateJwt(await tokenFor(world, value.token), value.mutation);
    case 'text': return value.text;
    case 'json': return value.value;
  }
}

async function applyFields(world: FuzzWorld, members: Array<[string, unknown]>, mutations: readonly FieldMutation[]): Promise<{ members: Array<[string, unknown]>; repeats: Array<[string, string]> }> {
  const out = [...members];
  const repeats: Array<[string, string]> = [];
  for (const m of mutations) {
    if (m.op === 'add') {
      out.push([m.name, await valueOf(world, m.value)]);
      continue;
    }
    if (out.length === 0) continue;
    const at = m.at % out.length;
    const name = (out[at] as [string, unknown])[0];
    if (m.op === 'replace') out[at] = [name, await valueOf(world, m.value)];
    else if (m.op === 'drop') out.splice(at, 1);
    else repeats.push([name, m.text]);
  }
  return { members: out, repeats };
}

function encode(members: Array<[string, unknown]>, repeats: Array<[string, string]>, encoding: 'json' | 'form'): string {
  if (encoding === 'form') {
    const params = new URLSearchParams();
    for (const [name, value] of [...members, ...repeats]) params.append(name, typeof value === 'string' ? value : JSON.stringify(value) ?? '');
    return params.toString();
  }
  // JSON text by hand, so a member can appear twice (JSON.parse keeps the last one).
  const entries = [...members, ...repeats].map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value) ?? 'null'}`);
  return `{${entries.join(',')}}`;
}

const otherKey = generateSigningKey();

function signed(world: FuzzWorld, seed: Seed, body: string | undefined, contentType: string, mutations: readonly SignMutation[]): Record<string, string> {
  let key = seed.key;
  let signatureKey = seed.signatureKey;
  let created: number | undefined;
  let label: string | undefined;
  let components: readonly string[] | undefined;
  let digestAlgorithm: 'sha-256' | 'sha-512' | undefined;
  for (const m of mutations) {
    if (m.op === 'created') created = Math.floor(Date.now() / 1000) + m.offset;
    else if (m.op === 'scheme') signatureKey = m.scheme === 'hwk' ? { scheme: 'hwk' } : { scheme: 'jwks_uri', id: world.agent.id, kid: m.kid };
    else if (m.op === 'agentJwt' && signatureKey.scheme === 'jwt') signatureKey = { scheme: 'jwt', jwt: mutateJwt(signatureKey.jwt, m.mutation) };
    else if (m.op === 'label') label = m.label;
    else if (m.op === 'components') components = m.extra;
    else if (m.op === 'otherKey') key = otherKey;
    else if (m.op === 'sha512') digestAlgorithm = 'sha-512';
  }
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': contentType };
  const url = `${seed.origin}${seed.path}`;
  try {
    return { ...headers, ...signRequest({ method: seed.method, url, headers, body }, { key, signatureKey, created, label, components, digestAlgorithm }) };
  } catch {
    // The signer refuses some generated options (a component it cannot build): send unsigned.
    return headers;
  }
}

function target(world: FuzzWorld, seed: Seed, form: TargetForm, random: string): string {
  const [path = '/', query] = seed.path.split('?');
  const q = query === undefined ? '' : `?${query}`;
  const segments = path.split('/');
  const first = segments[1] ?? '';
  switch (form) {
    case 'absolute': return `${seed.origin}${seed.path}`;
    case 'absolute-foreign': return `http://evil.example${seed.path}`;
    case 'dot-segment': return `/admin/x/../..${path}${q}`;
    case 'encoded-dot-segment': return `/admin/%2e%2e${path}${q}`;
    case 'double-slash': return `/${path}${q}`;
    case 'trailing-dot': return `${path}/.${q}`;
    case 'query': return `${path}?${encodeURIComponent(random)}=${encodeURIComponent(random)}`;
    case 'asterisk': return '*';
    case 'percent-garbage': return `${path}%zz%${random.slice(0, 1)}${q}`;
    case 'long': return `${path}/${'a'.repeat(4000)}${q}`;
    case 'other-pending': return `${world.pendingPath.replace(/[^/]+$/, '')}${encodeURIComponent(random) || 'x'}`;
    case 'case': return `/${first.toUpperCase()}${path.slice(first.length + 1)}${q}`;
  }
}

function editSignatureParams(headers: Record<string, string | string[]>, edit: RawMutation & { op: 'sigParams' }): void {
  const input = headers['signature-input'];
  const signature = headers.signature;
  if (typeof input !== 'string' || typeof signature !== 'string') return;
  switch (edit.edit) {
    case 'created': headers['signature-input'] = input.replace(/created=-?\d+/, `created=${edit.value}`); break;
    case 'expires': headers['signature-input'] = `${input};expires=${edit.value}`; break;
    case 'alg': headers['signature-input'] = `${input};alg="rsa-v1_5-sha256"`; break;
    case 'nonce': headers['signature-input'] = `${input};nonce="${edit.value}"`; break;
    case 'keyid': headers['signature-input'] = `${input};keyid="${edit.value}"`; break;
    case 'repeat-component': headers['signature-input'] = input.replace('("@method"', '("@method" "@method"'); break;
    case 'drop-component': headers['signature-input'] = input.replace(/"@authority" ?/, ''); break;
    case 'relabel':
      headers['signature-input'] = input.replace(/^[^=]+=/, 'other=');
      headers.signature = signature.replace(/^[^=]+=/, 'other=');
      break;
    case 'second-signature':
      headers['signature-input'] = `${input}, sig2=${input.replace(/^[^=]+=/, '')}`;
      headers.signature = `${signature}, sig2=${signature.replace(/^[^=]+=/, '')}`;
      break;
  }
}

function flipSignatureByte(headers: Record<string, string | string[]>, at: number, xor: number): void {
  const signature = headers.signature;
  if (typeof signature !== 'string') return;
  const match = /:([A-Za-z0-9+/=]*):/.exec(signature);
  if (!match?.[1]) return;
  const raw = Buffer.from(match[1], 'base64');
  if (raw.length === 0) return;
  raw[at % raw.length] = (raw[at % raw.length] as number) ^ xor;
  headers.signature = signature.replace(match[1], raw.toString('base64'));
}

function editBody(body: Buffer | undefined, edit: RawMutation & { op: 'body' }): Buffer | undefined {
  const current = body ?? Buffer.alloc(0);
  switch (edit.edit) {
    case 'flip': {
      if (current.length === 0) return Buffer.from(edit.bytes);
      const copy = Buffer.from(current);
      copy[edit.at % copy.length] = (copy[edit.at % copy.length] as number) ^ ((edit.bytes[0] as number) | 1);
      return copy;
    }
    case 'truncate': return current.subarray(0, current.length === 0 ? 0 : edit.at % current.length);
    case 'append': return Buffer.concat([current, Buffer.from(edit.bytes)]);
    case 'replace': return Buffer.from(edit.bytes);
    // Over every body limit on the way (64 KiB at the auth server, 100 KiB in express.json).
    case 'oversize': return Buffer.concat([current, Buffer.alloc(200 * 1024 + (edit.at % 1024), 0x20)]);
    case 'drop': return undefined;
  }
}

/** Build the request for a case: seed → member mutations → signing → raw mutations. */
export async function buildRequest(world: FuzzWorld, c: Case): Promise<{ port: number; request: RawRequest; oversized: boolean }> {
  const seed = await seedOf(world, c.seed);
  let body: string | undefined;
  let contentType = 'application/json';
  if (seed.members !== undefined && seed.encoding !== undefined) {
    const { members, repeats } = await applyFields(world, seed.members, c.fields);
    body = encode(members, repeats, seed.encoding);
    if (seed.encoding === 'form') contentType = 'application/x-www-form-urlencoded';
  }
  const headers: Record<string, string | string[]> = signed(world, seed, body, contentType, c.signing);
  let method = seed.method;
  let path = seed.path;
  let raw: Buffer | undefined = body === undefined ? undefined : Buffer.from(body);
  let oversized = false;
  for (const m of c.raw) {
    switch (m.op) {
      case 'method': method = m.method; break;
      case 'target': path = target(world, seed, m.form, m.text); break;
      case 'dropHeader': delete headers[m.name]; break;
      case 'setHeader': headers[m.name] = m.value; break;
      case 'flipHeader': {
        const value = headers[m.name];
        if (typeof value === 'string' && value.length > 0) {
          const at = m.at % value.length;
          headers[m.name] = `${value.slice(0, at)}${m.char}${value.slice(at + 1)}`;
        }
        break;
      }
      case 'repeatHeader': {
        const value = headers[m.name];
        // node:http sends one Host line only (it refuses an array for it).
        if (typeof value === 'string' && m.name !== 'host') headers[m.name] = [value, m.second ?? value];
        break;
      }
      case 'sigParams': editSignatureParams(headers, m); break;
      case 'sigBytes': flipSignatureByte(headers, m.at, m.xor); break;
      case 'body':
        raw = editBody(raw, m);
        oversized ||= m.edit === 'oversize';
        break;
    }
  }
  // A GET or HEAD with a body is legal HTTP but node:http cannot send a HEAD body; keep it off.
  if (method === 'HEAD') raw = undefined;
  return { port: seed.port, request: { method, target: path, headers, ...(raw === undefined ? {} : { body: raw }) }, oversized };
}

/** Printable summary of a request, for a failure message. */
export function describeRequest(request: RawRequest): string {
  const body = request.body === undefined ? '' : ` body(${request.body.length} B)=${JSON.stringify(request.body.subarray(0, 200).toString('latin1'))}`;
  return `${request.method} ${request.target.slice(0, 200)} headers=${JSON.stringify(request.headers).slice(0, 1500)}${body}`;
}
