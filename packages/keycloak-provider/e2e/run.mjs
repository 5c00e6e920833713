// End-to-end checks of the AAuth provider against a running Keycloak (realm src/test/resources/realm-e2e.json,
// plus realm-e2e-other.json in the same server for the realm-isolation checks).
// Only node:crypto, node:http and fetch; every party (agents, resources) is a tiny server on 127.0.0.1.
//
//   node packages/keycloak-provider/e2e/run.mjs [issuer] [other-issuer]
//     (defaults http://127.0.0.1:8180/realms/aauth-e2e and, beside it, .../realms/aauth-e2e-other)
//
// Covers docs/auth-server-contract.md end to end: metadata, signed token requests with agent tokens,
// resource-token validation and replay, 200 autonomous, 202 + consent through Keycloak's login page,
// polling, call chaining with `sub` preserved, refresh, refusals with their exact codes, and realm
// isolation (a pending URL or interaction code of one realm means nothing in another), and the realm's own
// OIDC login tokens with may_act as token-exchange subject tokens (oidc-subject.mjs).
import crypto from 'node:crypto';
import { ISSUER, Party, adminApi, decode, newKey, now, signed, thumbprint, tokenRequest } from './parties.mjs';
import { oidcSubjectTokens } from './oidc-subject.mjs';

const OTHER_ISSUER = (process.argv[3] ?? process.env.AAUTH_E2E_OTHER_ISSUER ?? ISSUER.replace(/\/realms\/[^/]+$/, '/realms/aauth-e2e-other')).replace(/\/+$/, '');
const USER = { id: '6f1c2d4e-0000-4000-8000-00000000a11c', username: 'alice', password: 'alice-password' };
/** A user of the other realm (realm-e2e-other.json). */
const OTHER_USER = { id: '6f1c2d4e-0000-4000-8000-0000000000b0', username: 'bob', password: 'bob-password' };

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
const unescape = (s) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
const formAction = (html) => unescape(/<form[^>]*action="([^"]+)"/i.exec(html)?.[1] ?? '');
const hidden = (html, name) => unescape(new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html)?.[1] ?? '');

async function consent(code, decision, { expectTexts = [], loginHint, issuer = ISSUER, user = USER } = {}) {
  const b = new Browser();
  const login = await b.go(`${issuer}/protocol/aauth/interact?code=${code}`);
  check(login.status === 200 && /type="password"/.test(login.html), 'interaction opens Keycloak\'s login page', `HTTP ${login.status}`);
  if (loginHint) check(new RegExp(`name="username"[^>]*value="${loginHint}"|value="${loginHint}"[^>]*name="username"`).test(login.html), 'login_hint pre-fills the username');
  const page = await b.go(new URL(formAction(login.html), login.url).toString(), { username: user.username, password: user.password, credentialId: '' });
  check(page.status === 200 && /aauth-consent-form/.test(page.html), 'after login the approve/deny page is shown', `HTTP ${page.status} ${page.html.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').slice(0, 300)}`);
  for (const t of expectTexts) check(unescape(page.html).includes(t), `consent page shows "${t}"`);
  const done = await b.go(formAction(page.html), { consent_token: hidden(page.html, 'consent_token'), decision });
  check(done.status === 200 && /aauth-message/.test(done.html), `consent ${decision} is recorded`, `HTTP ${done.status}`);
}

// ---------- checks ----------
let passed = 0;
let failed = 0;
function check(cond, name, detail = '') {
  if (cond) { passed++; console.log(`  ok   ${name}`); } else { failed++; console.log(`  FAIL ${name}${detail ? ` — ${detail}` : ''}`); }
}
const expectError = (r, status, error, name) => check(r.status === status && r.json?.error === error && typeof r.json?.error_description === 'string', name, `got HTTP ${r.status} ${r.text.slice(0, 200)}`);

