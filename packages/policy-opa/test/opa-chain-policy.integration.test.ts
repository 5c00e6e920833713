/**
 * `opaChainPolicy` against a real `opa` server on loopback (built by `node scripts/opa.mjs
 * --build`; skipped with a message when absent, failed under CI=true), with a Rego policy over the
 * chain: at most three actors, and no chain through a blocked agent. Fail closed: an undefined
 * rule, a malformed result, a closed port and a timeout all deny with a reason.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChainPolicyInput } from '@aauth-ts/core';
import { opaChainPolicy } from '@aauth-ts/policy-opa';
import { opaMissing, startOpa } from '../../../scripts/opa.mjs';

const missing = opaMissing();
if (missing !== undefined) console.warn(missing);
const maybe = missing === undefined ? describe : describe.skip;

const POLICY = `package aauth.chain

import rego.v1

default decision := {"allow": false, "reason": "chain not allowed"}

decision := {"allow": true, "reason": "short chain of known agents"} if {
  count(input.act) <= 3
  not blocked
}

decision := {"allow": false, "reason": sprintf("%s is blocked", [input.act[i]])} if {
  some i
  input.act[i] == "https://blocked.example"
}

blocked if "https://blocked.example" in input.act

malformed := {"allow": "yes"}
`;

const input = (act: string[]): ChainPolicyInput => ({ agent: act[0] as string, user: { iss: 'https://as.example', sub: 'u1' }, resource: 'https://r.example', scope: ['read'], act });

maybe('opaChainPolicy against a real opa', () => {
  let opa: { url: string; stop(): Promise<void> };
  beforeAll(async () => {
    opa = await startOpa(POLICY);
  }, 60_000);
  afterAll(async () => {
    await opa?.stop();
  });

  it('allows a short chain with the policy\'s reason', async () => {
    const policy = opaChainPolicy({ url: opa.url, path: 'aauth/chain/decision' });
    expect(await policy(input(['https://a.example', 'https://b.example']))).toEqual({ allow: true, reason: 'short chain of known agents' });
  });

  it('denies a chain through a blocked agent, and one that is too long, with the policy\'s reasons', async () => {
    const policy = opaChainPolicy({ url: opa.url, path: 'aauth.chain.decision' });
    expect(await policy(input(['https://a.example', 'https://blocked.example']))).toEqual({ allow: false, reason: 'https://blocked.example is blocked' });
    expect(await policy(input(['https://a.example', 'https://b.example', 'https://c.example', 'https://d.example']))).toEqual({ allow: false, reason: 'chain not allowed' });
  });

  it('an undefined rule and a non-boolean allow deny (fail closed)', async () => {
    expect((await opaChainPolicy({ url: opa.url, path: 'aauth/chain/nothing' })(input(['https://a.example']))).allow).toBe(false);
    const malformed = await opaChainPolicy({ url: opa.url, path: 'aauth/chain/malformed' })(input(['https://a.example']));
    expect(malformed).toEqual({ allow: false, reason: expect.stringContaining('"allow"') });
  });
});

describe('opaChainPolicy fails closed without opa', () => {
  it('a closed port denies with a reason, never throws', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    const decision = await opaChainPolicy({ url: `http://127.0.0.1:${port}`, path: 'aauth/chain/decision' })(input(['https://a.example']));
    expect(decision).toEqual({ allow: false, reason: 'the policy engine could not be reached or answered malformed JSON' });
  });

  it('a non-200 and a server that never answers deny with a reason', async () => {
    let server: Server | undefined;
    const hold = new Set<() => void>();
    server = createServer((req, res) => {
      if (req.url?.endsWith('/slow')) { hold.add(() => res.end()); return; }
      res.statusCode = 500;
      res.end('{}');
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(await opaChainPolicy({ url, path: 'aauth/chain/decision' })(input(['https://a.example']))).toEqual({ allow: false, reason: 'the policy engine could not decide (HTTP 500)' });
    expect(await opaChainPolicy({ url, path: 'aauth/slow', timeoutMs: 200 })(input(['https://a.example']))).toEqual({ allow: false, reason: 'the policy engine did not answer within 200 ms' });
    hold.forEach((end) => end());
    server.closeAllConnections();
    await new Promise<void>((r) => server?.close(() => r()));
    server = undefined;
  });

  it('a bad url or path is a TypeError at construction', () => {
    expect(() => opaChainPolicy({ url: 'not a url', path: 'a/b' })).toThrow(TypeError);
    expect(() => opaChainPolicy({ url: 'http://127.0.0.1:1', path: 'a b/c?d' })).toThrow(TypeError);
  });
});
