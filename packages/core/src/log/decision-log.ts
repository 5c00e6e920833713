/**
 * One structured line per authorization decision, shared by the resource and the embedded auth
 * server so both speak the same fields. The sink is any pino-compatible logger (`info(obj, msg)`,
 * `warn(obj, msg)`): pino itself, or an application's own. Only identifiers go in a line: agent,
 * resource and user ids, scopes, the error code. Never a token, signature or key.
 */
import { isAAuthError } from '../errors.js';

/** The subset of pino's API used here; `pino()` (or a child logger) satisfies it. */
export interface AAuthLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  /** pino's: when it says `info` is off, decision lines are not even built. */
  isLevelEnabled?(level: string): boolean;
}

/**
 * Used when no logger is given: decisions (`info`) are dropped, warnings (a failed remote fetch's
 * diagnostic) go to `console.warn`.
 */
export const consoleWarnLogger: AAuthLogger = Object.freeze({
  info: () => undefined,
  warn: (obj: object, msg: string) => console.warn(`aauth: ${msg}`, JSON.stringify(obj)),
});

export type DecisionOutcome = 'granted' | 'pending' | 'refused';

/** What a decision was about; filled in as the request is understood (verified fields only). */
export interface DecisionSubject {
  agent?: string;
  resource?: string;
  scope?: readonly string[];
  user?: string;
  /** On a chained request (§Call Chaining): the `jti` of the upstream auth token; `agent` is the intermediary. */
  upstreamJti?: string;
  /** The chain policy's reason, when a chain policy refused (`policy_reason`). */
  policyReason?: string;
}

export interface Decision extends DecisionSubject {
  /** Which server decided: `resource` or `auth-server`. */
  readonly component: 'resource' | 'auth-server';
  /** The endpoint or requirement decided on (`token`, `token-exchange`, `pending`, `auth-token`, …). */
  readonly decision: string;
  readonly outcome: DecisionOutcome;
  /** HTTP status answered. */
  readonly status: number;
  /** The wire error code of a refusal. */
  readonly error?: string;
  /** From the first byte the server looked at to the decision, milliseconds. */
  readonly durationMs: number;
}

/** The wire code and status a thrown error is answered with (an unexpected one is a 500). */
export function refusalOf(err: unknown): { error: string; status: number } {
  return isAAuthError(err) ? { error: err.code, status: err.status } : { error: 'server_error', status: 500 };
}

/** Does `logger` keep decision lines (`info`)? When not, a caller need not even build one. */
export function logsDecisions(logger: AAuthLogger): boolean {
  return logger !== consoleWarnLogger && logger.isLevelEnabled?.('info') !== false;
}

/** Write `decision` as one `info` line `aauth decision` with flat, stable field names. */
export function logDecision(logger: AAuthLogger, decision: Decision): void {
  if (!logsDecisions(logger)) return;
  const line: Record<string, string | number> = { component: decision.component, decision: decision.decision, outcome: decision.outcome, status: decision.status };
  if (decision.agent !== undefined) line.agent = decision.agent;
  if (decision.resource !== undefined) line.resource = decision.resource;
  if (decision.scope !== undefined && decision.scope.length > 0) line.scope = decision.scope.join(' ');
  if (decision.user !== undefined) line.user = decision.user;
  if (decision.upstreamJti !== undefined) line.upstream_jti = decision.upstreamJti;
  if (decision.error !== undefined) line.error = decision.error;
  if (decision.policyReason !== undefined) line.policy_reason = decision.policyReason;
  line.duration_ms = Math.round(decision.durationMs * 1000) / 1000;
  logger.info(line, 'aauth decision');
}

/** Is `value` usable as a logger (a `logger` option is checked once, at construction)? */
export function isAAuthLogger(value: unknown): value is AAuthLogger {
  return typeof value === 'object' && value !== null && typeof (value as AAuthLogger).info === 'function' && typeof (value as AAuthLogger).warn === 'function';
}
