/**
 * Refusals of the Person Server's endpoints: core's `AAuthError` with the current draft's codes and
 * statuses (draft-hardt-oauth-aauth-protocol §Token Endpoint Error Codes, §Polling Error Codes,
 * §Mission Endpoint Errors, §Mission Status Errors, §Interaction Endpoint Errors), plus the
 * realm-policy refusals the 2026-03 token endpoint already uses (`access_denied`, `invalid_scope`).
 * They leave as RFC 9457 problem details (core's `problemResponse`).
 */
import { AAUTH_CURRENT, AAuthError, statusOf, type CurrentErrorCode } from '@aauth-ts/core';

export type PsErrorCode = CurrentErrorCode | 'access_denied';

export function psError(code: PsErrorCode, detail: string, options: { status?: number; headers?: Record<string, string>; extras?: Record<string, unknown> } = {}): never {
  throw new AAuthError(code, detail, {}, { status: options.status ?? statusOf(code, AAUTH_CURRENT), headers: options.headers ?? {}, extras: options.extras ?? {} });
}
