// End-to-end: a user signed in with Keycloak's normal OIDC login (direct grant at the realm's public
// client aauth-e2e-login) holds an access token whose may_act (from the provider's aauth-may-act-mapper)
// names an agent; that agent exchanges it at the AAuth token-exchange endpoint (RFC 8693) and a
// resource accepts the delegated token (core's verifyDelegatedToken, as a resource does).
// docs/auth-server-contract.md, "RFC 8693 token exchange".
import { GuardedFetcher, KeyDiscovery, verifyDelegatedToken } from '../../core/dist/index.js';
import { ISSUER, Party, adminApi, decode, now, signed, thumbprint } from './parties.mjs';

const LOGIN_CLIENT = 'aauth-e2e-login';
const SHORT_CLIENT = 'aauth-e2e-login-short'; // access.token.lifespan 1 s, for the expired case
const SPARE_CLIENT = 'aauth-e2e-login-spare'; // disabled by these checks
const DAVE = { id: '6f1c2d4e-0000-4000-8000-0000000000d0', username: 'dave', password: 'dave-password' }; // disabled by these checks
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** Keycloak's direct grant (OAuth 2.0 password grant) at a public client. */
async function login(issuer, clientId, username, password) {
  const res = await fetch(`${issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: clientId, username, password, scope: 'openid' }).toString(),
  });
  const json = await res.json();
  if (res.status !== 200) throw new Error(`direct grant for ${username} at ${issuer} (${clientId}): HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const exchange = (party, subjectToken, audience) => signed('POST', `${ISSUER}/protocol/aauth/token-exchange`, {
  party,
  contentType: 'application/x-www-form-urlencoded',
  body: new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token: subjectToken,
    subject_token_type: ACCESS_TOKEN_TYPE,
    audience,
  }).toString(),
});

/**
 * @param {{ check: Function, expectError: Function, otherIssuer: string, user: { id: string, username: string, password: string },
 *           otherUser: { username: string, password: string }, calendar: Party, assistant: Party }} t
 */
