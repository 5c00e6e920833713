import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JtiStore, PendingStore, RealmKeys, type PendingRefusal, type PendingRequest } from '@aauth-ts/auth-server';
import { generateSigningKey } from '@aauth-ts/core';

describe('JtiStore', () => {
  it('accepts a jti once until it expires', () => {
    const store = new JtiStore();
    expect(store.use('r', 'j1', 100, 50, 'agent')).toBe('fresh');
    expect(store.use('r', 'j1', 100, 60, 'agent')).toBe('replayed');
    expect(store.use('other', 'j1', 100, 60, 'agent')).toBe('fresh');
    expect(store.use('r', 'j1', 200, 101, 'agent')).toBe('fresh');
  });
  it('is bounded: full of live entries it refuses, and sweeps expired ones to make room', () => {
    const store = new JtiStore({ maxEntries: 2, maxPerAgent: 2 });
    expect(store.use('r', 'a', 100, 0, 'agent')).toBe('fresh');
    expect(store.use('r', 'b', 100, 0, 'agent')).toBe('fresh');
    expect(store.use('r', 'c', 100, 0, 'agent')).toBe('full');
    expect(store.use('r', 'c', 300, 150, 'agent')).toBe('fresh');
    expect(store.size).toBe(1);
  });
});

describe('JtiStore per-agent share', () => {
  it('an agent at its share is refused while others are not; expiry gives its share back', () => {
    const store = new JtiStore({ maxEntries: 10, maxPerAgent: 2 });
    expect(store.use('r', 'a1', 100, 0, 'flooder')).toBe('fresh');
    expect(store.use('r', 'a2', 100, 0, 'flooder')).toBe('fresh');
    expect(store.use('r', 'a3', 100, 0, 'flooder')).toBe('agent_full');
    expect(store.use('r', 'b1', 100, 0, 'other')).toBe('fresh');
    expect(store.use('r', 'a3', 300, 150, 'flooder')).toBe('fresh');
    expect(store.size).toBe(1);
  });
});

function made(entry: PendingRequest | PendingRefusal): PendingRequest {
  if (typeof entry === 'string') throw new Error(`no entry: ${entry}`);
  return entry;
}

describe('PendingStore', () => {
  const grant = { aud: 'https://r.example', agent: 'https://a.example', cnfJwk: generateSigningKey().publicJwk, scopes: ['s'], txn: undefined, requiredUser: undefined };
  it('makes unguessable ids and 8-character A-Z0-9 codes', () => {
    const store = new PendingStore();
    const a = made(store.create({ jkt: 'k', grant, purpose: undefined, loginHint: undefined, lifetimeSeconds: 60 }, 0));
    const b = made(store.create({ jkt: 'k', grant, purpose: undefined, loginHint: undefined, lifetimeSeconds: 60 }, 0));
    expect(a.code).toMatch(/^[A-Z0-9]{8}$/);
    expect(a.id).not.toBe(b.id);
    expect(a.id.length).toBeGreaterThanOrEqual(32);
    expect(store.byCode(a.code, 10)?.id).toBe(a.id);
    expect(store.byCode(a.code, 60)).toBeUndefined();
  });
  it('is bounded', () => {
    const store = new PendingStore({ maxEntries: 1, maxPerAgent: 1 });
    made(store.create({ jkt: 'k', grant, purpose: undefined, loginHint: undefined, lifetimeSeconds: 60 }, 0));
    expect(store.create({ jkt: 'k', grant: { ...grant, agent: 'https://b.example' }, purpose: undefined, loginHint: undefined, lifetimeSeconds: 60 }, 0)).toBe('full');
  });
  it('an agent at its share is refused while others are not; a terminal answer gives its share back', () => {
    const store = new PendingStore({ maxEntries: 10, maxPerAgent: 2 });
    const first = made(store.create({ jkt: 'k', grant, purpose: undefined, loginHint: undefined, lifetimeSeconds: 60 }, 0));
    made(store.create({ jkt: 'k', grant, purpose: undefined, loginHint: undefined, lifetimeSeconds: 60 }, 0));
    expect(store.create({ jkt: 'k', grant, purpose: undefined, loginHint: undefined, lifetimeSeconds: 60 }, 0)).toBe('agent_full');
    made(store.create({ jkt: 'k', grant: { ...grant, agent: 'https://b.example' }, purpose: undefined, loginHint: undefined, lifetimeSeconds: 60 }, 0));
    store.delete(first.id);
    made(store.create({ jkt: 'k', grant, purpose: undefined, loginHint: undefined, lifetimeSeconds: 60 }, 0));
  });
  it('a decided request no longer answers its code; deleting frees the URL', () => {
    const store = new PendingStore();
    const entry = made(store.create({ jkt: 'k', grant, purpose: undefined, loginHint: undefined, lifetimeSeconds: 60 }, 0));
    entry.status = 'approved';
    expect(store.byCode(entry.code, 1)).toBeUndefined();
    store.delete(entry.id);
    expect(store.get(entry.id)).toBeUndefined();
  });
});

