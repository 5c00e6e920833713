/**
 * The egress decision as a pure function (wire notes §7.5): no network is touched here. The
 * samples are shared with the Keycloak provider's AddressGuardTest (packages/core/data/), so both
 * auth servers are held to one table of refused ranges.
 */
import { readFileSync } from 'node:fs';
import { classifyAddress, isAddressAllowed, type AddressClass } from '@aauth-ts/core';

interface Sample { readonly address: string; readonly class: AddressClass; readonly note?: string }
const SAMPLES = (JSON.parse(readFileSync(new URL('../../data/address-guard-samples.json', import.meta.url), 'utf8')) as { samples: Sample[] }).samples;
const TABLE: readonly [string, AddressClass][] = [
  ...SAMPLES.map((s): [string, AddressClass] => [s.address, s.class]),
  // Forms only the TypeScript guard sees: URL brackets, zone ids, and strings that are no address.
  ['[::1]', 'loopback'],
  ['fe80::1%eth0', 'link-local'],
  ['example.com', 'reserved'],
  ['', 'reserved'],
  ['1.2.3', 'reserved'],
];

describe('classifyAddress (shared samples: IANA special-purpose ranges, embedded IPv4 forms)', () => {
  it.each(TABLE)('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });
});

describe('isAddressAllowed', () => {
  it.each(TABLE)('%s (%s) by default: only public', (address, cls) => {
    expect(isAddressAllowed(address)).toBe(cls === 'public');
  });

  it('allowLoopback admits loopback only', () => {
    for (const [address, cls] of TABLE) expect(isAddressAllowed(address, { allowLoopback: true })).toBe(cls === 'public' || cls === 'loopback');
  });

  it('allowPrivate admits RFC 1918 / RFC 4193 only, never link-local or CGNAT', () => {
    for (const [address, cls] of TABLE) expect(isAddressAllowed(address, { allowPrivate: true })).toBe(cls === 'public' || cls === 'private');
    expect(isAddressAllowed('169.254.169.254', { allowPrivate: true, allowLoopback: true })).toBe(false);
    expect(isAddressAllowed('100.64.0.1', { allowPrivate: true, allowLoopback: true })).toBe(false);
  });
});
