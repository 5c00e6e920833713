/**
 * The intermediary's interaction-chaining state (draft-hardt-oauth-aauth-protocol §Interaction
 * Chaining, §Interaction Code Format, §Deferred Responses): single-use codes compared as a user
 * types them, expiry, and the caps that keep one caller from filling it.
 */
import { InteractionChainError } from '@aauth-ts/agent';
import { ChainFlows } from '../src/chain/chain-flows.js';

function flows(now: { t: number }, maxFlows = 10, maxFlowsPerCaller = 2): ChainFlows {
  return new ChainFlows({ maxFlows, maxFlowsPerCaller, now: () => now.t });
}

function refusal(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof InteractionChainError ? `${err.reason} ${err.status}` : String(err);
  }
  return undefined;
}

it('a caller holds at most maxFlowsPerCaller flows; an ended flow frees its slot', () => {
  const clock = { t: 1000 };
  const store = flows(clock);
  const first = store.open('caller-a', 60);
  store.open('caller-a', 60);
  expect(refusal(() => store.open('caller-a', 60))).toBe('caller_full 503');
  expect(store.open('caller-b', 60).thumbprint).toBe('caller-b');
  store.end(first);
  expect(store.open('caller-a', 60).thumbprint).toBe('caller-a');
});

it('at most maxFlows are live in all, whoever asks', () => {
  const store = flows({ t: 1000 }, 3, 3);
  for (const caller of ['a', 'b', 'c']) store.open(caller, 60);
  expect(refusal(() => store.open('d', 60))).toBe('flows_full 503');
});

it('the code is single-use, matched without hyphens, in any case, with I/L/O read as 1/1/0, and only once the PS asked for the person', () => {
  const store = flows({ t: 1000 });
  const flow = store.open('caller', 60);
  expect(store.spendCode(flow.code)).toBeUndefined();
  const again = store.open('caller', 60);
  again.upstreamUrl = 'https://ps.example/interaction?code=X';
  const typed = again.code.replace(/-/g, '').toLowerCase().replace(/1/g, 'l').replace(/0/g, 'o');
  expect(store.spendCode(typed)).toBe(again);
  expect(store.spendCode(again.code)).toBeUndefined();
});

it('past its lifetime a flow nobody settled answers 408 expired and no longer takes its code', () => {
  const clock = { t: 1000 };
  const store = flows(clock);
  const flow = store.open('caller', 60);
  flow.upstreamUrl = 'https://ps.example/interaction?code=X';
  clock.t += 61;
  expect(store.spendCode(flow.code)).toBeUndefined();
  store.sweep();
  expect(flow.final?.status).toBe(408);
  expect((flow.final?.body as { error: string }).error).toBe('expired');
  // Its slot is free again, though the flow is remembered to answer its poll.
  store.open('caller', 60);
  store.open('caller', 60);
  expect(store.get(flow.id)).toBe(flow);
  clock.t += 200;
  store.sweep();
  expect(store.get(flow.id)).toBeUndefined();
});
