/**
 * `--once`: run the whole flow headlessly through the backend's own HTTP API, approve consent
 * through the auth server's real interaction page, print every hop with its decoded tokens, and
 * check the delegation chain. Resolves to the final run and a verdict; never throws for a failed
 * run (the verdict says why).
 */
import type { Writable } from 'node:stream';
import { AAUTH_CURRENT, PROFILE } from '@aauth-ts/core';
import type { DemoConfig } from '../../common/src/config.js';
import { AGENT_LOCAL_NAMES, agentIdentifierOf } from '../../common/src/parties.js';
import type { Hop } from '../../common/src/hop.js';
import { approveConsent } from './auto-consent.js';

export type OnceMode = 'user' | 'autonomous';

interface RunView {
  readonly id: string;
  readonly status: string;
  readonly hops: readonly Hop[];
  readonly chain: readonly { call: string; agent: unknown; aud: unknown; sub: unknown; scope: unknown; ps?: unknown }[];
  readonly interaction?: { url: string; code: string };
  readonly result?: { plan?: { totals?: { units?: number; cost?: number; skusAtRisk?: string[] }; planDigest?: string } };
  readonly error?: { error: string; error_description: string };
}

export interface OnceResult {
  readonly ok: boolean;
  readonly reasons: readonly string[];
  readonly run: RunView | undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.json().catch(() => undefined) };
}

const HIGHLIGHT = new Set(['agent', 'aud', 'sub', 'scope', 'cnf']);

export function printHop(out: Writable, hop: Hop): void {
  const indent = '    '.repeat(hop.depth);
  out.write(`${indent}#${hop.seq} [${hop.actor}] ${hop.kind}${hop.status ? ` ${hop.status}` : ''}: ${hop.title}\n`);
  out.write(`${indent}    ${hop.explain}\n`);
  for (const token of hop.tokens ?? []) {
    out.write(`${indent}    ── ${token.label}\n`);
    out.write(`${indent}       header: ${JSON.stringify(token.header)}\n`);
    for (const [k, v] of Object.entries(token.claims)) {
      out.write(`${indent}       ${HIGHLIGHT.has(k) ? '*' : ' '} ${k}: ${JSON.stringify(v)}\n`);
    }
  }
}

/**
 * Current profile: what a successful run must show. Each auth token comes from the Person Server,
 * was issued to the agent expected at that hop, and carries a directed `sub`: never the user id,
 * and a different one at each resource (§Directed Identifiers Across a Chain); the backend's first
 * hop went through a person token for the supply-chain agent.
 */
export function checkCurrentChain(run: RunView, config: DemoConfig, userId: string | undefined): string[] {
  const reasons: string[] = [];
  const agent = (provider: string, local: string): string => agentIdentifierOf(provider, local, config.development);
  const hops = [
    { aud: config.supplyChain.identifier, agent: agent(config.backend.identifier, AGENT_LOCAL_NAMES.backend) },
    { aud: config.marketAnalysis.identifier, agent: agent(config.supplyChain.identifier, AGENT_LOCAL_NAMES.supplyChain) },
  ];
  const subs: unknown[] = [];
  for (const expected of hops) {
    const link = run.chain.find((l) => l.aud === expected.aud);
    if (!link) {
      reasons.push(`no auth token for ${expected.aud} was issued`);
      continue;
    }
    if (link.agent !== expected.agent) reasons.push(`${link.call}: issued to ${String(link.agent)}, expected ${expected.agent}`);
    if (link.ps !== config.issuer) reasons.push(`${link.call}: ps is ${String(link.ps)}, expected ${config.issuer}`);
    if (typeof link.sub !== 'string' || link.sub.length === 0) reasons.push(`${link.call}: no sub`);
    else if (link.sub === userId) reasons.push(`${link.call}: sub is the user id itself, not a directed identifier`);
    subs.push(link.sub);
  }
  if (subs.length === 2 && subs[0] === subs[1]) reasons.push('both resources saw the same sub: the Person Server copied it down the chain');
  const personToken = run.hops.find((h) => h.kind === 'person-token' && h.depth === 0);
  if (personToken?.tokens?.[0]?.claims.aud !== config.supplyChain.identifier) reasons.push('no person token for the supply-chain agent was shown');
  if (!run.result?.plan?.planDigest) reasons.push('no plan in the result');
  return reasons;
}

