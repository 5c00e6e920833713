/**
 * Logs that tell the story: one line per step. `json` writes one JSON object per line (for
 * machines and `docker compose logs`); `pretty` writes a short coloured line (the default on a TTY).
 * Token claims that say who acted for whom (`agent`, `aud`, `sub`, `scope`) are lifted into every
 * token line, so a reader can follow the chain from the logs alone.
 */
import type { Writable } from 'node:stream';
import type { Hop } from './hop.js';
import type { LogFormat } from './config.js';

export interface StoryLogger {
  hop(hop: Hop): void;
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

const COLOURS: Readonly<Record<string, string>> = {
  'backend': '\x1b[36m',
  'supply-chain-agent': '\x1b[35m',
  'market-analysis-agent': '\x1b[33m',
  'auth-server': '\x1b[32m',
  'launcher': '\x1b[34m',
};
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';

/** `agent`, `aud`, `sub`, `scope` of each token on a hop, for the one-line summary. */
export function tokenSummary(hop: Hop): { label: string; agent?: unknown; aud?: unknown; sub?: unknown; scope?: unknown }[] {
  return (hop.tokens ?? []).map((t) => ({ label: t.label, agent: t.claims.agent, aud: t.claims.aud, sub: t.claims.sub, scope: t.claims.scope }));
}

function summaryText(hop: Hop): string {
  return tokenSummary(hop)
    .map((t) => `[${t.label}: ${(['agent', 'aud', 'sub', 'scope'] as const).filter((k) => t[k] !== undefined).map((k) => `${k}=${String(t[k])}`).join(' ')}]`)
    .join(' ');
}

export function createStoryLogger(service: string, format: LogFormat, out: Writable = process.stdout, colour = format === 'pretty' && Boolean((out as { isTTY?: boolean }).isTTY)): StoryLogger {
  const paint = (text: string, code: string): string => (colour ? `${code}${text}${RESET}` : text);
  const write = (line: string): void => {
    out.write(`${line}\n`);
  };
  const json = (record: Record<string, unknown>): void => write(JSON.stringify({ ts: new Date().toISOString(), service, ...record }));
  const pretty = (actor: string, marker: string, text: string, extra = ''): void => {
    const time = new Date().toISOString().slice(11, 19);
    write(`${paint(time, DIM)} ${paint(actor.padEnd(21), COLOURS[actor] ?? '')} ${marker} ${text}${extra ? ` ${paint(extra, DIM)}` : ''}`);
  };
  return {
    hop(hop) {
      if (format === 'json') {
        json({ step: hop.kind, actor: hop.actor, depth: hop.depth, msg: hop.title, explain: hop.explain, method: hop.method, url: hop.url, status: hop.status, tokens: tokenSummary(hop) });
        return;
      }
      pretty(hop.actor, `${'  '.repeat(hop.depth)}${hop.kind.padEnd(13)}`, hop.title, summaryText(hop));
    },
    info(message, fields = {}) {
      if (format === 'json') json({ level: 'info', msg: message, ...fields });
      else pretty(service, 'info         ', message, Object.keys(fields).length > 0 ? JSON.stringify(fields) : '');
    },
    error(message, fields = {}) {
      if (format === 'json') json({ level: 'error', msg: message, ...fields });
      else pretty(service, paint('error        ', '\x1b[31m'), message, Object.keys(fields).length > 0 ? JSON.stringify(fields) : '');
    },
  };
}
