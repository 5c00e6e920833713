// End-to-end checks of the Person Server of the current draft (draft-hardt-oauth-aauth-protocol) against a
// running Keycloak with the provider (realm src/test/resources/realm-ps.json: aauth.personServer = "true",
// an aauth-ed25519-generated key). The agent provider and the resource are tiny servers on 127.0.0.1;
// the person is the realm user alice, through Keycloak's login page and the provider's review page.
//
//   node packages/keycloak-provider/e2e/person-server.mjs [issuer] [issuer-without-person-server]
//
// Covers: aauth-person.json; person tokens (enrolment through review, then direct; directed sub);
// missions (review, s256 over the blob, person_tokens); three-party auth tokens (presented_jti records,
// replay, mission stripping, consent outside a mission); parent-mediated sub-agents; pending URLs
// (410 after terminal, DELETE, POST {action}); problem+json errors with Signature-Error; decision log
// lines and events; the unknown-code limit of the interaction page; one Ed25519 key under concurrent first use.
import crypto from 'node:crypto';
import http from 'node:http';
import { b64u, decode, jws, newKey, now, thumbprint } from './parties.mjs';
// The TypeScript side's own verifiers of the current profile, so the Person Server's tokens are checked
// by the code resources and agents run, not only by this script.
import { GuardedFetcher, KeyDiscovery, verifyAaAuthToken, verifyAaPersonToken } from '../../core/dist/index.js';

const ISSUER = (process.argv[2] ?? 'http://127.0.0.1:8180/realms/aauth-ps').replace(/\/+$/, '');
const PLAIN = (process.argv[3] ?? ISSUER.replace(/\/realms\/[^/]+$/, '/realms/aauth-e2e')).replace(/\/+$/, '');
const PS = `${ISSUER}/protocol/aauth/ps`;
const ALICE = { username: 'alice', password: 'alice-password' };
const BOB = { username: 'bob', password: 'bob-password' };

let passed = 0;
let failed = 0;
function check(cond, name, detail = '') {
  if (cond) { passed++; console.log(`  ok   ${name}`); } else { failed++; console.log(`  FAIL ${name}${detail ? ` — ${detail}` : ''}`); }
}
const problem = (r, status, error, name, sigError) => check(r.status === status && r.json?.error === error && typeof r.json?.detail === 'string'
  && (r.headers.get('content-type') ?? '').startsWith('application/problem+json')
  && (sigError === undefined ? !r.headers.has('signature-error') : r.headers.get('signature-error')?.startsWith(`error=${sigError}`)),
  name, `got HTTP ${r.status} ${r.headers.get('signature-error') ?? ''} ${r.text.slice(0, 240)}`);

const withAlg = (k) => ({ ...k, jwk: { ...k.jwk, alg: 'Ed25519' } });

// ---------- parties: an agent provider and resources ----------
class Server {
  constructor(host, port, dwk) {
    this.id = `http://${host}:${port}`;
    this.port = port;
    this.dwk = dwk;
    this.key = withAlg(newKey());
  }
  start() {
    this.server = http.createServer((req, res) => {
      const docs = {
        [`/.well-known/${this.dwk}`]: { issuer: this.id, jwks_uri: `${this.id}/jwks.json` },
        '/jwks.json': { keys: [{ ...this.key.jwk, kid: 'k1', use: 'sig' }] },
      };
      const doc = docs[req.url];
      res.writeHead(doc ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(doc ?? { error: 'not found' }));
    });
    return new Promise((r) => this.server.listen(this.port, '127.0.0.1', r));
  }
  stop() { return new Promise((r) => (this.server ? this.server.close(r) : r())); }
  sign(typ, payload, { alg = 'Ed25519', key = this.key } = {}) {
    return jws({ alg, typ, kid: 'k1' }, { iss: this.id, iat: now(), ...payload }, key.privateKey);
  }
}

class Agent {
  constructor(provider, local, { parent } = {}) {
    this.provider = provider;
    this.id = `aauth:${local}@agents.localhost`;
    this.key = withAlg(newKey());
    this.parent = parent;
  }
  token({ typ = 'aa-agent+jwt', alg, exp = now() + 600, dwk = 'aauth-agent.json', cnf = this.key.jwk } = {}) {
    const payload = { dwk, sub: this.id, jti: crypto.randomUUID(), cnf: { jwk: cnf }, exp, ps: ISSUER.startsWith('http://') ? undefined : ISSUER };
    if (this.parent) payload.parent_agent = this.parent.id;
    return this.provider.sign(typ, JSON.parse(JSON.stringify(payload)), { alg });
  }
}

