import { Writable } from 'node:stream';
import { createStoryLogger } from '../src/story-log.js';
import { hopToken, type Hop } from '../src/hop.js';

function sink(): { out: Writable; lines: () => string[] } {
  let text = '';
  const out = new Writable({ write(chunk: Buffer, _enc, done) { text += chunk.toString(); done(); } });
  return { out, lines: () => text.split('\n').filter(Boolean) };
}

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const hop: Hop = {
  seq: 3, at: '2026-03-02T00:00:00.000Z', actor: 'supply-chain-agent', depth: 1, kind: 'token', title: 'auth token', explain: 'why',
  tokens: [hopToken('auth token', `${b64({ typ: 'auth+jwt' })}.${b64({ agent: 'A', aud: 'B', sub: 'U', scope: 's' })}.x`)],
};

describe('createStoryLogger', () => {
  it('json: one JSON object per step, with who-for-whom lifted out of the tokens', () => {
    const { out, lines } = sink();
    const log = createStoryLogger('supply-chain-agent', 'json', out);
    log.hop(hop);
    log.info('listening', { port: 1 });
    const [first, second] = lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines()).toHaveLength(2);
    expect(first).toMatchObject({ service: 'supply-chain-agent', step: 'token', depth: 1, msg: 'auth token', tokens: [{ label: 'auth token', agent: 'A', aud: 'B', sub: 'U', scope: 's' }] });
    expect(second).toMatchObject({ level: 'info', msg: 'listening', port: 1 });
  });

  it('pretty: one readable line per step, no colour codes off a TTY', () => {
    const { out, lines } = sink();
    createStoryLogger('backend', 'pretty', out).hop(hop);
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toMatch(/supply-chain-agent\s+ {2}token\s+auth token \[auth token: agent=A aud=B sub=U scope=s\]/);
    expect(lines()[0]).not.toMatch(/\x1b\[/);
  });
});
