/** The egress decision as a pure function (wire notes §7.5): no network is touched here. */
import { classifyAddress, isAddressAllowed, type AddressClass } from '@aauth-ts/core';

const TABLE: readonly [string, AddressClass][] = [
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['::1', 'loopback'],
  ['[::1]', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['fc00::1', 'private'],
  ['fd12:3456:789a::1', 'private'],
  ['169.254.169.254', 'link-local'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['100.64.0.1', 'reserved'],
  ['100.127.255.255', 'reserved'],
  ['0.0.0.0', 'reserved'],
  ['::', 'reserved'],
  ['224.0.0.1', 'reserved'],
  ['255.255.255.255', 'reserved'],
  ['192.0.2.1', 'reserved'],
  ['2001:db8::1', 'reserved'],
  ['ff02::1', 'reserved'],
  ['64:ff9b::a00:1', 'reserved'],
  // IPv4-mapped IPv6 is judged by its embedded IPv4 address, in both notations.
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:10.0.0.1', 'private'],
  ['::ffff:169.254.169.254', 'link-local'],
  ['::ffff:8.8.8.8', 'public'],
  // Public examples, including neighbours of the private ranges.
  ['8.8.8.8', 'public'],
  ['1.1.1.1', 'public'],
  ['93.184.215.14', 'public'],
  ['172.15.255.255', 'public'],
  ['172.32.0.0', 'public'],
  ['100.128.0.0', 'public'],
  ['11.0.0.1', 'public'],
  ['2606:4700:4700::1111', 'public'],
  ['2001:4860:4860::8888', 'public'],
  // Not an address at all.
  ['example.com', 'reserved'],
  ['', 'reserved'],
  ['1.2.3', 'reserved'],
];

describe('classifyAddress', () => {
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