/** What a successful run must show: the chain of the story, claim by claim. */
export function checkChain(run: RunView, config: DemoConfig, mode: OnceMode, userId: string | undefined): string[] {
  if (config.profile === AAUTH_CURRENT.name) return checkCurrentChain(run, config, userId);
  const reasons: string[] = [];
  const first = run.chain.find((l) => l.aud === config.supplyChain.identifier);
  const second = run.chain.find((l) => l.aud === config.marketAnalysis.identifier);
  const caller = mode === 'user' ? config.backend.identifier : config.backendAutonomous.identifier;
  if (!first) reasons.push('no auth token for the supply-chain agent was issued');
  else if (first.agent !== caller) reasons.push(`the supply-chain agent's token names agent ${String(first.agent)}, expected ${caller}`);
  if (!second) reasons.push('no auth token for the market-analysis agent was issued');
  else if (second.agent !== config.supplyChain.identifier) reasons.push(`the market-analysis agent's token names agent ${String(second.agent)}, expected ${config.supplyChain.identifier}`);
  const expectedSub = mode === 'user' ? userId : undefined;
  for (const link of [first, second]) {
    if (link && link.sub !== expectedSub) reasons.push(`${link.call}: sub is ${String(link.sub)}, expected ${String(expectedSub)}`);
  }
  if (!run.result?.plan?.planDigest) reasons.push('no plan in the result');
  return reasons;
}

export interface OnceOptions {
  readonly config: DemoConfig;
  readonly userId: string | undefined;
  readonly mode: OnceMode;
  /** The backend's API base (the launcher uses the bound loopback address). */
  readonly backendUrl: string;
  readonly out: Writable;
  readonly timeoutMs?: number;
}

export async function runOnce(options: OnceOptions): Promise<OnceResult> {
  const { config, out } = options;
  const started = await getJson(`${options.backendUrl}/api/runs`, {
    method: 'POST',
    headers: { [PROFILE.headers.contentType]: 'application/json' },
    body: JSON.stringify({ mode: options.mode }),
  });
  const id = (started.body as { id?: unknown } | undefined)?.id;
  if (started.status !== 202 || typeof id !== 'string') return { ok: false, reasons: [`starting a run answered HTTP ${started.status}`], run: undefined };
  out.write(`run ${id} (${options.mode} mode) started\n\n`);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  // Each pending request that needs the person has its own code (the current profile asks once
  // for the person token and may ask again for the auth token).
  const approved = new Set<string>();
  let printed = 0;
  let run: RunView | undefined;
  while (Date.now() < deadline) {
    const { status, body } = await getJson(`${options.backendUrl}/api/runs/${id}`);
    if (status !== 200) return { ok: false, reasons: [`reading the run answered HTTP ${status}`], run };
    run = body as RunView;
    for (const hop of run.hops.slice(printed)) printHop(out, hop);
    printed = run.hops.length;
    if (run.status === 'awaiting-consent' && run.interaction && !approved.has(run.interaction.code)) {
      approved.add(run.interaction.code);
      out.write(`\n>>> approving as ${config.user.username} at ${run.interaction.url}\n\n`);
      try {
        await approveConsent(run.interaction.url, config.user, config.development);
      } catch (err) {
        return { ok: false, reasons: [`approving consent failed: ${(err as Error).message}`], run };
      }
    }
    if (run.status === 'done' || run.status === 'failed') break;
    await sleep(150);
  }
  if (!run || (run.status !== 'done' && run.status !== 'failed')) return { ok: false, reasons: ['the run did not finish in time'], run };
  if (run.status === 'failed') return { ok: false, reasons: [`the run failed: ${run.error?.error}: ${run.error?.error_description}`], run };
  out.write('\nWho acted for whom (from the auth tokens issued):\n');
  for (const link of run.chain) {
    out.write(`  ${link.call}: agent=${String(link.agent)} aud=${String(link.aud)} sub=${link.sub === undefined ? '(none)' : String(link.sub)} scope=${String(link.scope)}${link.ps === undefined ? '' : ` ps=${String(link.ps)}`}\n`);
  }
  const totals = run.result?.plan?.totals;
  if (totals) out.write(`\nPlan: ${totals.units} units, USD ${Math.round(totals.cost ?? 0)}, at risk: ${(totals.skusAtRisk ?? []).join(', ') || 'none'}; digest ${run.result?.plan?.planDigest}\n`);
  const reasons = checkChain(run, config, options.mode, options.userId);
  return { ok: reasons.length === 0, reasons, run };
}
