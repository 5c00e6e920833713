/**
 * The verified person tokens a current-profile resource keeps for a step-up's `presented_jti`
 * (draft-hardt-oauth-aauth-protocol §Resource Token Structure): bounded, forgotten at `exp`, and
 * never shared between keys or missions.
 */
import { PersonRecords, type PersonRecord } from '../src/person-records.js';

const record = (jti: string, overrides: Partial<PersonRecord> = {}): PersonRecord => ({
  ps: 'https://ps.example', sub: 'person-1', jti, missionS256: undefined, tenant: undefined, expiresAt: 1000, ...overrides,
});

test('a record is found only for its person, signing key and mission', () => {
  const records = new PersonRecords(10);
  records.remember(record('a', { missionS256: 'm1' }), 'key-1');
  expect(records.find('https://ps.example', 'person-1', 'key-1', 'm1', 500)?.jti).toBe('a');
  expect(records.find('https://ps.example', 'person-1', 'key-2', 'm1', 500)).toBeUndefined();
  expect(records.find('https://ps.example', 'person-1', 'key-1', undefined, 500)).toBeUndefined();
  expect(records.find('https://ps.example', 'person-1', 'key-1', 'm2', 500)).toBeUndefined();
  expect(records.find('https://other.example', 'person-1', 'key-1', 'm1', 500)).toBeUndefined();
});

test('an expired person token is forgotten, and the store holds at most its bound', () => {
  const records = new PersonRecords(2);
  records.remember(record('a'), 'key-1');
  expect(records.find('https://ps.example', 'person-1', 'key-1', undefined, 1000)).toBeUndefined();
  expect(records.size).toBe(0);
  for (const key of ['k1', 'k2', 'k3']) records.remember(record(key), key);
  expect(records.size).toBe(2);
  expect(records.find('https://ps.example', 'person-1', 'k1', undefined, 1)).toBeUndefined();
  expect(records.find('https://ps.example', 'person-1', 'k3', undefined, 1)?.jti).toBe('k3');
});
