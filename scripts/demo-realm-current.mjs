#!/usr/bin/env node
// The demo's realm as the Person Server of the current profile, for a Keycloak that also serves
// the 2026-03 demo realm (scripts/test-keycloak.sh imports both and runs the demo once per profile):
// keycloak-realm.json turned into a Person Server exactly as `npm run demo -- --profile current`
// does it (examples/launcher realmForConfig), under the realm name of ISSUER's path and with a user
// id of its own (Keycloak's user ids are unique across realms).
//
//   node scripts/demo-realm-current.mjs ISSUER OUT.json      (after `npx tsc -b examples`)
import { readFileSync, writeFileSync } from 'node:fs';

const [issuer, out] = process.argv.slice(2);
if (!issuer || !out) {
  console.error('usage: node scripts/demo-realm-current.mjs ISSUER OUT.json');
  process.exit(2);
}
const realmName = /^\/realms\/([^/]+)$/.exec(new URL(issuer).pathname)?.[1];
if (!realmName) {
  console.error(`demo-realm-current: ${issuer} is not {origin}/realms/{realm}`);
  process.exit(2);
}
const { loadConfig } = await import('../examples/dist/common/src/config.js');
const { realmForConfig } = await import('../examples/dist/launcher/src/realm-for-config.js');
const config = loadConfig({ AAUTH_ISSUER: issuer, DEMO_PROFILE: 'current' }, false);
const source = JSON.parse(readFileSync(new URL('../keycloak-realm.json', import.meta.url), 'utf8'));
const realm = realmForConfig(config, source);
realm.realm = realmName;
realm.users = (realm.users ?? []).map((user) => (user.id === undefined ? user : { ...user, id: '6c9f8e5d-3a2b-4d4c-8e7f-9b8a7c6d5e4f' }));
writeFileSync(out, `${JSON.stringify(realm, null, 2)}\n`);