async function signed(method, url, { agent, body, token, key = agent.key, scheme, components, created = now() } = {}) {
  const u = new URL(url);
  const headers = {};
  let raw;
  if (body !== undefined) {
    raw = typeof body === 'string' ? body : JSON.stringify(body);
    headers['content-type'] = 'application/json';
    headers['content-digest'] = `sha-256=:${crypto.createHash('sha256').update(raw).digest('base64')}:`;
  }
  headers['signature-key'] = scheme ?? `sig=jwt;jwt="${token ?? agent.token()}"`;
  const comps = components ?? ['@method', '@authority', '@path', 'signature-key', ...(raw !== undefined ? ['content-type', 'content-digest'] : [])];
  const params = `(${comps.map((c) => `"${c}"`).join(' ')});created=${created}`;
  const value = (c) => ({ '@method': method, '@authority': u.host, '@path': u.pathname })[c] ?? headers[c];
  const base = [...comps.map((c) => `"${c}": ${value(c)}`), `"@signature-params": ${params}`].join('\n');
  headers['signature-input'] = `sig=${params}`;
  headers.signature = `sig=:${crypto.sign(null, Buffer.from(base), key.privateKey).toString('base64')}:`;
  const res = await fetch(url, { method, headers, body: raw });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, json, text };
}

// ---------- a minimal browser for Keycloak's login page ----------
class Browser {
  cookies = new Map();
  async go(url, form) {
    let target = url;
    let init = form ? { method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } } : { method: 'GET', headers: {} };
    for (let hop = 0; hop < 10; hop++) {
      init.headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await fetch(target, { ...init, redirect: 'manual' });
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const eq = pair.indexOf('=');
        this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
      const loc = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && loc) { target = new URL(loc, target).toString(); init = { method: 'GET', headers: {} }; await res.arrayBuffer(); continue; }
      return { url: target, status: res.status, html: await res.text() };
    }
    throw new Error('too many redirects');
  }
}
const unescape = (s) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#34;/g, '"');
const formAction = (html) => unescape(/<form[^>]*action="([^"]+)"/i.exec(html)?.[1] ?? '');
const hidden = (html, name) => unescape(new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html)?.[1] ?? '');

/** The person opens the interaction URL with the code, signs in, and decides on the review page. */
async function review(requirement, decision, { user = ALICE, expectTexts = [], refuse = false } = {}) {
  const url = /url="([^"]+)"/.exec(requirement ?? '')?.[1];
  const code = /code="([^"]+)"/.exec(requirement ?? '')?.[1];
  const b = new Browser();
  // §Interaction Code Format: case-insensitive, hyphen presentational.
  const login = await b.go(`${url}?code=${code?.toLowerCase()}`);
  check(login.status === 200 && /type="password"/.test(login.html), 'the interaction URL opens Keycloak\'s login page', `HTTP ${login.status} ${login.html.slice(0, 200)}`);
  const page = await b.go(new URL(formAction(login.html), login.url).toString(), { username: user.username, password: user.password, credentialId: '' });
  if (refuse) {
    check(page.status === 403 && !/aauth-ps-review-form/.test(page.html), `${user.username} is refused: the agent acts for another person`, `HTTP ${page.status}`);
    return;
  }
  check(page.status === 200 && /aauth-ps-review-form/.test(page.html), 'after login the review page is shown', `HTTP ${page.status} ${page.html.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').slice(0, 300)}`);
  for (const t of expectTexts) check(unescape(page.html).includes(t), `review page shows "${t.slice(0, 60)}"`);
  const done = await b.go(formAction(page.html), { consent_token: hidden(page.html, 'consent_token'), decision });
  check(done.status === 200 && /aauth-message/.test(done.html), `review ${decision} is recorded`, `HTTP ${done.status}`);
}

const coreOptions = {
  keys: new KeyDiscovery(new GuardedFetcher({ allowLoopback: true }), { profile: 'aauth-current' }),
  // A realm's issuer is {origin}/realms/{realm}: a path, which §Server Identifiers does not foresee.
  identifiers: { allowLoopbackHttp: true, exact: [ISSUER] },
};
async function coreAccepts(token, typ, audience, requestKey) {
  try {
    const verify = typ === 'aa-person+jwt' ? verifyAaPersonToken : verifyAaAuthToken;
    await verify(token, { ...coreOptions, audience, requestKey });
    check(true, `${typ} passes @aauth/core's current-profile verifier`);
  } catch (e) {
    check(false, `${typ} passes @aauth/core's current-profile verifier`, `${e.code ?? ''} ${e.message}`);
  }
}