export async function oidcSubjectTokens({ check, expectError, otherIssuer, user, otherUser, calendar, assistant }) {
  const delegate = new Party('delegate', 9307, { agent: true });
  await delegate.start();
  try {
    console.log('OIDC login tokens with may_act as subject tokens');
    const signedIn = await login(ISSUER, LOGIN_CLIENT, user.username, user.password);
    const claims = decode(signedIn.access_token).payload;
    check(claims.sub === user.id && claims.azp === LOGIN_CLIENT && claims.may_act?.sub === delegate.id,
      'the realm access token carries may_act naming the agent (aauth-may-act-mapper setting)', JSON.stringify({ sub: claims.sub, azp: claims.azp, may_act: claims.may_act }));

    const r = await exchange(delegate, signedIn.access_token, calendar.id);
    check(r.status === 200 && r.json?.token_type === 'N_A', 'the agent named by may_act exchanges the login token → 200', r.text.slice(0, 300));
    if (r.status === 200) {
      try {
        const keys = new KeyDiscovery(new GuardedFetcher({ allowLoopback: true }));
        const t = await verifyDelegatedToken(r.json.access_token, { keys, trustedIssuers: [ISSUER], audience: calendar.id, cnfThumbprint: delegate.delegateKey.jkt });
        check(t.sub === user.id && t.act.sub === delegate.id && t.act.act === undefined && t.scope === 'calendar.read' && thumbprint(t.cnf.jwk) === delegate.delegateKey.jkt,
          'the resource accepts the delegated token: sub = the user, act = the agent, scope, cnf = its key', JSON.stringify(t));
      } catch (err) {
        check(false, 'the resource accepts the delegated token', String(err));
      }
    }

    const carol = await login(ISSUER, LOGIN_CLIENT, 'carol', 'carol-password');
    check(decode(carol.access_token).payload.may_act?.sub === assistant.id, 'the user attribute aauth.mayAct wins over the mapper setting');
    expectError(await exchange(delegate, carol.access_token, calendar.id), 400, 'invalid_grant', 'a login token whose may_act names another agent → invalid_grant');

    const other = await login(otherIssuer, LOGIN_CLIENT, otherUser.username, otherUser.password);
    expectError(await exchange(delegate, other.access_token, calendar.id), 400, 'invalid_grant', 'another realm\'s login token → invalid_grant');

    expectError(await exchange(delegate, signedIn.id_token, calendar.id), 400, 'invalid_grant', 'the realm\'s ID token (not an access token) → invalid_grant');

    const short = await login(ISSUER, SHORT_CLIENT, user.username, user.password);
    const exp = decode(short.access_token).payload.exp;
    while (now() <= exp) await new Promise((resolve) => setTimeout(resolve, 250));
    expectError(await exchange(delegate, short.access_token, calendar.id), 400, 'invalid_grant', 'an expired login token → invalid_grant');

    const ended = await login(ISSUER, LOGIN_CLIENT, user.username, user.password);
    const logout = await fetch(`${ISSUER}/protocol/openid-connect/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: LOGIN_CLIENT, refresh_token: ended.refresh_token }).toString(),
    });
    check(logout.status === 204, 'the user logs out', `HTTP ${logout.status}`);
    expectError(await exchange(delegate, ended.access_token, calendar.id), 400, 'invalid_grant', 'a login token whose session has ended (logout) → invalid_grant');

    // Keycloak's own judgement of a live access token (token introspection, UserInfo): the session, the
    // revoked-token record, the user and the client it was issued to (contract "RFC 8693 token exchange").
    await liveness({ check, expectError, delegate, calendar, user });
  } finally {
    await delegate.stop();
  }
}

async function liveness({ check, expectError, delegate, calendar, user }) {
  console.log('a login token is exchanged only while Keycloak itself holds it live');
  const admin = await adminApi(ISSUER);

  const fresh = await login(ISSUER, LOGIN_CLIENT, user.username, user.password);
  const ok = await exchange(delegate, fresh.access_token, calendar.id);
  check(ok.status === 200, 'a fresh login token, its session live → 200', ok.text.slice(0, 300));

  const dropped = await login(ISSUER, LOGIN_CLIENT, user.username, user.password);
  const sid = decode(dropped.access_token).payload.sid;
  const sessions = (await admin('GET', `/users/${user.id}/sessions`)).json ?? [];
  const target = sessions.find((s) => s.id === sid) ?? sessions.reduce((a, b) => (a === undefined || b.start > a.start ? b : a), undefined);
  const del = target === undefined ? { status: 0 } : await admin('DELETE', `/sessions/${target.id}`);
  check(del.status === 204, 'an admin ends the login session (admin REST API)', `HTTP ${del.status}`);
  expectError(await exchange(delegate, dropped.access_token, calendar.id), 400, 'invalid_grant', 'a login token whose session an admin ended → invalid_grant');

  const revoked = await login(ISSUER, LOGIN_CLIENT, user.username, user.password);
  const revoke = await fetch(`${ISSUER}/protocol/openid-connect/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: LOGIN_CLIENT, token: revoked.access_token, token_type_hint: 'access_token' }).toString(),
  });
  check(revoke.status === 200, 'the client revokes the access token (RFC 7009)', `HTTP ${revoke.status}`);
  const stillLive = await login(ISSUER, LOGIN_CLIENT, user.username, user.password);
  expectError(await exchange(delegate, revoked.access_token, calendar.id), 400, 'invalid_grant', 'a revoked login token (its session still live) → invalid_grant');
  const other = await exchange(delegate, stillLive.access_token, calendar.id);
  check(other.status === 200, 'another token of the same user, not revoked → 200', other.text.slice(0, 300));

  const daves = await login(ISSUER, LOGIN_CLIENT, DAVE.username, DAVE.password);
  const rep = (await admin('GET', `/users/${DAVE.id}`)).json;
  const disable = await admin('PUT', `/users/${DAVE.id}`, { ...rep, enabled: false });
  check(disable.status === 204, 'an admin disables the user', `HTTP ${disable.status}`);
  try {
    expectError(await exchange(delegate, daves.access_token, calendar.id), 400, 'invalid_grant', 'a login token of a user since disabled → invalid_grant');
  } finally {
    await admin('PUT', `/users/${DAVE.id}`, { ...rep, enabled: true });
  }

  const spare = await login(ISSUER, SPARE_CLIENT, user.username, user.password);
  const clients = (await admin('GET', `/clients?clientId=${SPARE_CLIENT}`)).json ?? [];
  const client = clients[0];
  const off = client === undefined ? { status: 0 } : await admin('PUT', `/clients/${client.id}`, { ...client, enabled: false });
  check(off.status === 204, 'an admin disables the client the token was issued to', `HTTP ${off.status}`);
  try {
    expectError(await exchange(delegate, spare.access_token, calendar.id), 400, 'invalid_grant', 'a login token of a client since disabled → invalid_grant');
  } finally {
    if (client !== undefined) await admin('PUT', `/clients/${client.id}`, { ...client, enabled: true });
  }
}
