/**
 * One registered agent cannot fill the embedded server's bounded stores for everybody: each agent
 * has its own share of the pending store (requests waiting for a user) and of the resource-token
 * `jti` store. An agent over its share is refused with 503 + Retry-After (the contract's answer for
 * a full store); another agent is still served. Real HTTP on loopback, small quotas set through
 * the server options.
 *
 * Cannot prove: fairness between agents below their quotas (the global bound still applies).
 */
import { createAuthServer, type AuthServer, type AuthServerOptions } from '@aauth-ts/auth-server';
import { Party } from '../../../conformance/support/parties.js';
import { postJson, type Signer } from '../../../conformance/support/signed-fetch.js';
import { realmFor } from './helpers.js';

interface Setup {
  readonly server: AuthServer;
  readonly issuer: string;
  readonly flooder: Party;
  readonly other: Party;
  readonly resource: Party;
  close(): Promise<void>;
}

async function start(consentRequired: boolean, options: Partial<AuthServerOptions>): Promise<Setup> {
  const flooder = new Party({ port: 0, agent: true });
  const other = new Party({ port: 0, agent: true });
  const resource = new Party({ port: 0, resource: true });
  await Promise.all([flooder.start(), other.start(), resource.start()]);
  const realm = realmFor(flooder, resource) as { clients: Array<Record<string, unknown>> };
  const agentClient = realm.clients[0] as Record<string, unknown>;
  realm.clients = [
    { ...agentClient, consentRequired },
    { ...agentClient, clientId: other.id, name: 'Other agent', consentRequired },
    ...realm.clients.slice(1),
  ];
  const server = createAuthServer({ log: () => undefined, ...options, realm });
  const { issuer } = await server.listen(0);
  return {
    server, issuer, flooder, other, resource,
    async close() {
      await server.close();
      await Promise.all([flooder.stop(), other.stop(), resource.stop()]);
    },
  };
}

async function tokenRequest(s: Setup, agent: Party): Promise<{ status: number; retryAfter: string | null; error: unknown }> {
  const signer: Signer = { key: agent.delegateKey, signatureKey: { scheme: 'jwt', jwt: await agent.agentToken() } };
  const rt = await s.resource.resourceToken({ aud: s.issuer, agent: agent.id, agentJkt: agent.delegateKey.thumbprint, scope: 'data:read' });
  const res = await postJson(`${s.issuer}/protocol/aauth/token`, signer, { resource_token: rt });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), error: res.json.error };
}

/** Requests by `agent` until one is refused (at most `limit`); the statuses seen. */
async function flood(s: Setup, agent: Party, limit: number): Promise<Array<{ status: number; retryAfter: string | null; error: unknown }>> {
  const answers = [];
  for (let i = 0; i < limit; i++) {
    const answer = await tokenRequest(s, agent);
    answers.push(answer);
    if (answer.status >= 400) break;
  }
  return answers;
}

describe('per-agent quotas', () => {
  it('one agent filling its share of the pending store is refused (503 + Retry-After); another agent still gets its 202', async () => {
    const s = await start(true, { maxPending: 100, maxPendingPerAgent: 3 });
    try {
      const answers = await flood(s, s.flooder, 10);
      expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 503]);
      expect(answers.at(-1)).toMatchObject({ error: 'server_error' });
      expect(Number(answers.at(-1)?.retryAfter)).toBeGreaterThan(0);
      expect((await tokenRequest(s, s.other)).status).toBe(202);
    } finally {
      await s.close();
    }
  });

  it('one agent filling its share of the jti store is refused (503 + Retry-After); another agent still gets its token', async () => {
    const s = await start(false, { maxJtis: 100, maxJtisPerAgent: 4 });
    try {
      const answers = await flood(s, s.flooder, 10);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 503]);
      expect(answers.at(-1)).toMatchObject({ error: 'server_error' });
      expect(Number(answers.at(-1)?.retryAfter)).toBeGreaterThan(0);
      expect((await tokenRequest(s, s.other)).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('without explicit quotas an agent gets a tenth of each store', async () => {
    const s = await start(true, { maxPending: 20 });
    try {
      const answers = await flood(s, s.flooder, 5);
      expect(answers.map((a) => a.status)).toEqual([202, 202, 503]);
      expect((await tokenRequest(s, s.other)).status).toBe(202);
    } finally {
      await s.close();
    }
  });
});