let jwks;
async function verifyPs(token, typ) {
  const { header, payload } = decode(token);
  jwks ??= await (await fetch(`${ISSUER}/protocol/openid-connect/certs`)).json();
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  const [h, p, s] = token.split('.');
  const ok = jwk && crypto.verify(null, Buffer.from(`${h}.${p}`), crypto.createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' }), Buffer.from(s, 'base64url'));
  check(header.typ === typ && header.alg === 'Ed25519' && ok && jwk.alg === 'Ed25519',
    `${typ} is signed Ed25519 by a realm key the JWKS lists with alg Ed25519`, JSON.stringify({ header, jwkAlg: jwk?.alg }));
  check(payload.iss === ISSUER && payload.dwk === 'aauth-person.json' && typeof payload.jti === 'string' && payload.exp - payload.iat <= 3600 && payload.exp > now(),
    `${typ} iss, dwk, jti, lifetime ≤ 1 h`, JSON.stringify(payload));
  return payload;
}

async function pollUntilDone(location, agent) {
  for (let i = 0; i < 20; i++) {
    const r = await signed('GET', location, { agent });
    if (r.status !== 202) return r;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error('poll did not settle');
}

/** A 202 of a request for the person: Location, Retry-After, no-store, AAuth-Requirement interaction. */
function interactionRequired(r, name) {
  const req = r.headers.get('aauth-requirement') ?? '';
  check(r.status === 202 && r.json?.status === 'pending' && r.headers.get('location')?.startsWith(`${PS}/pending/`)
    && r.headers.get('retry-after') === '0' && r.headers.get('cache-control') === 'no-store'
    && /^requirement=interaction; url="[^"]+\/ps\/interaction"; code="[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}"$/.test(req), name, `HTTP ${r.status} ${req} ${r.text.slice(0, 200)}`);
  return { location: r.headers.get('location'), requirement: req };
}

const ORIGIN = ISSUER.replace(/\/realms\/[^/]+$/, '');
const REALM = ISSUER.slice(ORIGIN.length + '/realms/'.length);
async function adminToken() {
  const login = await fetch(`${ORIGIN}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: process.env.KC_BOOTSTRAP_ADMIN_USERNAME ?? 'admin', password: process.env.KC_BOOTSTRAP_ADMIN_PASSWORD ?? 'admin' }),
  });
  const token = (await login.json()).access_token;
  check(login.status === 200 && typeof token === 'string', 'admin login for the admin REST API', `HTTP ${login.status}`);
  return token;
}

/**
 * The Person Server's answers are decisions like the 2026-03 endpoints' (contract "Decision log and
 * events"): a Keycloak event per grant and refusal with the agent provider as client, and, when
 * AAUTH_E2E_KEYCLOAK_LOG names the server's log, one `aauth decision` line each. Identifiers only.
 */
async function decisionsObserved(agent, provider) {
  console.log('decision log and events');
  const admin = await adminToken();
  if (typeof admin !== 'string') return;
  const granted = (e) => e.type === 'TOKEN_EXCHANGE' && e.details?.aauth_decision === 'ps-token' && e.details?.aauth_agent === agent.id && e.clientId === provider.id;
  const refused = (e) => e.type === 'TOKEN_EXCHANGE_ERROR' && e.details?.aauth_decision === 'person-token' && typeof e.error === 'string' && e.details?.aauth_agent === agent.id;
  let events = [];
  // Events are stored when the request's transaction completes: allow a moment.
  for (let i = 0; i < 10 && !(events.some(granted) && events.some(refused)); i += 1) {
    if (i > 0) await new Promise((r) => setTimeout(r, 500));
    const res = await fetch(`${ORIGIN}/admin/realms/${REALM}/events?max=1000`, { headers: { authorization: `Bearer ${admin}` } });
    events = res.status === 200 ? await res.json() : [];
  }
  check(events.some(granted), 'an auth token granted is a TOKEN_EXCHANGE event (aauth_decision ps-token) with the agent and its provider as client', `${events.length} events`);
  check(events.some(refused), 'a refused person token request is a TOKEN_EXCHANGE_ERROR event with the error code and the agent');
  check(!JSON.stringify(events).includes('eyJ'), 'no token in any event');
  const logFile = process.env.AAUTH_E2E_KEYCLOAK_LOG;
  if (logFile === undefined) {
    console.log('  - decision log lines not checked: AAUTH_E2E_KEYCLOAK_LOG is not set');
    return;
  }
  const { readFileSync } = await import('node:fs');
  const lines = readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('aauth decision component=auth-server'));
  check(lines.some((l) => / decision=person-token outcome=granted status=200 /.test(l) && l.includes(`agent="${agent.id}"`) && / resource="[^"]+"/.test(l) && / user="[^"]+"/.test(l)),
    'a person token issued is one decision line with agent, resource and user');
  check(lines.some((l) => / decision=ps-token outcome=(granted|pending) status=20[02] /.test(l) && l.includes(`agent="${agent.id}"`) && / scope="[^"]+"/.test(l)),
    'an auth token request answered is one decision line with agent, resource and scope');
  check(lines.some((l) => / decision=person-token outcome=refused status=4\d\d /.test(l) && / error="[a-z_]+"/.test(l)), 'a refusal is one decision line with the error code');
  check(!lines.some((l) => /eyJ|sig=:/.test(l)), 'no token or signature in any decision line', `${lines.length} lines`);
}

/**
 * Unknown interaction codes count against the client address (contract "Deferred responses"): past 10
 * within 5 minutes it gets 429 with Retry-After for every code. Sent from 127.0.0.2 so that the lock does
 * not touch the rest of the run (or a second run) from 127.0.0.1.
 */
async function codeGuessesLimited() {
  console.log('interaction code guesses');
  const from = (url) => new Promise((resolve, reject) => {
    http.get(url, { localAddress: '127.0.0.2' }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, retryAfter: res.headers['retry-after'] }));
    }).on('error', reject);
  });
  const answers = [];
  for (let i = 0; i < 11; i++) answers.push(await from(`${PS}/interaction?code=${crypto.randomBytes(4).toString('hex').toUpperCase()}`));
  check(answers.slice(0, 10).every((a) => a.status === 400), 'each unknown code gets a 400 page', answers.map((a) => a.status).join(' '));
  const last = answers[10];
  check(last.status === 429 && /^[1-9]\d*$/.test(last.retryAfter ?? ''), 'the 11th unknown code from the same address → 429 with Retry-After', `HTTP ${last.status} ${last.retryAfter}`);
}

/**
 * A Person Server realm without an Ed25519 key gets one on first use; requests arriving together at
 * first use still make exactly one (one key provider component, one JWKS key with alg Ed25519).
 */
async function oneKeyUnderConcurrentFirstUse() {
  console.log('the Ed25519 key made once under concurrent first use');
  const admin = await adminToken();
  if (typeof admin !== 'string') return;
  const name = `aauth-ps-key-${crypto.randomBytes(3).toString('hex')}`;
  const auth = { authorization: `Bearer ${admin}` };
  const made = await fetch(`${ORIGIN}/admin/realms`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ realm: name, enabled: true, attributes: { 'aauth.personServer': 'true', 'aauth.allowLoopback': 'true' } }) });
  check(made.status === 201, 'a fresh Person Server realm is created', `HTTP ${made.status}`);
  try {
    const answers = await Promise.all(Array.from({ length: 8 }, () => fetch(`${ORIGIN}/realms/${name}/.well-known/aauth-person.json`).then((r) => r.status)));
    check(answers.every((s) => s === 200), 'eight metadata requests at once are all answered', answers.join(' '));
    const components = await (await fetch(`${ORIGIN}/admin/realms/${name}/components?type=org.keycloak.keys.KeyProvider`, { headers: auth })).json();
    const ed = components.filter((c) => c.providerId === 'aauth-ed25519-generated');
    check(ed.length === 1, 'exactly one aauth-ed25519-generated key provider was added', `${ed.length}`);
    const jwks = await (await fetch(`${ORIGIN}/realms/${name}/protocol/openid-connect/certs`)).json();
    check(jwks.keys.filter((k) => k.alg === 'Ed25519').length === 1, 'the JWKS lists one key with alg Ed25519');
  } finally {
    await fetch(`${ORIGIN}/admin/realms/${name}`, { method: 'DELETE', headers: auth });
  }
}

async function main() {
  const provider = new Server('agents.localhost', 9311, 'aauth-agent.json');
  const flights = new Server('flights.localhost', 9312, 'aauth-resource.json');
  const hotels = new Server('hotels.localhost', 9313, 'aauth-resource.json');
  await Promise.all([provider, flights, hotels].map((s) => s.start()));
  // Fresh agent names per run: bindings are durable, so a second run against the same server starts clean.
  const run = crypto.randomBytes(3).toString('hex');
  const assistant = new Agent(provider, `assistant-${run}`);
  const stranger = new Agent(provider, `stranger-${run}`);
  const resourceToken = (agent, pt, extra = {}) => {
    const p = decode(pt).payload;
    return flights.sign('aa-resource+jwt', {
      dwk: 'aauth-resource.json', aud: ISSUER, jti: crypto.randomUUID(), ps: p.iss, sub: p.sub, presented_jti: p.jti,
      agent_jkt: agent.key.jkt, exp: now() + 300, scope: 'flights.read', ...(p.mission_s256 ? { mission_s256: p.mission_s256 } : {}), ...extra,
    });
  };
  try {
    console.log(`AAuth Person Server (current draft) e2e against ${ISSUER}`);

    console.log('metadata');
    let res = await fetch(`${ISSUER}/.well-known/aauth-person.json`);
    const m = await res.json();
    check(res.status === 200 && m.issuer === ISSUER && m.person_token_endpoint === `${PS}/person` && m.auth_token_endpoint === `${PS}/token`
      && m.mission_endpoint === `${PS}/mission` && m.interaction_endpoint === `${PS}/interaction` && m.jwks_uri === `${ISSUER}/protocol/openid-connect/certs`,
      'aauth-person.json names the Person Server endpoints', JSON.stringify(m));
    res = await fetch(`${PLAIN}/.well-known/aauth-person.json`);
    check(res.status === 404, 'a realm without aauth.personServer serves no aauth-person.json', `HTTP ${res.status}`);
    let r = await signed('POST', `${PLAIN}/protocol/aauth/ps/person`, { agent: assistant, body: { resource: flights.id } });
    check(r.status === 404, 'a realm without aauth.personServer answers 404 on ps/ endpoints', `HTTP ${r.status}`);

    console.log('person token: enrolment through the person, then direct (surface 2)');
    r = await signed('POST', `${PS}/person`, { agent: assistant, body: { resource: flights.id } });
    const first = interactionRequired(r, 'a new agent\'s first person-token request → 202 with requirement=interaction');
    r = await signed('GET', first.location, { agent: assistant });
    check(r.status === 202 && r.json?.status === 'pending', 'poll before the person acts → 202 pending');
    r = await signed('GET', first.location, { agent: stranger });
    problem(r, 403, 'access_denied', 'poll by another agent → 403');
    await review(first.requirement, 'approve', { expectTexts: [assistant.id, provider.id, flights.id, 'has not acted for you before'] });
    r = await pollUntilDone(first.location, assistant);
    check(r.status === 200 && typeof r.json?.person_token === 'string' && r.json.expires_in <= 3600, 'poll after approval → 200 person_token', r.text.slice(0, 200));
    const pt1 = r.json?.person_token;
    const p1 = await verifyPs(pt1, 'aa-person+jwt');
    check(p1.aud === flights.id && typeof p1.sub === 'string' && p1.sub.length >= 43 && !p1.sub.includes('-0000-') && thumbprint(p1.cnf.jwk) === assistant.key.jkt
      && p1.cnf.jwk.alg === 'Ed25519' && !('scope' in p1) && !('mission_s256' in p1), 'person token: aud = resource, directed sub, cnf.jwk with alg, no scope', JSON.stringify(p1));
    await coreAccepts(pt1, 'aa-person+jwt', flights.id, assistant.key.jwk);
    r = await signed('GET', first.location, { agent: assistant });
    problem(r, 410, 'invalid_request', 'the pending URL after its terminal answer → 410');
    r = await signed('POST', `${PS}/person`, { agent: assistant, body: { resource: flights.id } });
    check(r.status === 200 && decode(r.json?.person_token ?? 'e30.e30').payload.sub === p1.sub, 'a bound agent gets the next person token at once, same sub', r.text.slice(0, 200));
    r = await signed('POST', `${PS}/person`, { agent: assistant, body: { resource: hotels.id } });
    const hreq = interactionRequired(r, 'the first person token for another resource asks the person again');
    await review(hreq.requirement, 'approve', { expectTexts: [hotels.id] });
    r = await pollUntilDone(hreq.location, assistant);
    check(r.status === 200 && decode(r.json?.person_token ?? 'e30.e30').payload.sub !== p1.sub, 'another resource gets another directed sub');
    r = await signed('POST', `${PS}/person`, { agent: assistant, body: { resource: `${flights.id.replace('9312', '9399')}` } });
    const unreach = await signed('POST', `${PS}/person`, { agent: assistant, body: { resource: `${flights.id.replace('9312', '9398')}`, capabilities: [] } });
    problem(unreach, 403, 'user_unreachable', 'the person must be asked but the agent declared no interaction capability → 403 user_unreachable');
    if (r.headers.get('location')) await signed('DELETE', r.headers.get('location'), { agent: assistant });
    r = await signed('POST', `${PS}/person`, { agent: new Agent(new Server('unknown.localhost', 9314, 'aauth-agent.json'), `x-${run}`), body: { resource: flights.id } });
    problem(r, 403, 'access_denied', 'an agent provider that is not an agent client of the realm → 403 access_denied (nothing fetched)');
    r = await signed('POST', `${PS}/person`, { agent: assistant, body: { resource: `${flights.id}/path` } });
    problem(r, 400, 'invalid_request', 'a resource that is not a server identifier → 400 invalid_request');

    console.log('mission approval (surface 1)');
    const proposal = { description: '# Plan a trip\n\nBook flights <b>and</b> a hotel.', tools: [{ name: 'BookFlight', description: 'Book flights' }], resources: [flights.id] };
    r = await signed('POST', `${PS}/mission`, { agent: assistant, body: proposal });
    const mreq = interactionRequired(r, 'a mission proposal → 202 with requirement=interaction');
    await review(mreq.requirement, 'approve', { expectTexts: ['# Plan a trip', 'Book flights <b>and</b> a hotel.', 'BookFlight', flights.id] });
    r = await pollUntilDone(mreq.location, assistant);
    check(r.status === 200 && typeof r.json?.s256 === 'string' && typeof r.json?.mission === 'string', 'poll → 200 {s256, mission, person_tokens}', r.text.slice(0, 300));
    const s256 = r.json?.s256;
    const blobBytes = Buffer.from(r.json?.mission ?? '', 'base64url');
    check(b64u(crypto.createHash('sha256').update(blobBytes).digest()) === s256, 's256 = base64url(SHA-256(decoded mission))');
    const blob = JSON.parse(blobBytes.toString('utf8') || '{}');
    check(blob.approver === ISSUER && blob.agent === assistant.id && blob.description === proposal.description && /Z$/.test(blob.approved_at)
      && blob.approved_resources?.[0] === flights.id && blob.approved_tools?.[0]?.name === 'BookFlight', 'the mission blob', JSON.stringify(blob));
    const mpt = r.json?.person_tokens?.[flights.id];
    const mp = mpt ? await verifyPs(mpt, 'aa-person+jwt') : {};
    check(mp.mission_s256 === s256 && mp.aud === flights.id && mp.sub === p1.sub, 'person_tokens carries a mission-scoped person token per approved resource');

    console.log('auth token (surface 4)');
    const rt = resourceToken(assistant, mpt);
    r = await signed('POST', `${PS}/token`, { agent: assistant, body: { resource_token: rt, justification: 'Book the flight' } });
    check(r.status === 200 && typeof r.json?.auth_token === 'string', 'a resource token for a scope needing no consent → 200 auth_token', r.text.slice(0, 300));
    if (r.json?.auth_token) {
      const a = await verifyPs(r.json.auth_token, 'aa-auth+jwt');
      check(a.aud === flights.id && a.ps === ISSUER && a.sub === mp.sub && thumbprint(a.cnf.jwk) === assistant.key.jkt && a.cnf.jwk.alg === 'Ed25519'
        && a.mission_s256 === s256 && a.scope === 'flights.read' && !('agent' in a), 'auth token: aud, ps, sub, cnf, mission_s256, scope; no agent', JSON.stringify(a));
      await coreAccepts(r.json.auth_token, 'aa-auth+jwt', flights.id, assistant.key.jwk);
    }
    r = await signed('POST', `${PS}/token`, { agent: assistant, body: { resource_token: rt } });
    problem(r, 400, 'invalid_resource_token', 'the same resource token again → 400 invalid_resource_token');
    r = await signed('POST', `${PS}/token`, { agent: assistant, body: { resource_token: resourceToken(assistant, mpt, { presented_jti: 'not-ours' }) } });
    problem(r, 400, 'unknown_person_token', 'presented_jti naming no person token of this PS → 400 unknown_person_token');
    const stripped = flights.sign('aa-resource+jwt', { dwk: 'aauth-resource.json', aud: ISSUER, jti: crypto.randomUUID(), ps: mp.iss, sub: mp.sub, presented_jti: mp.jti, agent_jkt: assistant.key.jkt, exp: now() + 300 });
    r = await signed('POST', `${PS}/token`, { agent: assistant, body: { resource_token: stripped } });
    problem(r, 400, 'invalid_resource_token', 'a resource token without the person token\'s mission_s256 (mission stripping) → 400');
    r = await signed('POST', `${PS}/token`, { agent: assistant, body: { resource_token: resourceToken(assistant, mpt, { agent_jkt: stranger.key.jkt }) } });
    problem(r, 400, 'invalid_resource_token', 'agent_jkt not the signing key → 400 invalid_resource_token');
    r = await signed('POST', `${PS}/token`, { agent: assistant, body: { resource_token: resourceToken(assistant, mpt, { exp: now() - 5 }) } });
    problem(r, 400, 'expired_resource_token', 'an expired resource token → 400 expired_resource_token');
    r = await signed('POST', `${PS}/token`, { agent: assistant, body: { resource_token: resourceToken(assistant, pt1, { scope: 'hotels.read' }) } });
    problem(r, 400, 'invalid_scope', 'a scope the resource does not offer → 400 invalid_scope');
    r = await signed('POST', `${PS}/token`, { agent: assistant, body: { resource_token: resourceToken(stranger, pt1, { agent_jkt: stranger.key.jkt }) }, token: undefined, key: stranger.key, agent: stranger });
    problem(r, 400, 'invalid_resource_token', 'another agent presenting a resource token built on this agent\'s person token → 400');
    // A scope in aauth.consentScopes: the person approves the access.
    r = await signed('POST', `${PS}/token`, { agent: assistant, body: { resource_token: resourceToken(assistant, pt1, { scope: 'flights.book' }), justification: 'Check fares' } });
    const treq = interactionRequired(r, 'a scope in aauth.consentScopes → 202 for the person\'s consent');
    await review(treq.requirement, 'approve', { expectTexts: ['flights.book', 'Check fares'] });
    r = await pollUntilDone(treq.location, assistant);
    check(r.status === 200 && decode(r.json?.auth_token ?? 'e30.e30').payload.sub === p1.sub, 'after consent → 200 auth_token for the person', r.text.slice(0, 200));

    console.log('mission refusals');
    r = await signed('POST', `${PS}/person`, { agent: assistant, body: { resource: flights.id, mission_s256: b64u(crypto.randomBytes(32)) } });
    problem(r, 400, 'invalid_request', 'a person token naming an unknown mission_s256 → 400 invalid_request');
    const theirs = await signed('POST', `${PS}/mission/${s256}`, { agent: stranger, body: { action: 'update', description: 'x' } });
    const unknown = await signed('POST', `${PS}/mission/${b64u(crypto.randomBytes(32))}`, { agent: stranger, body: { action: 'update', description: 'x' } });
    problem(theirs, 404, 'mission_not_found', 'another agent\'s mission at its URL → 404 mission_not_found');
    check(unknown.status === 404 && unknown.json?.error === theirs.json?.error && unknown.json?.detail === theirs.json?.detail, 'an unknown mission gets the same answer');
    r = await signed('POST', `${PS}/mission/${s256}`, { agent: assistant, body: { action: 'update', description: 'Hotel moved' } });
    check(r.status === 200 && /^[A-Za-z0-9_-]{43}$/.test(r.json?.s256 ?? ''), 'mission update → 200 {s256}', r.text.slice(0, 200));
    r = await signed('POST', `${PS}/mission/${s256}`, { agent: assistant, body: { action: 'revoke' } });
    problem(r, 400, 'invalid_request', 'a mission URL with an unknown action → 400');
    r = await signed('POST', `${PS}/person`, { agent: assistant, body: { resource: flights.id, mission_s256: s256 } });
    check(r.status === 200 && decode(r.json?.person_token ?? 'e30.e30').payload.mission_s256 === s256, 'person token naming the mission → carries mission_s256');

    console.log('sub-agents (surface 5)');
    const search = new Agent(provider, `assistant-${run}+search1`, { parent: assistant });
    r = await signed('POST', `${PS}/person`, { agent: assistant, body: { resource: flights.id, mission_s256: s256, subagent_token: search.token() } });
    check(r.status === 200, 'the parent obtains a person token for its sub-agent → 200', r.text.slice(0, 200));
    const spt = r.json?.person_token;
    check(spt && thumbprint(decode(spt).payload.cnf.jwk) === search.key.jkt, 'its cnf is the sub-agent\'s key');
    if (spt) {
      r = await signed('POST', `${PS}/token`, { agent: assistant, body: { resource_token: resourceToken(search, spt), subagent_token: search.token() } });
      check(r.status === 200 && thumbprint(decode(r.json?.auth_token ?? 'e30.e30').payload.cnf?.jwk ?? {}) === search.key.jkt, 'the parent obtains an auth token bound to the sub-agent\'s key', r.text.slice(0, 200));
      r = await signed('POST', `${PS}/token`, { agent: assistant, body: { resource_token: resourceToken(search, spt) } });
      problem(r, 400, 'invalid_resource_token', 'without subagent_token the sub-agent\'s resource token does not fit the parent\'s key');
    }
    r = await signed('POST', `${PS}/person`, { agent: search, body: { resource: flights.id } });
    problem(r, 400, 'invalid_agent_token', 'a sub-agent calling the PS itself → 400 invalid_agent_token');
    const orphan = new Agent(provider, `stranger-${run}+x`, { parent: stranger });
    r = await signed('POST', `${PS}/person`, { agent: assistant, body: { resource: flights.id, subagent_token: orphan.token() } });
    problem(r, 400, 'invalid_agent_token', 'a subagent_token whose parent_agent is another agent → 400 invalid_agent_token');

    console.log('mission completion');
    r = await signed('POST', `${PS}/mission/${s256}`, { agent: assistant, body: { action: 'completion', summary: 'Booked the flight.' } });
    const creq = interactionRequired(r, 'completion → 202 for the person');
    await review(creq.requirement, 'approve', { expectTexts: ['Booked the flight.'] });
    r = await pollUntilDone(creq.location, assistant);
    check(r.status === 200 && r.json?.mission_status === 'terminated' && r.json?.termination_reason === 'completed', 'accepted → 200 terminated, completed', r.text.slice(0, 200));
    r = await signed('POST', `${PS}/person`, { agent: assistant, body: { resource: flights.id, mission_s256: s256 } });
    problem(r, 403, 'mission_terminated', 'a person token naming the completed mission → 403 mission_terminated');
    check(r.json?.mission_status === 'terminated' && r.json?.termination_reason === 'completed', 'with mission_status and termination_reason');

    console.log('pending URLs');
    r = await signed('POST', `${PS}/person`, { agent: stranger, body: { resource: flights.id } });
    const sreq = interactionRequired(r, 'another new agent → 202');
    r = await signed('POST', sreq.location, { agent: stranger, body: {} });
    problem(r, 400, 'invalid_request', 'POST to the pending URL without action → 400');
    r = await signed('POST', sreq.location, { agent: stranger, body: { action: 'clarification_response', clarification_response: 'x' } });
    problem(r, 400, 'invalid_request', 'POST clarification_response when none was asked → 400');
    r = await signed('DELETE', sreq.location, { agent: stranger });
    check(r.status === 204, 'DELETE the pending URL → 204', `HTTP ${r.status}`);
    r = await signed('GET', sreq.location, { agent: stranger });
    problem(r, 410, 'invalid_request', 'after DELETE the pending URL → 410');
    r = await signed('POST', `${PS}/mission`, { agent: stranger, body: { description: 'Something' } });
    const dreq = interactionRequired(r, 'a mission of an unbound agent → 202');
    await review(dreq.requirement, 'deny');
    r = await pollUntilDone(dreq.location, stranger);
    problem(r, 403, 'denied', 'after the person denies → 403 denied');
    r = await signed('POST', `${PS}/person`, { agent: assistant, body: { resource: hotels.id, upstream_token: 'x' } });
    problem(r, 400, 'invalid_request', 'an upstream_token that is not a JWT → 400 invalid_request');
    r = await signed('POST', `${PS}/interaction`, { agent: assistant, body: { type: 'interaction', url: `${flights.id}/i`, code: 'ABCD1234' } });
    problem(r, 424, 'interaction_unavailable', 'an agent\'s relay to the interaction endpoint → 424 interaction_unavailable');
    // The agent is alice's now: bob may not answer for it.
    r = await signed('POST', `${PS}/token`, { agent: assistant, body: { resource_token: resourceToken(assistant, pt1, { scope: 'flights.book' }) } });
    const breq = interactionRequired(r, 'a bound agent\'s consent request → 202');
    await review(breq.requirement, 'approve', { user: BOB, refuse: true });
    r = await signed('DELETE', breq.location, { agent: assistant });

    console.log('signature errors (problem+json, Signature-Error)');
    r = await signed('POST', `${PS}/person`, { agent: assistant, body: { resource: flights.id }, scheme: `sig=hwk;kty="OKP";crv="Ed25519";x="${assistant.key.jwk.x}"` });
    problem(r, 401, 'unsupported_scheme', 'scheme=hwk → 401 unsupported_scheme', 'unsupported_scheme');
    check(r.headers.get('accept-signature-scheme') === 'jwt', 'with Accept-Signature-Scheme: jwt');
    r = await signed('POST', `${PS}/person`, { agent: assistant, body: { resource: flights.id }, components: ['@method', '@authority', '@path', 'signature-key'] });
    problem(r, 401, 'invalid_input', 'a body without content-type/content-digest covered → 401 invalid_input', 'invalid_input');
    r = await signed('POST', `${PS}/person`, { agent: assistant, body: { resource: flights.id }, token: assistant.token({ typ: 'agent+jwt' }) });
    problem(r, 401, 'invalid_agent_token', 'an agent token with the 2026-03 typ → 401 invalid_jwt', 'invalid_jwt');
    r = await signed('POST', `${PS}/person`, { agent: assistant, body: { resource: flights.id }, token: assistant.token({ alg: 'EdDSA' }) });
    problem(r, 401, 'invalid_agent_token', 'an agent token with the polymorphic alg EdDSA → 401 invalid_jwt', 'invalid_jwt');
    r = await signed('POST', `${PS}/person`, { agent: assistant, body: { resource: flights.id }, token: assistant.token({ exp: now() - 10 }) });
    problem(r, 401, 'expired_agent_token', 'an expired agent token → 401 expired_jwt', 'expired_jwt');
    const { alg, ...noAlg } = assistant.key.jwk;
    r = await signed('POST', `${PS}/person`, { agent: assistant, body: { resource: flights.id }, token: assistant.token({ cnf: noAlg }) });
    problem(r, 401, 'unsupported_algorithm', 'cnf.jwk without alg → 401 unsupported_algorithm', 'unsupported_algorithm');
    check(r.headers.get('accept-signature-alg')?.includes('"Ed25519"'), 'with Accept-Signature-Alg naming Ed25519', String(alg));
    r = await signed('POST', `${PS}/person`, { agent: assistant, body: { resource: flights.id }, key: stranger.key });
    problem(r, 401, 'invalid_signature', 'signed by a key other than cnf.jwk → 401 invalid_signature', 'invalid_signature');
    r = await signed('POST', `${PS}/person`, { agent: assistant, body: { resource: flights.id }, created: now() - 3600 });
    problem(r, 401, 'invalid_signature', 'created outside the window → 401 invalid_signature', 'invalid_signature');

    await decisionsObserved(assistant, provider);
    await codeGuessesLimited();
    await oneKeyUnderConcurrentFirstUse();
  } finally {
    await Promise.all([provider, flights, hotels].map((s) => s.stop()));
  }
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => { console.error(e); process.exit(1); });
