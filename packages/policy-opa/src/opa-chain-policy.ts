/**
 * The OPA adapter for the chain policy hook (auth-server contract, "Chain policy"). OPA's Data
 * API: `POST /v1/data/{path}` with body `{"input": <document>}` evaluates the rule at `path` and
 * answers `200 {"result": <value>}`, with no `result` member when the rule is undefined for that
 * input. Fail closed throughout: only a well-formed `{allow: true}` allows.
 */
import type { ChainPolicy, ChainPolicyDecision, ChainPolicyInput } from '@aauth-ts/core';

export interface OpaChainPolicyOptions {
  /** OPA's base URL, e.g. `http://127.0.0.1:8181`. */
  readonly url: string;
  /** The rule's package path, slash- or dot-separated, e.g. `aauth/chain` for `package aauth.chain`. */
  readonly path: string;
  /** Deadline for OPA's whole answer, ms. Default 2000. */
  readonly timeoutMs?: number;
  /** The `fetch` to use (the global one by default). */
  readonly fetch?: typeof fetch;
}

const deny = (reason: string): ChainPolicyDecision => ({ allow: false, reason });

function dataUrl(options: OpaChainPolicyOptions): URL {
  let base: URL;
  try {
    base = new URL(options.url);
  } catch {
    throw new TypeError(`opaChainPolicy: "url" ${JSON.stringify(options.url)} is not a URL`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError('opaChainPolicy: "url" must be http(s)');
  const segments = String(options.path).split(/[./]/).filter((s) => s.length > 0);
  if (segments.length === 0 || segments.some((s) => !/^[A-Za-z0-9_-]+$/.test(s))) {
    throw new TypeError(`opaChainPolicy: "path" ${JSON.stringify(options.path)} must name a rule, e.g. "aauth/chain"`);
  }
  return new URL(`${base.href.replace(/\/+$/, '')}/v1/data/${segments.join('/')}`);
}

/** The decision in OPA's answer, or why there is none. */
function decisionOf(body: unknown): ChainPolicyDecision {
  const result = typeof body === 'object' && body !== null ? (body as { result?: unknown }).result : undefined;
  if (result === undefined) return deny('the OPA policy gave no decision for this chain (rule undefined)');
  if (typeof result !== 'object' || result === null || typeof (result as { allow?: unknown }).allow !== 'boolean') {
    return deny('the OPA policy answered without a boolean "allow"');
  }
  const { allow, reason } = result as { allow: boolean; reason?: unknown };
  const text = typeof reason === 'string' && reason.length > 0 ? reason : allow ? 'allowed by the OPA policy' : 'refused by the OPA policy';
  return { allow, reason: text };
}

export function opaChainPolicy(options: OpaChainPolicyOptions): ChainPolicy {
  const url = dataUrl(options);
  const timeoutMs = options.timeoutMs ?? 2000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new TypeError('opaChainPolicy: "timeoutMs" must be a positive integer');
  const send = options.fetch ?? fetch;
  return async (input: ChainPolicyInput) => {
    const signal = AbortSignal.timeout(timeoutMs);
    let response: Response;
    let body: unknown;
    try {
      response = await send(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ input }), signal, redirect: 'error' });
      if (response.status !== 200) {
        await response.body?.cancel();
        return deny(`the policy engine could not decide (HTTP ${response.status})`);
      }
      body = await response.json();
    } catch {
      return deny(signal.aborted ? `the policy engine did not answer within ${timeoutMs} ms` : 'the policy engine could not be reached or answered malformed JSON');
    }
    return decisionOf(body);
  };
}