let jwksCache;
async function verifyIssued(token, expect) {
  const { header, payload } = decode(token);
  jwksCache ??= await (await fetch(`${ISSUER}/protocol/openid-connect/certs`)).json();
  check(payload.iss === ISSUER, `auth token iss is ${ISSUER}`, `iss=${payload.iss}`);
  const jwk = jwksCache.keys.find((k) => k.kid === header.kid);
  const [h, p, s] = token.split('.');
  const alg = { RS256: 'sha256', ES256: 'sha256', EdDSA: null, PS256: 'sha256' }[header.alg];
  const key = jwk && crypto.createPublicKey({ key: jwk, format: 'jwk' });
  const ok = key && crypto.verify(alg, Buffer.from(`${h}.${p}`), header.alg === 'PS256' ? { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING } : key, Buffer.from(s, 'base64url'));
  check(header.typ === 'auth+jwt' && ok, `auth token ${header.alg} signature verifies with the realm JWKS (kid ${header.kid})`);
  check(payload.iss === ISSUER && payload.aud === expect.aud && payload.agent === expect.agent && thumbprint(payload.cnf.jwk) === expect.jkt,
    'auth token iss/aud/agent/cnf.jwk are right', JSON.stringify(payload));
  check(payload.sub === expect.sub, `auth token sub is ${expect.sub ?? 'absent'}`, `sub=${payload.sub}`);
  if (expect.scope !== undefined) check(payload.scope === expect.scope, `auth token scope is "${expect.scope}"`, `scope=${payload.scope}`);
  check(typeof payload.jti === 'string' && payload.exp > payload.iat && !('act' in payload), 'auth token has jti, exp > iat, no act');
  return payload;
}

async function pollUntil(location, party, wanted) {
  for (let i = 0; i < 20; i++) {
    const r = await signed('GET', location, { party });
    if (r.status !== 202 || r.json?.status === wanted) return r;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error('poll did not settle');
}

/**
 * Every grant and refusal is a Keycloak event (the realm has `eventsEnabled`), read back through the
 * admin REST API, and a `dev.aauth.keycloak.decision` log line (when AAUTH_E2E_KEYCLOAK_LOG names
 * the server's log). Identifiers only: no token in either.
 */
async function decisionsObserved({ agent, calendar }) {
  console.log('observability (events and decision log lines)');
  let admin;
  try {
    admin = await adminApi();
  } catch (err) {
    check(false, 'admin login for the events API', String(err));
    return;
  }
  let events = [];
  const granted = (e) => e.type === 'TOKEN_EXCHANGE' && e.details?.aauth_decision === 'token' && e.details?.aauth_agent === agent.id && e.clientId === agent.id
    && e.details?.audience === calendar.id && e.details?.scope === 'calendar.read';
  const refused = (e) => e.type === 'TOKEN_EXCHANGE_ERROR' && e.error === 'invalid_scope' && e.details?.aauth_decision === 'token' && e.details?.aauth_agent === agent.id;
  const approved = (e) => e.type === 'TOKEN_EXCHANGE' && e.details?.aauth_decision === 'pending' && e.userId === USER.id;
  // Events are stored when the request's transaction completes: allow a moment.
  for (let i = 0; i < 10 && !(events.some(granted) && events.some(refused) && events.some(approved)); i += 1) {
    if (i > 0) await new Promise((r) => setTimeout(r, 500));
    const res = await admin('GET', '/events?max=1000');
    events = res.status === 200 ? res.json : [];
  }
  check(events.some(granted), 'a grant is a TOKEN_EXCHANGE event with the agent (client), resource (audience) and scope', `${events.length} events`);
  check(events.some(refused), 'a refusal is a TOKEN_EXCHANGE_ERROR event with the error code and the agent');
  check(events.some(approved), 'a grant after the user\'s approval names the user', JSON.stringify(events.filter((e) => e.details?.aauth_decision === 'pending').slice(0, 2)));
  check(!JSON.stringify(events).includes('eyJ'), 'no token in any event');
  const logFile = process.env.AAUTH_E2E_KEYCLOAK_LOG;
  if (logFile === undefined) {
    console.log('  - decision log lines not checked: AAUTH_E2E_KEYCLOAK_LOG is not set');
    return;
  }
  const { readFileSync } = await import('node:fs');
  const lines = readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('aauth decision component=auth-server'));
  check(lines.some((l) => / decision=token outcome=granted status=200 /.test(l) && l.includes(`agent="${agent.id}"`) && l.includes(`resource="${calendar.id}"`)
    && l.includes('scope="calendar.read"') && / duration_ms=[0-9.]+/.test(l)), 'a grant is one log line with agent, resource, scope and duration');
  check(lines.some((l) => / outcome=refused status=400 /.test(l) && l.includes('error="invalid_scope"') && l.includes(`agent="${agent.id}"`)), 'a refusal is one log line with the error code');
  check(lines.length > 0 && !lines.some((l) => /eyJ|sig=:/.test(l)), 'no token or signature in any decision line', `${lines.length} lines`);
}

