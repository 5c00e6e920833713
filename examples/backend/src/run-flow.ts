/**
 * One run of the demo from the backend's side: call the supply-chain agent's `/optimize` as an
 * agent acting for the user (or, in autonomous mode, for itself), record every hop, and expose
 * the run's state for the web UI and `--once`.
 *
 * The `fetch` of `AAuthClient` does the protocol: sign, get the `401` challenge, exchange the
 * resource token, wait out the `202` while the user approves (`onInteraction`), retry. The
 * supply-chain agent's own hops come back with its answer and are placed before its response.
 *
 * The body should carry something unique (the run id): Ed25519 signatures are deterministic and
 * `created` has one-second granularity, so two identical requests within a second would be
 * identical, and a resource's replay check (2026-03 §Replay Protection) refuses the second.
 */
import { AAUTH_CURRENT, PROFILE, type ProfileName } from '@aauth-ts/core';
import { AAuthClient, type AAuthEvent, type Interaction, type RequestSigner } from '@aauth-ts/agent';
import { HopRecorder, parseHops, type Hop } from '../../common/src/hop.js';
import { hopSink, type PartyNames } from '../../common/src/hop-from-event.js';
import { ACTORS } from '../../common/src/parties.js';
import type { StoryLogger } from '../../common/src/story-log.js';

export type RunMode = 'user' | 'autonomous';
export type RunStatus = 'running' | 'awaiting-consent' | 'done' | 'failed';

/** One link of the delegation chain, read from an auth token that was issued. */
export interface ChainLink {
  readonly call: string;
  /** 2026-03: the token's `agent`; current profile: the agent it was issued to (its tokens name none). */
  readonly agent: unknown;
  /** Current profile: the Person Server the person is represented by. */
  readonly ps?: unknown;
  readonly aud: unknown;
  readonly sub: unknown;
  readonly scope: unknown;
}

export interface RunState {
  readonly id: string;
  readonly mode: RunMode;
  status: RunStatus;
  readonly startedAt: string;
  hops: readonly Hop[];
  chain: readonly ChainLink[];
  interaction?: Interaction;
  result?: { readonly plan: unknown };
  error?: { readonly error: string; readonly error_description: string };
}

export interface RunFlowOptions {
  readonly session: RequestSigner;
  /** Current profile: the signing agent's identifier, shown as the holder of its auth tokens. */
  readonly agent?: string;
  readonly supplyChainUrl: string;
  readonly profile: ProfileName;
  /** The auth server (2026-03), or the Person Server (current profile): its issuer. */
  readonly issuer: string;
  readonly development: boolean;
  readonly parties: PartyNames;
  readonly logger?: StoryLogger;
  readonly purpose: string;
  /** Deadline for the user's decision, ms. */
  readonly pendingTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** The delegation chain: one link per auth token issued during the run, in order. */
export function chainOf(hops: readonly Hop[], parties: PartyNames): ChainLink[] {
  const links: ChainLink[] = [];
  for (const hop of hops) {
    if (hop.kind !== 'token') continue;
    const claims = hop.tokens?.[0]?.claims;
    if (!claims) continue;
    const name = (v: unknown): string => (typeof v === 'string' ? parties[v] ?? v : String(v));
    const agent = claims.agent ?? hop.holder;
    links.push({
      call: `${name(agent)} → ${name(claims.aud)}`,
      agent, aud: claims.aud, sub: claims.sub, scope: claims.scope,
      ...(claims.ps === undefined ? {} : { ps: claims.ps }),
    });
  }
  return links;
}

export async function runFlow(run: RunState, body: Readonly<Record<string, unknown>>, options: RunFlowOptions): Promise<void> {
  const recorder = new HopRecorder(ACTORS.backend, 0, (hop) => {
    // Nested hops were logged by the service that made them; log only the backend's own.
    if (hop.depth === 0) options.logger?.hop(hop);
    run.hops = recorder.hops;
    run.chain = chainOf(run.hops, options.parties);
  });
  const me = run.mode === 'user' ? 'backend' : 'backend (autonomous)';
  const record = hopSink(recorder, me, options.parties, options.agent);
  // The SCA's final answer is recorded after its nested trace, so the hops read in causal order.
  let held: AAuthEvent | undefined;
  const onEvent = (event: AAuthEvent): void => {
    // A 202 (a chained interaction, current profile) is shown where it happens.
    if (event.type === 'response' && event.status !== 401 && event.status !== 202) {
      held = event;
      return;
    }
    if (event.type === 'poll' && event.status !== 202) run.status = 'running';
    record(event);
  };
  const client = new AAuthClient({
    session: options.session,
    development: options.development,
    ...(options.profile === AAUTH_CURRENT.name ? { profile: options.profile, personServer: options.issuer } : { authServers: [options.issuer] }),
    onEvent,
    onInteraction: (interaction) => {
      run.interaction = interaction;
      run.status = 'awaiting-consent';
    },
    purpose: options.purpose,
    ...(options.pendingTimeoutMs === undefined ? {} : { pendingTimeoutMs: options.pendingTimeoutMs }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  try {
    const response = await client.fetch(options.supplyChainUrl, {
      method: 'POST',
      headers: { [PROFILE.headers.contentType]: 'application/json' },
      body: JSON.stringify(body),
    });
    const answer: unknown = await response.json().catch(() => undefined);
    const fields = (typeof answer === 'object' && answer !== null ? answer : {}) as Record<string, unknown>;
    recorder.addAll(parseHops(fields.trace));
    if (held) record(held);
    if (!response.ok) {
      run.error = {
        error: typeof fields.error === 'string' ? fields.error : 'server_error',
        error_description: typeof fields.error_description === 'string' ? fields.error_description : `the supply-chain agent answered ${response.status}`,
      };
      run.status = 'failed';
      return;
    }
    run.result = { plan: fields.plan };
    recorder.add({ kind: 'result', title: `backend shows the plan to ${run.mode === 'user' ? 'the user' : 'nobody in particular (autonomous run)'}`, explain: 'Done. The table above is the supply-chain agent\'s plan; the chain table shows who acted for whom.' });
    run.status = 'done';
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    run.error = { error: typeof e.code === 'string' ? e.code : 'server_error', error_description: typeof e.message === 'string' ? e.message : String(err) };
    recorder.add({ kind: 'error', title: 'the run failed', explain: run.error.error_description });
    run.status = 'failed';
  }
}
