// The provider's AAuth tab in Keycloak's real admin console, driven in headless Chromium (Debian's
// `chromium`, through playwright-core, no browser download): an admin signs in, opens a client that is
// not yet an agent, sets "AAuth agent" to on in the AAuth tab and saves; the next token request from
// that agent is then served. Before the save the same request is refused as from an unknown agent.
// Then, in Realm settings → "AAuth realm", adding the scope to the consent scopes makes that request
// wait for the user (202).
//
//   node packages/keycloak-provider/e2e/admin-console.mjs [issuer]
//     (default http://127.0.0.1:8180/realms/aauth-e2e; admin user KC_BOOTSTRAP_ADMIN_USERNAME/PASSWORD,
//      default admin/admin as scripts/keycloak.sh sets them)
//
// Skipped with a message when /usr/bin/chromium is absent; with CI=true that is a failure.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ISSUER, Party, tokenRequest } from './parties.mjs';
import { CHROMIUM, launchChromium } from '../../../scripts/headless-chromium.mjs';

const ORIGIN = new URL(ISSUER).origin;
const REALM = ISSUER.slice(ISSUER.lastIndexOf('/') + 1);
const ADMIN = { username: process.env.KC_BOOTSTRAP_ADMIN_USERNAME ?? 'admin', password: process.env.KC_BOOTSTRAP_ADMIN_PASSWORD ?? 'admin' };
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));

let passed = 0;
let failed = 0;
function check(cond, name, detail = '') {
  if (cond) { passed++; console.log(`  ok   ${name}`); } else { failed++; console.log(`  FAIL ${name}${detail ? ` — ${detail}` : ''}`); }
}

async function adminHeaders() {
  const form = new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', ...ADMIN });
  const token = (await (await fetch(`${ORIGIN}/realms/master/protocol/openid-connect/token`, { method: 'POST', body: form })).json()).access_token;
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
}

/** The client's representation through the admin REST API (to find its internal id and check what was stored). */
async function clientRep(clientId) {
  const res = await fetch(`${ORIGIN}/admin/realms/${REALM}/clients?clientId=${encodeURIComponent(clientId)}`, { headers: await adminHeaders() });
  return (await res.json())[0];
}

async function realmAttributes() {
  return (await (await fetch(`${ORIGIN}/admin/realms/${REALM}`, { headers: await adminHeaders() })).json()).attributes ?? {};
}

/** The realm file's consent scopes, so the check also runs twice against one server. */
async function resetConsentScopes() {
  const res = await fetch(`${ORIGIN}/admin/realms/${REALM}`, { method: 'PUT', headers: await adminHeaders(), body: JSON.stringify({ attributes: { ...(await realmAttributes()), 'aauth.consentScopes': '["calendar.write"]' } }) });
  if (!res.ok) throw new Error(`could not reset the realm's consent scopes: HTTP ${res.status}`);
}

/** Unmarks the client, as the realm file has it, so the check also runs twice against one server. */
async function unmark(rep) {
  // An update merges attributes, so the attribute is emptied (the provider needs "true") rather than left out.
  const attributes = { ...rep.attributes, 'aauth.agent': '' };
  const res = await fetch(`${ORIGIN}/admin/realms/${REALM}/clients/${rep.id}`, { method: 'PUT', headers: await adminHeaders(), body: JSON.stringify({ ...rep, attributes }) });
  if (!res.ok) throw new Error(`could not reset ${rep.clientId}: HTTP ${res.status}`);
}

