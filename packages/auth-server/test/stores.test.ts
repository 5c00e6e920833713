import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JtiStore, PendingStore, RealmKeys } from '@aauth-ts/auth-server';
import { generateSigningKey } from '@aauth-ts/core';

describe('JtiStore', () => {
  it('accepts a jti once until it expires', () => {
    const store = new JtiStore();
    expect(store.use('r', 'j1', 100, 50)).toBe('fresh');
    expect(store.use('r', 'j1', 100, 60)).toBe('replayed');
    expect(store.use('other', 'j1', 100, 60)).toBe('fresh');
    expect(store.use('r', 'j1', 200, 101)).toBe('fresh');
  });
  it('is bounded: full of live entries it refuses, and sweeps expired ones to make room', () => {
    const store = new JtiStore({ maxEntries: 2 });
    expect(store.use('r', 'a', 100, 0)).toBe('fresh');
    expect(store.use('r', 'b', 100, 0)).toBe('fresh');
    expect(store.use('r', 'c', 100, 0)).toBe('full');
    expect(store.use('r', 'c', 300, 150)).toBe('fresh');
    expect(store.size).toBe(1);
  });
});

describe('PendingStore', () => {
  const grant = { aud: 'https://r.example', agent: 'https://a.example', cnfJwk: generateSigningKey().publicJwk, scopes: ['s'], txn: undefined, requiredUser: undefined };
  it('makes unguessable ids and 8-character A-Z0-9 codes', () => {
    const store = new PendingStore();
    const a = store.create({ jkt: 'k', grant, purpose: undefined, loginHint: undefined, lifetimeSeconds: 60 }, 0);
    const b = store.create({ jkt: 'k', grant, purpose: undefined, loginHint: undefined, lifetimeSeconds: 60 }, 0);
    expect(a?.code).toMatch(/^[A-Z0-9]{8}$/);
    expect(a?.id).not.toBe(b?.id);
    expect(a?.id.length).toBeGreaterThanOrEqual(32);
    expect(store.byCode(a?.code as string, 10)?.id).toBe(a?.id);
    expect(store.byCode(a?.code as string, 60)).toBeUndefined();
  });
  it('is bounded', () => {
    const store = new PendingStore({ maxEntries: 1 });
    expect(store.create({ jkt: 'k', grant, purpose: undefined, loginHint: undefined, lifetimeSeconds: 60 }, 0)).toBeDefined();
    expect(store.create({ jkt: 'k', grant, purpose: undefined, loginHint: undefined, lifetimeSeconds: 60 }, 0)).toBeUndefined();
  });
  it('a decided request no longer answers its code; deleting frees the URL', () => {
    const store = new PendingStore();
    const entry = store.create({ jkt: 'k', grant, purpose: undefined, loginHint: undefined, lifetimeSeconds: 60 }, 0);
    if (!entry) throw new Error('no entry');
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
    const file = join(mkdtempSync(join(tmpdir(), 'aauth-keys-')), 'keys.json');
    const a = new RealmKeys({ file, retentionSeconds: 300 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const b = new RealmKeys({ file, retentionSeconds: 300 });
    expect(b.active.kid).toBe(a.active.kid);
    a.rotate();
    const c = new RealmKeys({ file, retentionSeconds: 300 });
    expect(c.jwks().keys).toHaveLength(2);
    expect(JSON.stringify(c.jwks())).not.toContain('"d"');
    expect(readFileSync(file, 'utf8')).toContain('"d"');
  });
});
