/**
 * AAuth auth-server conformance suite (docs/auth-server-contract.md), run against the server at
 * `AAUTH_ISSUER` (`AAUTH_SERVER_KIND` = embedded | keycloak), or against the embedded server
 * started in-process when `AAUTH_ISSUER` is unset. One file per concern under `cases/`.
 *
 * The suite's agents, resources and trusted issuer listen on fixed loopback ports (19101–19112,
 * registered in conformance/realm.json), so every case runs from this one entry file, in one process.
 *
 * What this suite cannot prove: behaviour over TLS, clock skew between real hosts, the 408 (or 403
 * `abandoned`) of a pending request that outlives `aauth.pendingLifespan` (it would need to wait out the lifespan;
 * the embedded server's own tests cover it with an injected clock), key rotation, or anything
 * about a server's browser UI beyond the HTML forms it drives.
 */
import { autonomousExchangeCases } from './cases/autonomous-exchange.js';
import { callChainingCases } from './cases/call-chaining.js';
import { chainPolicyCases } from './cases/chain-policy.js';
import { clusterCases } from './cases/cluster.js';
import { consentUserBindingCases } from './cases/consent-user-binding.js';
import { foreignSubjectCases } from './cases/foreign-subjects.js';
import { registeredClaimCases } from './cases/registered-claims.js';
import { grantEscalationCases } from './cases/grant-escalation.js';
import { interactionEntryCases } from './cases/interaction-entry.js';
import { fetchOracleCases } from './cases/fetch-oracle.js';
import { metadataCases } from './cases/metadata.js';
import { pendingUrlCases } from './cases/pending-url.js';
import { pollingCases } from './cases/polling.js';
import { policyRefusalCases } from './cases/policy-refusals.js';
import { refreshCases } from './cases/refresh.js';
import { resourceTokenRefusalCases } from './cases/resource-token-refusals.js';
import { signatureComponentCases } from './cases/signature-components.js';
import { signatureRefusalCases } from './cases/signature-refusals.js';
import { singleAnswerRuleCases } from './cases/single-answer-rules.js';
import { tokenExchangeCases } from './cases/token-exchange.js';
import { upstreamTokenRefusalCases } from './cases/upstream-token-refusals.js';
import { userDelegatedCases } from './cases/user-delegated.js';
import { x509Cases } from './cases/x509.js';
import { createWorld, type World } from './support/world.js';

let current: World | undefined;
const world = (): World => {
  if (!current) throw new Error('the conformance world did not start');
  return current;
};

beforeAll(async () => {
  current = await createWorld();
});

afterAll(async () => {
  await current?.close();
});

describe(`auth server conformance (${process.env.AAUTH_ISSUER ?? 'embedded, in-process'})`, () => {
  metadataCases(world);
  autonomousExchangeCases(world);
  userDelegatedCases(world);
  callChainingCases(world);
  consentUserBindingCases(world);
  interactionEntryCases(world);
  refreshCases(world);
  resourceTokenRefusalCases(world);
  upstreamTokenRefusalCases(world);
  policyRefusalCases(world);
  pendingUrlCases(world);
  pollingCases(world);
  signatureRefusalCases(world);
  signatureComponentCases(world);
  tokenExchangeCases(world);
  chainPolicyCases(world);
  singleAnswerRuleCases(world);
  grantEscalationCases(world);
  foreignSubjectCases(world);
  registeredClaimCases(world);
  fetchOracleCases(world);
  x509Cases(world);
  // Last: its final case stops one of the two nodes (two-node Keycloak run only).
  clusterCases(world);
});
