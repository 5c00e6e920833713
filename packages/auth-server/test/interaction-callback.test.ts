/**
 * The interaction endpoint's `callback` is no open redirect (draft-hardt-aauth §User Interaction,
 * §Endpoint URLs): the agent's own origin, or an `http` loopback URL with a port and no query.
 */
import { callbackAllowed } from '../src/interaction/callback.js';

const AGENT = 'https://agent.example';

describe('interaction callback target', () => {
  it.each([
    ['https://agent.example/callback?state=abc123', 'the agent\'s origin, any path and query'],
    ['https://agent.example', 'the agent\'s origin itself'],
    ['http://127.0.0.1:53124/cb', 'IPv4 loopback with a port'],
    ['http://[::1]:53124/', 'IPv6 loopback with a port'],
    ['http://localhost:8080', 'localhost with a port'],
  ])('accepts %s (%s)', (callback) => {
    expect(callbackAllowed(callback, AGENT)).toBe(true);
  });

  it.each([
    ['https://elsewhere.example/callback', 'another origin'],
    ['https://agent.example.evil.example/cb', 'a host that only starts with the agent\'s'],
    ['http://agent.example/callback', 'the agent\'s host over http'],
    ['https://agent.example:8443/callback', 'the agent\'s host on another port'],
    ['https://agent.example/callback#frag', 'a fragment'],
    ['https://user@agent.example/callback', 'userinfo'],
    ['javascript:alert(1)', 'a script URL'],
    ['//elsewhere.example/cb', 'a scheme-relative URL'],
    ['http://127.0.0.1/cb', 'loopback without a port'],
    ['http://127.0.0.1:5000/cb?state=x', 'loopback with a query'],
    ['https://127.0.0.1:5000/cb', 'loopback over https'],
    ['http://127.0.0.2:5000/cb', 'another 127/8 address'],
    ['not a url', 'no URL at all'],
  ])('refuses %s (%s)', (callback) => {
    expect(callbackAllowed(callback, AGENT)).toBe(false);
  });
});
