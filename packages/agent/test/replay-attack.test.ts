/**
 * A token request captured on the wire and replayed by an attacker (2026-03 §Request
 * Verification, §Resource Tokens; wire notes §7.6): the attacker holds a different key, so it can
 * neither re-sign the victim's request nor use the victim's resource token with its own identity,
 * and the captured request cannot simply be sent again.
 */
import { signRequest, type SignatureKeyInput } from '@aauth-ts/core';
import { AAuthClient, AgentSession } from '@aauth-ts/agent';
import { startTestAuthServer, type TestAuthServer, type TokenRequestRecord } from './support/auth-server.js';
import { startTestResource, type TestResource } from './support/resource.js';
import { startAgentHost, type AgentHost } from './support/agent-host.js';

let as: TestAuthServer;
let resource: TestResource;
let victimHost: AgentHost;
let attackerHost: AgentHost;
let captured: TokenRequestRecord;
let tokenEndpoint: string;

beforeAll(async () => {
  as = await startTestAuthServer();
  resource = await startTestResource({ authServer: as.issuer, scope: 'secrets' });
  victimHost = await startAgentHost();
  attackerHost = await startAgentHost();
  const victim = new AAuthClient({ session: AgentSession.delegateOf(victimHost.agentServer, { sub: 'v' }), development: true, authServers: [as.issuer] });
  expect((await victim.fetch(`${resource.identifier}/vault`)).status).toBe(200);
  captured = as.tokenRequests.at(-1) as TokenRequestRecord;
  expect(captured.status).toBe(200);
  tokenEndpoint = `${new URL(as.issuer).origin}/realms/test/protocol/aauth/token`;
});

afterAll(async () => {
  await resource.close();
  await victimHost.close();
  await attackerHost.close();
  await as.close();
});

function capturedHeaders(): Record<string, string> {
  const keep = ['content-type', 'content-digest', 'signature', 'signature-input', 'signature-key'];
  return Object.fromEntries(Object.entries(captured.headers).filter(([k]) => keep.includes(k)));
}

async function post(headers: Record<string, string>, body: Buffer): Promise<{ status: number; json: { error: string; error_description: string } }> {
  const response = await fetch(tokenEndpoint, { method: 'POST', headers, body: new Uint8Array(body) });
  return { status: response.status, json: (await response.json()) as { error: string; error_description: string } };
}

it('the captured request sent again verbatim is refused (resource token already used)', async () => {
  const result = await post(capturedHeaders(), captured.rawBody);
  expect(result.status).toBe(400);
  expect(result.json.error).toBe('invalid_resource_token');
});

it('re-signed with the attacker key under the victim agent token: invalid_signature', async () => {
  const attackerKey = AgentSession.delegateOf(attackerHost.agentServer, { sub: 'a' }).key;
  const victimSignatureKey = /jwt="([^"]+)"/.exec(captured.headers['signature-key'] ?? '')?.[1] as string;
  const signatureKey: SignatureKeyInput = { scheme: 'jwt', jwt: victimSignatureKey };
  const headers = { 'content-type': 'application/json' };
  const signed = signRequest({ method: 'POST', url: tokenEndpoint, headers, body: captured.rawBody }, { key: attackerKey, signatureKey });
  const result = await post({ ...headers, ...(signed as unknown as Record<string, string>) }, captured.rawBody);
  expect(result.status).toBe(401);
  expect(result.json.error).toBe('invalid_signature');
});

it('the victim resource token under the attacker own agent identity: invalid_resource_token', async () => {
  const attacker = AgentSession.delegateOf(attackerHost.agentServer, { sub: 'a' });
  const headers = { 'content-type': 'application/json' };
  const signed = signRequest({ method: 'POST', url: tokenEndpoint, headers, body: captured.rawBody }, { key: attacker.key, signatureKey: await attacker.identity() });
  const result = await post({ ...headers, ...(signed as unknown as Record<string, string>) }, captured.rawBody);
  expect(result.status).toBe(400);
  expect(result.json.error).toBe('invalid_resource_token');
  expect(result.json.error_description).toMatch(/"agent"/);
});
