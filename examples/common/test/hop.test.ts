import { decodeJwt } from '../src/decode-jwt.js';
import { HopRecorder, hopToken, parseHops } from '../src/hop.js';

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const token = `${b64({ alg: 'EdDSA', typ: 'auth+jwt' })}.${b64({ agent: 'http://a.localhost:1', sub: 'u' })}.sig`;

describe('decodeJwt (display only)', () => {
  it('decodes header and claims', () => {
    expect(decodeJwt(token)).toEqual({ header: { alg: 'EdDSA', typ: 'auth+jwt' }, claims: { agent: 'http://a.localhost:1', sub: 'u' } });
  });

  it.each(['', 'a.b', '!!.??.x', `${b64([1, 2])}.${b64('str')}.x`])('turns garbage %j into empty objects', (bad) => {
    expect(decodeJwt(bad)).toEqual({ header: {}, claims: {} });
  });
});

describe('HopRecorder', () => {
  it('numbers hops, stamps actor and depth, and tells the listener', () => {
    const seen: number[] = [];
    const recorder = new HopRecorder('backend', 0, (h) => seen.push(h.seq));
    recorder.add({ kind: 'request', title: 't1', explain: 'e1' });
    recorder.addAll([{ seq: 7, at: 'x', actor: 'supply-chain-agent', depth: 1, kind: 'token', title: 't2', explain: 'e2' }]);
    expect(recorder.hops.map((h) => [h.seq, h.actor, h.depth])).toEqual([[1, 'backend', 0], [2, 'supply-chain-agent', 1]]);
    expect(seen).toEqual([1, 2]);
  });

  it('names the A2A method and skill on the request hops to an annotated endpoint, and only there', () => {
    const recorder = new HopRecorder('supply-chain-agent', 1);
    const a2a = 'http://maa.localhost:1/a2a';
    recorder.annotate(a2a, 'A2A SendMessage, skill market-outlook');
    recorder.add({ kind: 'request', url: a2a, title: 'sca → maa: POST /a2a', explain: 'e' });
    recorder.add({ kind: 'retry', url: a2a, title: 'sca → maa: POST /a2a again', explain: 'e' });
    recorder.add({ kind: 'challenge', url: a2a, title: 'maa → sca: 401', explain: 'e' });
    recorder.add({ kind: 'request', url: 'http://other.localhost:1/x', title: 'sca → other: GET /x', explain: 'e' });
    expect(recorder.hops.map((h) => h.title)).toEqual([
      'sca → maa: POST /a2a (A2A SendMessage, skill market-outlook)',
      'sca → maa: POST /a2a again (A2A SendMessage, skill market-outlook)',
      'maa → sca: 401',
      'sca → other: GET /x',
    ]);
  });
});

describe('parseHops (a nested trace received over HTTP)', () => {
  it('keeps well-formed hops and re-decodes their tokens from the raw text', () => {
    const hops = parseHops([{ actor: 'supply-chain-agent', kind: 'token', title: 't', explain: 'e', depth: 1, tokens: [{ label: 'l', raw: token, claims: { forged: true } }] }]);
    expect(hops).toHaveLength(1);
    expect(hops[0]?.tokens?.[0]?.claims).toEqual({ agent: 'http://a.localhost:1', sub: 'u' });
  });

  it('drops anything malformed and caps the length', () => {
    expect(parseHops('nope')).toEqual([]);
    expect(parseHops([null, 1, { kind: 'x' }, { actor: 1, kind: 'k', title: 't', explain: 'e' }])).toEqual([]);
    const many = Array.from({ length: 500 }, () => ({ actor: 'a', kind: 'k', title: 't', explain: 'e' }));
    expect(parseHops(many)).toHaveLength(200);
  });

  it('keeps hop text as data (the page renders it with textContent)', () => {
    const [hop] = parseHops([{ actor: 'a', kind: 'k', title: '<img src=x onerror=alert(1)>', explain: 'e' }]);
    expect(hop?.title).toBe('<img src=x onerror=alert(1)>');
    expect(hopToken('x', 'a.b.c').label).toBe('x');
  });
});