async function main() {
  if (!existsSync(CHROMIUM)) {
    const msg = `admin console browser test skipped: ${CHROMIUM} is absent (install it with: apt-get install -y chromium)`;
    if (process.env.CI === 'true') { console.error(`${msg}; CI=true requires it`); process.exitCode = 1; return; }
    console.warn(msg);
    return;
  }
  const t0 = Date.now();
  const agent = new Party('console-agent', 9306, { agent: true });
  await agent.start();
  const { context, close } = await launchChromium('aauth-admin-console-');
  const page = await context.newPage();
  try {
    console.log(`AAuth admin console tab against ${ORIGIN} (realm ${REALM})`);
    const initial = await clientRep(agent.id);
    if (initial.attributes?.['aauth.agent'] === 'true') await unmark(initial);
    await resetConsentScopes();
    let r = await tokenRequest(agent, { scope: 'agent.profile' });
    check(r.status === 403 && r.json?.error === 'access_denied', 'before: a client not marked as an agent is refused (access_denied)', `HTTP ${r.status} ${r.text.slice(0, 200)}`);

    const before = await clientRep(agent.id);
    check(before && before.attributes?.['aauth.agent'] !== 'true', 'before: the client is not marked (aauth.agent is not "true")');

    const clientPage = `${ORIGIN}/admin/master/console/#/${REALM}/clients/${before.id}/settings`;
    await page.goto(clientPage);
    await page.fill('#username', ADMIN.username);
    await page.fill('#password', ADMIN.password);
    await page.click('#kc-login');
    await page.waitForURL(/\/admin\/master\/console\//, { timeout: 120_000 });
    if (!page.url().includes(`/clients/${before.id}/`)) await page.goto(clientPage);
    // The provider's tab sits beside Keycloak's own client tabs (declarative UI).
    const tab = page.locator('[role="tab"], a, button').filter({ hasText: /^AAuth$/ }).first();
    await tab.waitFor({ timeout: 120_000 });
    check(true, 'the client page shows the AAuth tab');
    await tab.click();
    await page.locator('#agent').waitFor();
    await page.click('#agent');
    await page.getByRole('option', { name: 'on', exact: true }).click();
    const saved = page.waitForResponse((res) => /\/admin\/realms\/[^/]+\/components/.test(res.url()) && ['POST', 'PUT'].includes(res.request().method()));
    await page.click('[data-testid="save"]');
    const res = await saved;
    check(res.ok(), 'saving the AAuth tab is accepted', res.ok() ? '' : `HTTP ${res.status()} ${await res.text().catch(() => '')}`);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'admin-console-aauth-tab.png'), fullPage: true });

    const after = await clientRep(agent.id);
    check(after.attributes?.['aauth.agent'] === 'true', 'the tab stored aauth.agent=true on the client, the attribute the provider reads', JSON.stringify(after.attributes));

    r = await tokenRequest(agent, { scope: 'agent.profile' });
    check(r.status === 200 && typeof r.json?.auth_token === 'string', 'after: the next token request from the agent is served (200)', `HTTP ${r.status} ${r.text.slice(0, 200)}`);

    // The realm tab: adding agent.profile to the consent scopes makes the same request wait for the user.
    await page.goto(`${ORIGIN}/admin/master/console/#/${REALM}/realm-settings/general`);
    const realmTab = page.locator('[role="tab"], a, button').filter({ hasText: /^AAuth realm$/ }).first();
    await realmTab.waitFor({ timeout: 120_000 });
    await realmTab.click();
    const scopes = page.locator('[data-testid="consentScopes"]').first();
    await scopes.waitFor();
    await scopes.fill('calendar.write agent.profile');
    const realmSaved = page.waitForResponse((res) => /\/admin\/realms\/[^/]+\/components/.test(res.url()) && ['POST', 'PUT'].includes(res.request().method()));
    await page.click('[data-testid="save"]');
    const realmRes = await realmSaved;
    check(realmRes.ok(), 'saving the AAuth realm tab is accepted', realmRes.ok() ? '' : `HTTP ${realmRes.status()} ${await realmRes.text().catch(() => '')}`);
    const attrs = await realmAttributes();
    check(attrs['aauth.consentScopes'] === '["calendar.write","agent.profile"]', 'the realm tab stored aauth.consentScopes as the JSON array the provider reads', attrs['aauth.consentScopes']);
    r = await tokenRequest(agent, { scope: 'agent.profile' });
    check(r.status === 202 && r.json?.status === 'pending', 'after: the same request now waits for the user (202)', `HTTP ${r.status} ${r.text.slice(0, 200)}`);
  } catch (err) {
    failed++;
    console.log(`  FAIL ${err instanceof Error ? err.message : err}`);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'admin-console-failure.png'), fullPage: true }).catch(() => {});
    console.log(`  (screenshot: ${join(ARTIFACTS, 'admin-console-failure.png')})`);
  } finally {
    await close();
    await agent.stop();
  }
  console.log(`\n${passed} passed, ${failed} failed (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
