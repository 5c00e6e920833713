/**
 * Person Server conformance (the current draft, draft-hardt-oauth-aauth-protocol §Person Server;
 * docs/person-server-contract.md), run against the realm `aauth-conformance-current`
 * (`conformance/realm-current.json`) of the server at `AAUTH_CURRENT_ISSUER`, or next to the
 * realm of `AAUTH_ISSUER` on the same server, or of the embedded server started in-process.
 *
 * Its parties listen on fixed loopback ports of their own (19121, 19123–19126), apart from the
 * 2026-03 suite's, so both entry files run side by side.
 *
 * What this suite cannot prove: behaviour over TLS, the `408 expired` / `403 abandoned` of a request
 * that outlives `aauth.pendingLifespan`, the retention of person-token records after `exp` (the
 * embedded server's tests cover both with an injected clock), key rotation, mission `expires_at`, an expired `upstream_token` and one whose `sub` the Person Server
 * has no record of (the embedded server's tests cover both).
 */
import { authTokenCases } from './cases/current/auth-token.js';
import { chainingCases } from './cases/current/chaining.js';
import { personServerMetadataCases } from './cases/current/metadata.js';
import { missionCases } from './cases/current/mission.js';
import { psPendingCases } from './cases/current/pending.js';
import { personTokenCases } from './cases/current/person-token.js';
import { subAgentCases } from './cases/current/sub-agents.js';
import { createCurrentWorld, type CurrentWorld } from './support/current/world.js';

let current: CurrentWorld | undefined;
const world = (): CurrentWorld => {
  if (!current) throw new Error('the Person Server conformance world did not start');
  return current;
};

beforeAll(async () => {
  current = await createCurrentWorld();
});

afterAll(async () => {
  await current?.close();
});

describe(`Person Server conformance, current draft (${process.env.AAUTH_CURRENT_ISSUER ?? process.env.AAUTH_ISSUER ?? 'embedded, in-process'})`, () => {
  personServerMetadataCases(world);
  personTokenCases(world);
  authTokenCases(world);
  missionCases(world);
  subAgentCases(world);
  psPendingCases(world);
  chainingCases(world);
});
