/** Test fixtures: a small realm around ephemeral-port parties, and an in-process server. */
import { createAuthServer, type AuthServer, type AuthServerOptions } from '@aauth-ts/auth-server';
import { Party } from '../../../conformance/support/parties.js';

export const USER = { id: 'f3a9c2d4-0000-4000-8000-000000000001', username: 'alice', password: 'alice-password' };

export interface Fixture {
  readonly server: AuthServer;
  readonly issuer: string;
  readonly agent: Party;
  readonly resource: Party;
  close(): Promise<void>;
}

export function realmFor(agent: Party, resource: Party, extra: { attributes?: Record<string, string>; accessTokenLifespan?: number; users?: readonly object[] } = {}): object {
  return {
    realm: 'unit',
    accessTokenLifespan: extra.accessTokenLifespan ?? 300,
    attributes: { 'aauth.allowLoopback': 'true', ...extra.attributes },
    users: extra.users ?? [{ id: USER.id, username: USER.username, enabled: true, credentials: [{ type: 'password', value: USER.password }] }],
    clientScopes: [
      { name: 'data:read', description: 'Read data', attributes: { 'aauth.resource': resource.id, 'consent.screen.text': 'Read your <data>' } },
    ],
    clients: [
      { clientId: agent.id, name: 'Unit <agent>', consentRequired: true, attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['data:read'] },
      { clientId: resource.id, name: 'Unit resource', attributes: { 'aauth.resource': 'true' } },
    ],
  };
}

export async function startFixture(options: Partial<AuthServerOptions> & { attributes?: Record<string, string>; users?: readonly object[] } = {}): Promise<Fixture> {
  const agent = new Party({ port: 0, agent: true });
  const resource = new Party({ port: 0, resource: true });
  await Promise.all([agent.start(), resource.start()]);
  const server = createAuthServer({ log: () => undefined, ...options, realm: options.realm ?? realmFor(agent, resource, { attributes: options.attributes ?? {}, ...(options.users === undefined ? {} : { users: options.users }) }) });
  const { issuer } = await server.listen(0);
  return {
    server, issuer, agent, resource,
    async close() {
      await server.close();
      await Promise.all([agent.stop(), resource.stop()]);
    },
  };
}
