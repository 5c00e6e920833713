/**
 * The embedded Person Server's own rules that the conformance suite cannot reach from outside
 * (docs/person-server-contract.md): retention of person-token records past `exp`, pending requests
 * that outlive `aauth.pendingLifespan` (an injected clock), the directed subject, the realm switch
 * and the Person Server's fully specified key.
 */
import { signRequest } from '@aauth-ts/core';
import { createAuthServer, parseRealm, RealmConfigError } from '@aauth-ts/auth-server';
import { AgentProvider } from '../../../conformance/support/current/parties.js';
import { directedSubject } from '../src/person-server/directed-subject.js';
import { PendingStore } from '../src/stores/pending-store.js';
import { PersonTokenRecords } from '../src/stores/person-token-records.js';

const USER = { id: 'a1b2c3d4-0000-4000-8000-000000000009', username: 'pat', password: 'pat-password' };

function psRealm(provider: AgentProvider, attributes: Record<string, string> = {}): object {
  return {
    realm: 'ps-unit',
    attributes: { 'aauth.allowLoopback': 'true', 'aauth.personServer': 'true', 'aauth.pairwiseSalt': 'unit-salt', 'aauth.pendingLifespan': '60', ...attributes },
    users: [{ id: USER.id, username: USER.username, enabled: true, credentials: [{ type: 'password', value: USER.password }] }],
    clients: [{ clientId: provider.id, name: 'Unit agent provider', attributes: { 'aauth.agent': 'true' } }],
  };
}

describe('person-token records', () => {
  it('a record outlives its token by the retention (§Person Token Endpoint: retained beyond exp), then is forgotten', () => {
    const records = new PersonTokenRecords({ retentionSeconds: 3660 });
    const record = { jti: 'j1', ps: 'https://ps.example', sub: 's', aud: 'https://r.example', exp: 1000, jkt: 'k', agent: 'aauth:a@x.example', subagent: undefined, userId: 'u' };
    expect(records.add(record, 900)).toBe('stored');
    expect(records.get('j1', 1001)).toEqual(record);
    expect(records.get('j1', 1000 + 3660)).toEqual(record);
    expect(records.get('j1', 1000 + 3661)).toBeUndefined();
  });

  it('a full store refuses a new record rather than forget a live one', () => {
    const records = new PersonTokenRecords({ retentionSeconds: 10, maxEntries: 1, maxPerAgent: 1 });
    const base = { ps: 'p', sub: 's', aud: 'a', exp: 100, jkt: 'k', agent: 'aauth:a@x.example', subagent: undefined, userId: 'u' };
    expect(records.add({ ...base, jti: 'j1' }, 50)).toBe('stored');
    expect(records.add({ ...base, jti: 'j2' }, 50)).toBe('full');
    expect(records.add({ ...base, jti: 'j2' }, 111)).toBe('stored');
  });
});

