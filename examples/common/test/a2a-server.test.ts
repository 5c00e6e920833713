/**
 * `a2aEndpoint` on real loopback servers: the scope each A2A call must carry is the one the card
 * declares for the skill the call names, enforced by `requireAuth` before the SDK runs.
 */
import type { Server } from 'node:http';
import express from 'express';
import { A2A_PROTOCOL_VERSION, A2A_VERSION_HEADER } from '@a2a-js/sdk';
import { PROFILE, generateSigningKey } from '@aauth-ts/core';
import { aauth } from '@aauth-ts/resource';
import { AAuthClient, AgentServer, AgentSession, readChallenge } from '@aauth-ts/agent';
import { A2A_RPC_PATH, aauthAgentCard } from '../src/a2a-card.js';
import { a2aEndpoint, type A2ASkillHandler } from '../src/a2a-server.js';
import { decodeJwt } from '../src/decode-jwt.js';
import { boundPort, closeServer, listen } from '../src/http.js';

const answer = (name: string): A2ASkillHandler => ({ validate: () => undefined, run: () => ({ from: name }) });

describe('a2aEndpoint: the scope of the skill the call names', () => {
  let agentHttp: Server;
  let resourceHttp: Server;
  let caller: AAuthClient;
  let endpoint: string;

  beforeAll(async () => {
    // The caller: an agent server on loopback publishing its key.
    const agentApp = express();
    agentHttp = await listen(agentApp, 0, '127.0.0.1');
    const identity = new AgentServer({ identifier: `http://127.0.0.1:${boundPort(agentHttp)}`, development: true });
    agentApp.use(identity.router());
    caller = new AAuthClient({ session: AgentSession.asAgentServer(identity), development: true, authServers: ['http://127.0.0.1:9/realms/none'] });

    // The resource: two skills with different scopes. No auth server is ever reached: no call here carries a token.
    const resourceApp = express();
    resourceHttp = await listen(resourceApp, 0, '127.0.0.1');
    const identifier = `http://127.0.0.1:${boundPort(resourceHttp)}`;
    const guard = aauth({ resource: identifier, signingKey: generateSigningKey(), authServer: 'http://127.0.0.1:9/realms/none', development: true });
    const card = aauthAgentCard({
      name: 'two skills', description: 'test', identifier, authServer: 'http://127.0.0.1:9/realms/none', profile: 'aauth-2026-03',
      skills: [
        { id: 'read', name: 'Read', description: 'reads', tags: [], scope: 'things:read' },
        { id: 'write', name: 'Write', description: 'writes', tags: [], scope: 'things:write' },
      ],
    });
    resourceApp.use(guard);
    resourceApp.use(a2aEndpoint({ card, guard, skills: { read: answer('read'), write: answer('write') } }));
    endpoint = `${identifier}${A2A_RPC_PATH}`;
  });

  afterAll(async () => {
    if (resourceHttp) await closeServer(resourceHttp);
    if (agentHttp) await closeServer(agentHttp);
  });

  async function challengedScope(method: string, params: unknown): Promise<unknown> {
    const response = await caller.fetch(endpoint, {
      method: 'POST',
      headers: { [PROFILE.headers.contentType]: 'application/json', [A2A_VERSION_HEADER]: A2A_PROTOCOL_VERSION },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      aauth: { noRetry: true },
    });
    expect(response.status).toBe(401);
    const challenge = readChallenge(response.headers.get(PROFILE.headers.challenge) ?? '');
    return challenge.require === 'auth-token' ? decodeJwt(challenge.resourceToken).claims.scope : challenge.require;
  }

  const send = (skill: string | undefined): unknown => ({
    message: { messageId: `m-${skill ?? 'none'}`, role: 'ROLE_USER', parts: [{ data: {} }] },
    ...(skill === undefined ? {} : { metadata: { skill } }),
  });

  it('a SendMessage for each skill is challenged for that skill\'s scope only', async () => {
    expect(await challengedScope('SendMessage', send('read'))).toBe('things:read');
    expect(await challengedScope('SendMessage', send('write'))).toBe('things:write');
  });

  it('task methods are challenged for every scope the card lists', async () => {
    expect(await challengedScope('GetTask', { id: 't' })).toBe('things:read things:write');
  });

  it('with two skills, a SendMessage must name one: 400 invalid_request, no challenge', async () => {
    const response = await caller.fetch(endpoint, { method: 'POST', headers: { [PROFILE.headers.contentType]: 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'SendMessage', params: send(undefined) }), aauth: { noRetry: true } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('a2aEndpoint refuses a card skill without a handler', () => {
    const card = aauthAgentCard({ name: 'n', description: 'd', identifier: 'http://127.0.0.1:1', authServer: 'http://127.0.0.1:9', profile: 'aauth-2026-03', skills: [{ id: 'x', name: 'x', description: 'x', tags: [], scope: 's' }] });
    const guard = aauth({ resource: 'http://127.0.0.1:1', signingKey: generateSigningKey(), authServer: 'http://127.0.0.1:9', development: true });
    expect(() => a2aEndpoint({ card, guard, skills: {} })).toThrow(/no handler for the card's skill "x"/);
  });
});
