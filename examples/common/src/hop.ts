/**
 * A hop: one protocol step of the demo, as the UI, the logs and `--once` show it. Hops are plain
 * JSON so the supply-chain agent can return its own (nested) hops alongside its plan.
 */
import { decodeJwt } from './decode-jwt.js';

export type HopKind =
  | 'request' | 'challenge' | 'token-request' | 'pending' | 'interaction' | 'poll' | 'token' | 'person-token'
  | 'retry' | 'response' | 'verified' | 'result' | 'error';

export interface HopToken {
  /** What the token is, in words: "resource token from the supply-chain agent". */
  readonly label: string;
  readonly raw: string;
  readonly header: Readonly<Record<string, unknown>>;
  readonly claims: Readonly<Record<string, unknown>>;
}

export interface Hop {
  readonly seq: number;
  readonly at: string;
  /** Short name of the party that acted: backend, supply-chain-agent, market-analysis-agent. */
  readonly actor: string;
  /** 0 = the backend's own call; 1 = a call the supply-chain agent made while serving it. */
  readonly depth: number;
  readonly kind: HopKind;
  /** One line: "backend → supply-chain agent: POST /optimize". */
  readonly title: string;
  /** What happened, in plain words, for someone who has never read the draft. */
  readonly explain: string;
  readonly method?: string;
  readonly url?: string;
  readonly status?: number;
  readonly tokens?: readonly HopToken[];
  /**
   * Current profile, on `token` hops: the agent the auth token was issued to (its tokens name no
   * agent, §Why No Agent Identifier Reaches a Resource; the key binds them).
   */
  readonly holder?: string;
  /** Interaction details (only on `interaction` hops). */
  readonly interaction?: { readonly url: string; readonly code: string };
}

export function hopToken(label: string, raw: string): HopToken {
  const { header, claims } = decodeJwt(raw);
  return { label, raw, header, claims };
}

/** Collects hops in order and tells a listener about each one. */
export class HopRecorder {
  readonly #hops: Hop[] = [];
  readonly #listener: ((hop: Hop) => void) | undefined;
  readonly #actor: string;
  readonly #depth: number;
  /** Per URL, what a call there is in the protocol above HTTP (see `annotate`). */
  readonly #notes = new Map<string, string>();

  constructor(actor: string, depth: number, listener?: (hop: Hop) => void) {
    this.#actor = actor;
    this.#depth = depth;
    this.#listener = listener;
  }

  /**
   * Name what the requests to `url` are above HTTP (e.g. "A2A SendMessage, skill market-outlook"):
   * the request hops to it then say so in their title, since the signed HTTP request alone shows
   * only the method and path.
   */
  annotate(url: string, note: string): void {
    this.#notes.set(url, note);
  }

  add(hop: Omit<Hop, 'seq' | 'at' | 'actor' | 'depth'> & { actor?: string; depth?: number }): Hop {
    const note = hop.url !== undefined && (hop.kind === 'request' || hop.kind === 'retry') ? this.#notes.get(hop.url) : undefined;
    const full: Hop = { seq: this.#hops.length + 1, at: new Date().toISOString(), actor: this.#actor, depth: this.#depth, ...hop, ...(note === undefined ? {} : { title: `${hop.title} (${note})` }) };
    this.#hops.push(full);
    this.#listener?.(full);
    return full;
  }

  /** Insert hops recorded elsewhere (a nested trace) as they are, renumbered after ours. */
  addAll(hops: readonly Hop[]): void {
    for (const hop of hops) {
      const full: Hop = { ...hop, seq: this.#hops.length + 1 };
      this.#hops.push(full);
      this.#listener?.(full);
    }
  }

  get hops(): readonly Hop[] {
    return [...this.#hops];
  }
}

/** Validate a nested trace received over HTTP: keep only well-formed hops, never trust it blindly. */
export function parseHops(value: unknown): Hop[] {
  if (!Array.isArray(value)) return [];
  const out: Hop[] = [];
  for (const item of value.slice(0, 200)) {
    if (typeof item !== 'object' || item === null) continue;
    const h = item as Record<string, unknown>;
    if (typeof h.kind !== 'string' || typeof h.title !== 'string' || typeof h.explain !== 'string' || typeof h.actor !== 'string') continue;
    const tokens = Array.isArray(h.tokens)
      ? h.tokens.filter((t): t is { label: string; raw: string } => typeof t === 'object' && t !== null && typeof (t as { label?: unknown }).label === 'string' && typeof (t as { raw?: unknown }).raw === 'string')
        .map((t) => hopToken(t.label, t.raw))
      : undefined;
    out.push({
      seq: typeof h.seq === 'number' ? h.seq : out.length + 1,
      at: typeof h.at === 'string' ? h.at : new Date().toISOString(),
      actor: h.actor,
      depth: typeof h.depth === 'number' ? h.depth : 1,
      kind: h.kind as Hop['kind'],
      title: h.title,
      explain: h.explain,
      ...(typeof h.method === 'string' ? { method: h.method } : {}),
      ...(typeof h.url === 'string' ? { url: h.url } : {}),
      ...(typeof h.status === 'number' ? { status: h.status } : {}),
      ...(typeof h.holder === 'string' ? { holder: h.holder } : {}),
      ...(tokens && tokens.length > 0 ? { tokens } : {}),
    });
  }
  return out;
}
