/**
 * Several Keycloak nodes behind one issuer (contract "State shared between nodes"): a pending
 * request, an interaction code and a resource token's `jti` live in the cluster's single-use store,
 * so any node may take any step of a flow and each single-use thing is used once for the cluster.
 *
 * Registered only for the two-node run (scripts/test-keycloak-cluster.sh): `AAUTH_ISSUER` names
 * node 2 (both nodes' `--hostname`), `AAUTH_TOKEN_ORIGIN` is node 1, where every token request
 * goes (support/signed-fetch.ts), and `AAUTH_TOKEN_NODE_PIDFILE` holds node 1's process group, which
 * the last case stops. The whole suite runs first in the same process, so node 1 serves its token
 * requests while node 2 serves its metadata, polls and consent pages.
 */
import { readFileSync } from 'node:fs';
import { outcome, pollUntilDone, startPending, userDelegated, verifyIssued } from '../support/flows.js';
import type { World } from '../support/world.js';

const TOKEN_ORIGIN = process.env.AAUTH_TOKEN_ORIGIN;
const TOKEN_NODE_PIDFILE = process.env.AAUTH_TOKEN_NODE_PIDFILE;

/** Ends node 1 as a rolling restart does (SIGTERM to its process group) and waits until it is gone. */
async function stopTokenNode(pidfile: string): Promise<void> {
  const pid = Number(readFileSync(pidfile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`${pidfile} holds no process id`);
  process.kill(-pid, 'SIGTERM');
  const alive = (): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 1200 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive()) throw new Error(`node 1 (process group ${pid}) did not stop within 120 s`);
}

export function clusterCases(world: () => World): void {
  if (TOKEN_ORIGIN === undefined || TOKEN_NODE_PIDFILE === undefined) return;
  describe(`cluster: token requests on ${TOKEN_ORIGIN}, everything else on the issuer's node`, () => {
    it('a pending request created on node 1 is polled and approved through node 2', async () => {
      const w = world();
      const agent = w.consentAgent;
      const { location, final } = await userDelegated(w, agent, w.alpha, 'alpha:read');
      expect(location.startsWith(`${w.issuer}/protocol/aauth/pending/`)).toBe(true);
      expect(outcome(final)).toEqual({ status: 200, error: undefined });
      await verifyIssued(w, final.json.auth_token as string, { aud: w.alpha.id, agent: agent.id, jkt: agent.delegateKey.thumbprint });
    });

    it('a resource token redeemed on node 1 is refused on node 2 → 400 invalid_resource_token', async () => {
      const w = world();
      const agent = w.autonomousAgent;
      const rt = await w.resourceToken(w.alpha, agent, { scope: 'alpha:read' });
      expect(outcome(await w.token(agent, { resource_token: rt }))).toEqual({ status: 200, error: undefined });
      const again = await w.token(agent, { resource_token: rt }, { unrouted: true });
      expect(outcome(again)).toEqual({ status: 400, error: 'invalid_resource_token' });
    });

    it('a resource token redeemed on node 2 is refused on node 1 → 400 invalid_resource_token', async () => {
      const w = world();
      const agent = w.autonomousAgent;
      const rt = await w.resourceToken(w.alpha, agent, { scope: 'alpha:read' });
      expect(outcome(await w.token(agent, { resource_token: rt }, { unrouted: true }))).toEqual({ status: 200, error: undefined });
      expect(outcome(await w.token(agent, { resource_token: rt }))).toEqual({ status: 400, error: 'invalid_resource_token' });
    });

    it('node 1 stopped mid-flow: node 2 finishes the flow it began, and serves new ones', async () => {
      const w = world();
      const agent = w.consentAgent;
      const { resourceToken: rt, first, location, signer } = await startPending(w, agent, w.alpha, 'alpha:read');
      await stopTokenNode(TOKEN_NODE_PIDFILE);
      await w.interact(String(first.json.code), 'approve');
      const final = await pollUntilDone(w, location, signer);
      expect(outcome(final)).toEqual({ status: 200, error: undefined });
      // Node 1 is gone: the same resource token stays used up, and a new one is served by node 2.
      expect(outcome(await w.token(agent, { resource_token: rt }, { signer, unrouted: true }))).toEqual({ status: 400, error: 'invalid_resource_token' });
      const auto = w.autonomousAgent;
      const fresh = await w.resourceToken(w.alpha, auto, { scope: 'alpha:read' });
      expect(outcome(await w.token(auto, { resource_token: fresh }, { unrouted: true }))).toEqual({ status: 200, error: undefined });
    }, 240_000);
  });
}