describe('directed subject', () => {
  it('is stable per (person, resource), differs across resources and salts, and is not the user id', () => {
    const a = directedSubject('salt', 'https://r1.example', USER.id);
    expect(directedSubject('salt', 'https://r1.example', USER.id)).toBe(a);
    expect(directedSubject('salt', 'https://r2.example', USER.id)).not.toBe(a);
    expect(directedSubject('other', 'https://r1.example', USER.id)).not.toBe(a);
    expect(a).not.toContain(USER.id);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('realm switch aauth.personServer', () => {
  it('off (the default): no aauth-person.json, and the JWKS is the 2026-03 realm key alone', async () => {
    const provider = new AgentProvider(0);
    await provider.start();
    const server = createAuthServer({ realm: psRealm(provider, { 'aauth.personServer': 'false' }), log: () => undefined });
    const { issuer } = await server.listen(0);
    try {
      expect((await fetch(`${issuer}/.well-known/aauth-person.json`)).status).toBe(404);
      const jwks = (await (await fetch(`${issuer}/protocol/openid-connect/certs`)).json()) as { keys: { alg: string }[] };
      expect(jwks.keys.map((k) => k.alg)).toEqual(['EdDSA']);
    } finally {
      await server.close();
      await provider.stop();
    }
  });

  it('on: the JWKS adds the Person Server key with the fully specified alg Ed25519', async () => {
    const provider = new AgentProvider(0);
    await provider.start();
    const server = createAuthServer({ realm: psRealm(provider), log: () => undefined });
    const { issuer } = await server.listen(0);
    try {
      const jwks = (await (await fetch(`${issuer}/protocol/openid-connect/certs`)).json()) as { keys: { alg: string }[] };
      expect(jwks.keys.map((k) => k.alg).sort()).toEqual(['Ed25519', 'EdDSA']);
    } finally {
      await server.close();
      await provider.stop();
    }
  });

  it('a malformed aauth.agentBinding is refused when the realm loads', () => {
    expect(() => parseRealm({ realm: 'x', users: [{ id: 'u', username: 'u', attributes: { 'aauth.agentBinding': ['no-space-here'] } }] })).toThrow(RealmConfigError);
  });
});

describe('Person Server pending requests outliving aauth.pendingLifespan (injected clock)', () => {
  async function setup(): Promise<{ now: { t: number }; issuer: string; provider: AgentProvider; send: (method: 'GET' | 'POST', url: string, body?: unknown) => Promise<Response>; close: () => Promise<void> }> {
    const provider = new AgentProvider(0);
    await provider.start();
    const now = { t: Math.floor(Date.now() / 1000) };
    const server = createAuthServer({ realm: psRealm(provider), log: () => undefined, now: () => now.t });
    const { issuer } = await server.listen(0);
    const agent = provider.agent('unit');
    const send = async (method: 'GET' | 'POST', url: string, body?: unknown): Promise<Response> => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const headers: Record<string, string> = text === undefined ? {} : { 'content-type': 'application/json' };
      const token = provider.agentToken(agent, { claims: { iat: now.t, exp: now.t + 3600 } });
      Object.assign(headers, signRequest({ method, url, headers, body: text }, { key: agent.key.signing, signatureKey: { scheme: 'jwt', jwt: token }, created: now.t }));
      return fetch(url, { method, headers, body: text });
    };
    return { now, issuer, provider, send, close: async () => { await server.close(); await provider.stop(); } };
  }

  it('never opened: 408 expired once the lifespan has passed, then 410', async () => {
    const s = await setup();
    try {
      const first = await s.send('POST', `${s.issuer}/protocol/aauth/ps/person`, { resource: 'https://r.example' });
      expect(first.status).toBe(202);
      const location = first.headers.get('location') as string;
      s.now.t += 61;
      const expired = await s.send('GET', location);
      expect(expired.status).toBe(408);
      expect(((await expired.json()) as { error: string }).error).toBe('expired');
      expect((await s.send('GET', location)).status).toBe(410);
    } finally {
      await s.close();
    }
  });

  it('opened but undecided: 403 abandoned once the lifespan has passed', async () => {
    const s = await setup();
    try {
      const first = await s.send('POST', `${s.issuer}/protocol/aauth/ps/person`, { resource: 'https://r.example' });
      const code = /code="([^"]+)"/.exec(first.headers.get('aauth-requirement') ?? '')?.[1] as string;
      await (await fetch(`${s.issuer}/protocol/aauth/ps/interaction?code=${code}`)).text();
      s.now.t += 61;
      const abandoned = await s.send('GET', first.headers.get('location') as string);
      expect(abandoned.status).toBe(403);
      expect(((await abandoned.json()) as { error: string }).error).toBe('abandoned');
    } finally {
      await s.close();
    }
  });
});

describe('Person Server decision log', () => {
  it('a parent asking for its sub-agent is logged as the requesting agent (interop surface 5: the PS log records the parent)', async () => {
    const provider = new AgentProvider(0);
    await provider.start();
    const lines: Record<string, unknown>[] = [];
    const server = createAuthServer({ realm: psRealm(provider), log: () => undefined, logger: { info: (obj) => void lines.push(obj as Record<string, unknown>), warn: () => undefined } });
    const { issuer } = await server.listen(0);
    try {
      const parent = provider.agent('parent');
      const sub = provider.subAgent(parent);
      const url = `${issuer}/protocol/aauth/ps/person`;
      const body = JSON.stringify({ resource: 'https://r.example', subagent_token: provider.agentToken(sub) });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      Object.assign(headers, signRequest({ method: 'POST', url, headers, body }, { key: parent.key.signing, signatureKey: { scheme: 'jwt', jwt: provider.agentToken(parent) } }));
      expect((await fetch(url, { method: 'POST', headers, body })).status).toBe(202);
      expect(lines).toContainEqual(expect.objectContaining({ decision: 'person-token', agent: parent.id, resource: 'https://r.example', outcome: 'pending' }));
      expect(lines.some((l) => l.agent === sub.id)).toBe(false);
    } finally {
      await server.close();
      await provider.stop();
    }
  });
});

describe('pending store tombstones', () => {
  it('an answered request is remembered (410) until its time, and the memory is bounded by maxEntries', () => {
    const store = new PendingStore<{ agent: string }>({ maxEntries: 2, maxPerAgent: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const entry = store.create({ jkt: 'k', grant: { agent: 'a' }, purpose: undefined, loginHint: undefined, lifetimeSeconds: 60 }, 100);
      if (typeof entry === 'string') throw new Error(entry);
      ids.push(entry.id);
      expect(store.retire(entry, 200)).toBe(true);
    }
    expect(store.retired(ids[0] as string, 150)).toBe(false);
    expect(store.retired(ids[2] as string, 150)).toBe(true);
    expect(store.retired(ids[2] as string, 201)).toBe(false);
  });
});

describe('the consent page\'s Content-Security-Policy form-action', () => {
  /**
   * The consent form's answer is a 303 to the callback, and a browser checks `form-action` against
   * every redirect of a form submission (CSP3 §6.4.1 form-action): the consent page names exactly
   * the validated callback's origin beside 'self', never more.
   */
  async function consentPageCsp(callbackOf: ((providerId: string) => string) | undefined): Promise<string | null> {
    const provider = new AgentProvider(0);
    await provider.start();
    const server = createAuthServer({ realm: psRealm(provider), log: () => undefined });
    const { issuer } = await server.listen(0);
    try {
      const agent = provider.agent('csp');
      const url = `${issuer}/protocol/aauth/ps/person`;
      const body = JSON.stringify({ resource: 'https://r.example' });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      Object.assign(headers, signRequest({ method: 'POST', url, headers, body }, { key: agent.key.signing, signatureKey: { scheme: 'jwt', jwt: provider.agentToken(agent) } }));
      const first = await fetch(url, { method: 'POST', headers, body });
      expect(first.status).toBe(202);
      const code = /code="([^"]+)"/.exec(first.headers.get('aauth-requirement') ?? '')?.[1] as string;
      const page = new URL(`${issuer}/protocol/aauth/ps/interaction`);
      page.searchParams.set('code', code);
      if (callbackOf !== undefined) page.searchParams.set('callback', callbackOf(provider.id));
      const login = await fetch(page);
      expect(login.status).toBe(200);
      await login.text();
      const form = new URLSearchParams({ step: 'login', code, username: USER.username, password: USER.password });
      const review = await fetch(`${issuer}/protocol/aauth/ps/interaction`, { method: 'POST', body: form });
      expect(await review.text()).toContain('value="approve"');
      return review.headers.get('content-security-policy');
    } finally {
      await server.close();
      await provider.stop();
    }
  }

  it('with a validated callback: \'self\' and exactly the callback\'s origin', async () => {
    let origin = '';
    const csp = await consentPageCsp((id) => {
      origin = new URL(id).origin;
      return `${origin}/aauth/callback/flow-1?state=x`;
    });
    expect(csp).toContain(`form-action 'self' ${origin};`);
  });

  it('without a callback: \'self\' alone', async () => {
    const csp = await consentPageCsp(undefined);
    expect(csp).toContain("form-action 'self';");
  });
});
