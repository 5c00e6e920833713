/**
 * Agent identity (2026-03 §Agent Tokens, §Agent Metadata): an agent server publishes its metadata
 * and JWKS and issues agent tokens that core verifies; a delegate session renews its token before
 * expiry, once for concurrent callers, and refuses a token for another key.
 */
import { GuardedFetcher, KeyDiscovery, TokenError, generateSigningKey, verifyAgentToken } from '@aauth-ts/core';
import { AgentServer, AgentSession } from '@aauth-ts/agent';
import { startAgentHost, type AgentHost } from './support/agent-host.js';

let host: AgentHost;
beforeAll(async () => {
  host = await startAgentHost();
});
afterAll(async () => {
  await host.close();
});

describe('AgentServer', () => {
  it('serves aauth-agent.json and the JWKS; issued agent tokens verify with core', async () => {
    const server = host.agentServer;
    const meta = (await (await fetch(`${server.identifier}/.well-known/aauth-agent.json`)).json()) as Record<string, string>;
    expect(meta).toEqual({ agent: server.identifier, jwks_uri: `${server.identifier}/.well-known/jwks.json`, client_name: 'test agent' });
    const jwks = (await (await fetch(meta.jwks_uri as string)).json()) as { keys: Array<Record<string, string>> };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).not.toHaveProperty('d');
    expect((await fetch(`${server.identifier}/nope`)).status).toBe(404);
    expect(await (await fetch(`${server.identifier}/.well-known/aauth-agent`)).json()).toEqual(meta);

    const delegate = generateSigningKey();
    const token = await server.issueAgentToken(delegate.publicJwk, 'delegate-7', { lifetimeSeconds: 120 });
    const claims = await verifyAgentToken(token, { keys: new KeyDiscovery(new GuardedFetcher({ allowLoopback: true })), identifiers: { allowLoopbackHttp: true } });
    expect(claims).toMatchObject({ iss: server.identifier, sub: 'delegate-7', cnf: { jwk: { x: delegate.publicJwk.x } } });
    expect(claims.exp - claims.iat).toBe(120);
  });

  it('refuses a loopback http identifier unless development is on, and malformed identifiers always', () => {
    expect(() => new AgentServer({ identifier: 'http://127.0.0.1:8080' })).toThrow(TypeError);
    expect(() => new AgentServer({ identifier: 'https://agent.example/path' })).toThrow(TypeError);
    expect(() => new AgentServer({ identifier: 'http://10.0.0.1:8080', development: true })).toThrow(TypeError);
    expect(new AgentServer({ identifier: 'https://agent.example' }).metadata().jwks_uri).toBe('https://agent.example/.well-known/jwks.json');
  });

  it('rotateKey keeps the previous key published until retired', () => {
    const server = new AgentServer({ identifier: 'https://agent.example' });
    const old = server.signingKey;
    const next = server.rotateKey();
    expect(server.signingKey).toBe(next);
    expect(server.jwks().keys.map((k) => k.kid)).toEqual([next.kid, old.kid]);
    server.retire(old.kid);
    expect(server.jwks().keys.map((k) => k.kid)).toEqual([next.kid]);
  });
});

describe('AgentSession', () => {
  it('renews the agent token shortly before expiry, and concurrent callers share one renewal', async () => {
    const server = new AgentServer({ identifier: 'https://agent.example' });
    let clock = 1_800_000_000;
    let calls = 0;
    const session = new AgentSession({
      agentId: server.identifier,
      now: () => clock,
      agentToken: (jwk) => {
        calls += 1;
        return server.issueAgentToken(jwk, 'd1', { lifetimeSeconds: 600, now: clock });
      },
    });
    const tokens = await Promise.all(Array.from({ length: 20 }, () => session.agentToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(calls).toBe(1);
    clock += 500; // still outside the 60 s margin
    expect(await session.agentToken()).toBe(tokens[0]);
    clock += 50; // within 60 s of exp
    const renewed = await session.agentToken();
    expect(renewed).not.toBe(tokens[0]);
    expect(calls).toBe(2);
    expect(await session.identity()).toEqual({ scheme: 'jwt', jwt: renewed });
  });

  it('refuses an agent token issued for another key or by another agent', async () => {
    const server = new AgentServer({ identifier: 'https://agent.example' });
    const other = generateSigningKey();
    const wrongKey = new AgentSession({ agentId: server.identifier, agentToken: () => server.issueAgentToken(other.publicJwk, 'x') });
    await expect(wrongKey.agentToken()).rejects.toBeInstanceOf(TokenError);
    const wrongIss = new AgentSession({ agentId: 'https://someone.example', agentToken: (jwk) => server.issueAgentToken(jwk, 'x') });
    await expect(wrongIss.agentToken()).rejects.toMatchObject({ code: 'invalid_agent_token', detail: { field: 'iss' } });
  });

  it('hwk and jwks_uri identities need no agent token', async () => {
    const server = new AgentServer({ identifier: 'https://agent.example' });
    expect(await new AgentSession({ agentId: server.identifier, scheme: 'hwk' }).identity()).toEqual({ scheme: 'hwk' });
    expect(await AgentSession.asAgentServer(server).identity()).toEqual({ scheme: 'jwks_uri', id: 'https://agent.example', kid: server.signingKey.kid, wellKnown: 'aauth-agent.json' });
    expect(() => new AgentSession({ agentId: server.identifier })).toThrow(TypeError);
  });
});