async function main() {
  const t0 = Date.now();
  const agent = new Party('agent', 9301, { agent: true });
  const assistant = new Party('assistant', 9303, { agent: true });
  const calendar = new Party('calendar', 9302, { agent: true, resource: true });
  const availability = new Party('availability', 9304, { resource: true });
  const stranger = new Party('stranger', 9305, { agent: true, resource: true });
  const parties = [agent, assistant, calendar, availability, stranger];
  await Promise.all(parties.map((p) => p.start()));
  try {
    console.log(`AAuth e2e against ${ISSUER}`);

    console.log('metadata');
    for (const name of ['aauth-issuer.json', 'aauth-issuer']) {
      const res = await fetch(`${ISSUER}/.well-known/${name}`);
      const m = await res.json();
      check(res.status === 200 && m.issuer === ISSUER && m.token_endpoint === `${ISSUER}/protocol/aauth/token`
        && m.interaction_endpoint === `${ISSUER}/protocol/aauth/interact` && m.jwks_uri === `${ISSUER}/protocol/openid-connect/certs`, `/.well-known/${name}`);
    }

    console.log('autonomous resource access (200)');
    const rt = calendar.resourceToken(agent, { scope: 'calendar.read', txn: 'txn-1' });
    let r = await tokenRequest(agent, { resource_token: rt });
    check(r.status === 200 && r.headers.get('cache-control') === 'no-store' && typeof r.json?.expires_in === 'number', '200 with auth_token, expires_in, no-store', r.text.slice(0, 300));
    const first = r.status === 200 ? await verifyIssued(r.json.auth_token, { aud: calendar.id, agent: agent.id, jkt: agent.delegateKey.jkt, sub: undefined, scope: 'calendar.read' }) : {};
    check(first.txn === 'txn-1', 'txn is carried from the resource token');
    r = await tokenRequest(agent, { resource_token: rt });
    expectError(r, 400, 'invalid_resource_token', 'the same resource token a second time is refused (jti replay)');

    console.log('self-access and form encoding');
    r = await tokenRequest(agent, 'scope=agent.profile', { contentType: 'application/x-www-form-urlencoded' });
    check(r.status === 200, 'form-encoded self-access → 200', r.text.slice(0, 200));
    if (r.status === 200) await verifyIssued(r.json.auth_token, { aud: agent.id, agent: agent.id, jkt: agent.delegateKey.jkt, sub: undefined, scope: 'agent.profile' });

    console.log('refresh');
    if (first.jti) {
      // The token from the first exchange; refresh keeps aud, sub, scope.
      const old = (await tokenRequest(agent, { resource_token: calendar.resourceToken(agent, { scope: 'calendar.read' }) })).json.auth_token;
      r = await tokenRequest(agent, { auth_token: old });
      check(r.status === 200, 'refresh with auth_token → 200', r.text.slice(0, 200));
      if (r.status === 200) await verifyIssued(r.json.auth_token, { aud: calendar.id, agent: agent.id, jkt: agent.delegateKey.jkt, sub: undefined, scope: 'calendar.read' });
      const other = newKey();
      r = await tokenRequest(agent, { auth_token: old }, { key: other });
      expectError(r, 401, 'key_binding_failed', 'refresh signed by a key other than the token\'s cnf.jwk is refused');
    }

    console.log('consent through Keycloak\'s login page (202)');
    r = await tokenRequest(assistant, { resource_token: calendar.resourceToken(assistant, { scope: 'calendar.read' }), purpose: 'Plan the team offsite', login_hint: 'alice' });
    const code = r.json?.code;
    check(r.status === 202 && /^[A-Z0-9]{8}$/.test(code ?? '') && r.headers.get('location') === r.json.location && r.headers.get('retry-after') === '0'
      && r.headers.get('aauth') === `require=interaction; code="${code}"` && r.json.status === 'pending' && r.json.require === 'interaction', '202 with Location, Retry-After, AAuth header and body', r.text.slice(0, 300));
    const location = r.json?.location;
    r = await signed('GET', location, { party: assistant });
    check(r.status === 202 && r.json?.status === 'pending', 'poll before interaction → 202 pending');
    r = await signed('GET', location, { party: assistant, key: newKey() });
    expectError(r, 403, 'access_denied', 'poll signed by another key → 403 access_denied');
    await consent(code, 'approve', { loginHint: 'alice', expectTexts: ['Personal assistant', assistant.id, 'Calendar service', 'Read your calendar', 'Plan the team offsite'] });
    r = await pollUntil(location, assistant, 'done');
    check(r.status === 200, 'poll after approval → 200', r.text.slice(0, 200));
    const upstream = r.json?.auth_token;
    if (upstream) await verifyIssued(upstream, { aud: calendar.id, agent: assistant.id, jkt: assistant.delegateKey.jkt, sub: USER.id, scope: 'calendar.read' });
    r = await signed('GET', location, { party: assistant });
    expectError(r, 404, 'invalid_request', 'poll after the terminal answer → 404');
    const browser = await new Browser().go(`${ISSUER}/protocol/aauth/interact?code=${code}`);
    check(browser.status === 400, 'the interaction code is single use');

    console.log(`realm isolation (${ISSUER} and ${OTHER_ISSUER} in one Keycloak)`);
    {
      // The assistant is registered in both realms: only the pending store can tell them apart.
      r = await tokenRequest(assistant, { resource_token: calendar.resourceToken(assistant, { scope: 'calendar.read' }) });
      check(r.status === 202, 'realm A: consent-required request → 202', r.text.slice(0, 200));
      const locA = r.json?.location ?? '';
      const id = locA.slice(locA.lastIndexOf('/') + 1);
      await consent(r.json?.code, 'approve');
      const inB = await signed('GET', `${OTHER_ISSUER}/protocol/aauth/pending/${id}`, { party: assistant });
      expectError(inB, 404, 'invalid_request', 'pending request from realm A polled at realm B is refused');
      if (inB.status === 200) check(false, 'realm B signed no token for realm A\'s request', JSON.stringify(decode(inB.json.auth_token).payload));
      const inA = await pollUntil(locA, assistant, 'done');
      check(inA.status === 200, 'the same request still completes in realm A', inA.text.slice(0, 200));
      if (inA.status === 200) await verifyIssued(inA.json.auth_token, { aud: calendar.id, agent: assistant.id, jkt: assistant.delegateKey.jkt, sub: USER.id, scope: 'calendar.read' });

      r = await tokenRequest(assistant, { resource_token: calendar.resourceToken(assistant, { scope: 'calendar.read' }) });
      const codeA = r.json?.code;
      const b = new Browser();
      const login = await b.go(`${OTHER_ISSUER}/protocol/aauth/interact?code=${codeA}`);
      check(login.status === 400 && !/type="password"/.test(login.html), 'interaction code from realm A cannot be approved in realm B',
        `HTTP ${login.status}${/type="password"/.test(login.html) ? ' with realm B\'s login page' : ''}`);
      if (/type="password"/.test(login.html)) {
        // Show what that would have allowed: a realm-B user approving realm A's request.
        const consentPage = await b.go(new URL(formAction(login.html), login.url).toString(), { username: OTHER_USER.username, password: OTHER_USER.password, credentialId: '' });
        if (/aauth-consent-form/.test(consentPage.html)) await b.go(formAction(consentPage.html), { consent_token: hidden(consentPage.html, 'consent_token'), decision: 'approve' });
      } else {
        await consent(codeA, 'approve');
      }
      const done = await pollUntil(r.json?.location, assistant, 'done');
      check(done.status === 200 && decode(done.json.auth_token).payload.sub === USER.id, 'realm A\'s code still works in realm A, approved by realm A\'s user',
        done.status === 200 ? `sub=${decode(done.json.auth_token).payload.sub}` : done.text.slice(0, 200));
    }

    console.log('call chaining (sub preserved)');
    r = await tokenRequest(calendar, { resource_token: availability.resourceToken(calendar, { scope: 'availability.read' }), upstream_token: upstream });
    check(r.status === 200, 'resource_token + upstream_token → 200 without consent', r.text.slice(0, 200));
    if (r.status === 200) {
      const chained = await verifyIssued(r.json.auth_token, { aud: availability.id, agent: calendar.id, jkt: calendar.delegateKey.jkt, sub: USER.id, scope: 'availability.read' });
      r = await tokenRequest(calendar, { auth_token: r.json.auth_token });
      check(r.status === 200 && decode(r.json.auth_token).payload.sub === chained.sub, 'refresh of the chained token keeps sub');
    }
    r = await tokenRequest(agent, { resource_token: calendar.resourceToken(agent, { scope: 'calendar.read' }), upstream_token: upstream });
    expectError(r, 400, 'invalid_auth_token', 'upstream token whose aud is another agent → invalid_auth_token');

    console.log('deny');
    r = await tokenRequest(assistant, { scope: 'agent.profile' });
    check(r.status === 202, 'self-access by a consent-required agent → 202');
    await consent(r.json.code, 'deny');
    const denied = await pollUntil(r.json.location, assistant, 'done');
    expectError(denied, 403, 'denied', 'poll after deny → 403 denied');
    expectError(await signed('GET', r.json.location, { party: assistant }), 404, 'invalid_request', 'then 404');

    console.log('consent scopes (aauth.consentScopes)');
    r = await tokenRequest(agent, { resource_token: calendar.resourceToken(agent, { scope: 'calendar.write' }) });
    check(r.status === 202, 'a scope in aauth.consentScopes needs approval even for an autonomous agent');

    console.log('refusals');
    const plain = await fetch(`${ISSUER}/protocol/aauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"scope":"agent.profile"}' });
    const plainJson = await plain.json();
    check(plain.status === 401 && plainJson.error === 'invalid_signature', 'unsigned request → 401 invalid_signature');
    expectError(await tokenRequest(agent, { scope: 1 }), 400, 'invalid_request', 'non-string member → invalid_request');
    expectError(await tokenRequest(agent, { purpose: 'x' }), 400, 'invalid_request', 'no mode field → invalid_request');
    expectError(await tokenRequest(agent, '{"scope":', {}), 400, 'invalid_request', 'malformed JSON → invalid_request');
    expectError(await tokenRequest(agent, { scope: 'agent.profile' }, { tamperDigest: true }), 401, 'invalid_signature', 'Content-Digest mismatch → invalid_signature');
    expectError(await tokenRequest(agent, { scope: 'agent.profile' }, { created: now() - 120 }), 401, 'invalid_signature', 'created 120 s old → invalid_signature');
    expectError(await tokenRequest(agent, { scope: 'agent.profile' }, { components: ['@method', '@authority', '@path', 'content-type', 'content-digest'] }), 401, 'invalid_signature', 'signature-key not covered → invalid_signature');
    const hwk = agent.delegateKey.jwk;
    expectError(await tokenRequest(agent, { scope: 'agent.profile' }, { sigKey: `sig=hwk;kty="OKP";crv="Ed25519";x="${hwk.x}"` }), 401, 'invalid_signature', 'hwk scheme → invalid_signature');
    expectError(await tokenRequest(agent, { scope: 'agent.profile' }, { sigKey: `sig=jwt;jwt="${agent.agentToken({ typ: 'JWT' })}"` }), 401, 'invalid_agent_token', 'agent token with typ JWT → invalid_agent_token');
    expectError(await tokenRequest(agent, { scope: 'agent.profile' }, { sigKey: `sig=jwt;jwt="${agent.agentToken({ signWith: newKey() })}"` }), 401, 'invalid_agent_token', 'agent token signed by an unpublished key → invalid_agent_token');
    expectError(await tokenRequest(agent, { scope: 'agent.profile' }, { sigKey: `sig=jwt;jwt="${agent.agentToken({ exp: now() - 10 })}"` }), 401, 'invalid_agent_token', 'expired agent token → invalid_agent_token');
    expectError(await tokenRequest(agent, { scope: 'agent.profile' }, { sigKey: `sig=jwt;jwt="${agent.agentToken({ aud: 'https://other.example' })}"` }), 401, 'invalid_agent_token', 'agent token aud for another server → invalid_agent_token');
    expectError(await tokenRequest(agent, { scope: 'agent.profile' }, { sigKey: `sig=jwt;jwt="${agent.agentToken({ key: newKey() })}"` }), 401, 'invalid_signature', 'request signed by a key other than cnf.jwk → invalid_signature');
    expectError(await tokenRequest(agent, { resource_token: calendar.resourceToken(agent, { scope: 'calendar.read', signWith: newKey() }) }), 400, 'invalid_resource_token', 'resource token with a bad signature → invalid_resource_token');
    expectError(await tokenRequest(agent, { resource_token: calendar.resourceToken(agent, { scope: 'calendar.read', jkt: newKey().jkt }) }), 400, 'invalid_resource_token', 'resource token agent_jkt mismatch → invalid_resource_token');
    expectError(await tokenRequest(agent, { resource_token: calendar.resourceToken(agent, { scope: 'calendar.read', aud: 'http://127.0.0.1:1/realms/x' }) }), 400, 'invalid_resource_token', 'resource token aud mismatch → invalid_resource_token');
    expectError(await tokenRequest(agent, { resource_token: calendar.resourceToken(agent, { scope: 'calendar.read', exp: now() - 5 }) }), 400, 'invalid_resource_token', 'expired resource token → invalid_resource_token');
    expectError(await tokenRequest(agent, { resource_token: calendar.resourceToken(agent, { scope: 'availability.read' }) }), 400, 'invalid_scope', 'scope the resource does not offer → invalid_scope');
    expectError(await tokenRequest(agent, { scope: 'calendar.admin' }), 400, 'invalid_scope', 'scope outside the agent\'s optional scopes → invalid_scope');
    expectError(await tokenRequest(stranger, { scope: 'agent.profile' }), 403, 'access_denied', 'agent unknown to the realm → access_denied');
    expectError(await tokenRequest(agent, { resource_token: stranger.resourceToken(agent, { scope: 'calendar.read' }) }), 403, 'access_denied', 'resource unknown to the realm → access_denied');
    expectError(await signed('GET', `${ISSUER}/protocol/aauth/pending/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`, { party: agent }), 404, 'invalid_request', 'unknown pending URL → 404');

    await oidcSubjectTokens({ check, expectError, otherIssuer: OTHER_ISSUER, user: USER, otherUser: OTHER_USER, calendar, assistant });

    await decisionsObserved({ agent, calendar });
  } finally {
    await Promise.all(parties.map((p) => p.stop()));
  }
  console.log(`\n${passed} passed, ${failed} failed (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