describe('RealmKeys', () => {
  it('rotation keeps the old key published until its tokens have expired', () => {
    let now = 1000;
    const keys = new RealmKeys({ retentionSeconds: 300, now: () => now });
    const first = keys.active;
    const second = keys.rotate();
    expect(keys.active.kid).toBe(second.kid);
    expect(keys.jwks().keys.map((k) => k.kid)).toEqual([first.kid, second.kid]);
    expect(keys.find(first.kid, first.jwsAlgorithm)).toBeDefined();
    now += 301;
    expect(keys.jwks().keys.map((k) => k.kid)).toEqual([second.kid]);
    expect(keys.find(first.kid, first.jwsAlgorithm)).toBeUndefined();
  });
  it('persists keys to a 0600 file and loads them back', () => {
    // The file holds private keys: the directory goes when the test does, pass or fail.
    const dir = mkdtempSync(join(tmpdir(), 'aauth-keys-'));
    try {
      const file = join(dir, 'keys.json');
      const a = new RealmKeys({ file, retentionSeconds: 300 });
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const b = new RealmKeys({ file, retentionSeconds: 300 });
      expect(b.active.kid).toBe(a.active.kid);
      a.rotate();
      const c = new RealmKeys({ file, retentionSeconds: 300 });
      expect(c.jwks().keys).toHaveLength(2);
      expect(JSON.stringify(c.jwks())).not.toContain('"d"');
      expect(readFileSync(file, 'utf8')).toContain('"d"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('PendingStore held polls (Prefer: wait)', () => {
  const grant = { aud: 'https://r.example', agent: 'https://a.example', cnfJwk: generateSigningKey().publicJwk, scopes: ['s'], txn: undefined, requiredUser: undefined };
  const create = (store: PendingStore): PendingRequest => made(store.create({ jkt: 'k', grant, purpose: undefined, loginHint: undefined, lifetimeSeconds: 60 }, 0));

  it('a decision releases every poll held on its request, and only those', async () => {
    const store = new PendingStore();
    const a = create(store);
    const b = create(store);
    let otherReleased = false;
    const other = store.hold(b.id, 60_000, 10).then(() => { otherReleased = true; });
    const held = [store.hold(a.id, 60_000, 10), store.hold(a.id, 60_000, 10)];
    expect(store.held).toBe(3);
    store.decide(a, { status: 'approved', sub: 'u' });
    await expect(Promise.all(held)).resolves.toEqual([true, true]);
    expect(a.sub).toBe('u');
    expect(otherReleased).toBe(false);
    store.delete(b.id);
    await other;
    expect(store.held).toBe(0);
  });

  it('beyond maxHeld a poll is not held at all; a client going away releases its hold', async () => {
    const store = new PendingStore();
    const a = create(store);
    const gone = new AbortController();
    const first = store.hold(a.id, 60_000, 1, gone.signal);
    await expect(store.hold(a.id, 60_000, 1)).resolves.toBe(false);
    gone.abort();
    await expect(first).resolves.toBe(true);
    expect(store.held).toBe(0);
  });
});
