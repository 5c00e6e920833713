/**
 * The Person Server's state and the login throttle on a `SharedStore` (auth-server contract
 * "Several instances"), two instances over one in-memory store: what one did the other knows, and
 * two acting at once on the same state cannot both win (draft-hardt-oauth-aauth-protocol
 * §Agent-Person Binding: no second person may claim an agent). The same classes run on Redis in
 * packages/store-redis's tests.
 */
import { MemoryStore, StoreUnavailableError, type SharedStore } from '@aauth-ts/core';
import { loadRealmFile } from '@aauth-ts/auth-server';
import { fileURLToPath } from 'node:url';
import { LoginThrottle } from '../src/interaction/login-throttle.js';
import { SharedAgentBindings } from '../src/stores/shared-agent-bindings.js';
import { SharedMissionStore } from '../src/stores/shared-mission-store.js';
import type { Mission } from '../src/stores/mission-store.js';

const realm = loadRealmFile(fileURLToPath(new URL('../../../conformance/realm-current.json', import.meta.url)));
const quiet = { info: () => undefined, warn: () => undefined };

describe('Person Server state shared by two instances', () => {
  it('two instances binding one agent to two people at once: exactly one person gets it, and both instances then say so', async () => {
    const store = new MemoryStore();
    const [a, b] = [new SharedAgentBindings(store, quiet, realm), new SharedAgentBindings(store, quiet, realm)];
    const verdicts = await Promise.all([a.bind('p', 'aauth:x@h', 'alice'), b.bind('p', 'aauth:x@h', 'bob')]);
    expect(verdicts.filter((v) => v === 'bound')).toHaveLength(1);
    expect(verdicts.filter((v) => v === 'other_user')).toHaveLength(1);
    const owner = verdicts[0] === 'bound' ? 'alice' : 'bob';
    expect((await b.get('p', 'aauth:x@h'))?.userId).toBe(owner);
    await a.approveResources('p', 'aauth:x@h', ['https://r1.example']);
    await b.approveResources('p', 'aauth:x@h', ['https://r2.example']);
    expect([...((await a.get('p', 'aauth:x@h'))?.resources ?? [])].sort()).toEqual(['https://r1.example', 'https://r2.example']);
  });

  it('a mission terminated at one instance stays terminated at the other, and takes no update there', async () => {
    const store = new MemoryStore();
    const [a, b] = [new SharedMissionStore(store, quiet), new SharedMissionStore(store, quiet)];
    const mission: Mission = { s256: 'S'.repeat(43), blob: 'b', provider: 'p', agent: 'aauth:x@h', userId: 'alice', approvedResources: [], expiresAt: undefined, state: 'active', terminationReason: undefined, updates: [] };
    await a.add(mission);
    expect(await b.addUpdate(mission.s256, { s256: 'U'.repeat(43), bytes: '{}' })).toBe(true);
    await a.terminate(mission.s256, 'completed');
    await b.terminate(mission.s256, 'revoked');
    expect(await b.addUpdate(mission.s256, { s256: 'V'.repeat(43), bytes: '{}' })).toBe(false);
    expect(await a.get(mission.s256, 0)).toEqual(expect.objectContaining({ state: 'terminated', terminationReason: 'completed', updates: [{ s256: 'U'.repeat(43), bytes: '{}' }] }));
  });

  it('failed logins counted at once at two instances are all counted: the code locks', async () => {
    const store = new MemoryStore();
    const shared = { store, logger: quiet, realm: realm.name };
    const [a, b] = [new LoginThrottle(shared), new LoginThrottle(shared)];
    await Promise.all(Array.from({ length: 5 }, (_, i) => (i % 2 === 0 ? a : b).failed('CODE1234', undefined, 100)));
    expect(await b.retryAfter('CODE1234', undefined, 100)).toBeGreaterThan(0);
  });

  it('a store that cannot answer refuses with 503 temporarily_unavailable and Retry-After, and warns', async () => {
    const warnings: unknown[] = [];
    const down: SharedStore = Object.assign(new MemoryStore(), { get: () => Promise.reject(new StoreUnavailableError('store_unavailable', 'down')) });
    const bindings = new SharedAgentBindings(down, { info: () => undefined, warn: (obj: unknown) => { warnings.push(obj); } }, realm);
    await expect(bindings.get('p', 'aauth:x@h')).rejects.toEqual(expect.objectContaining({ code: 'temporarily_unavailable', status: 503, headers: expect.objectContaining({ 'Retry-After': '1' }) }));
    expect(warnings).toHaveLength(1);
  });
});
