/**
 * @aauth-ts/policy-opa — a `ChainPolicy` decided by Open Policy Agent. `opaChainPolicy({ url, path })`
 * asks OPA's REST Data API (`POST {url}/v1/data/{path}` with `{"input": …}`) and expects
 * `{"result": {"allow": boolean, "reason"?: string}}`. Anything else (network failure, timeout,
 * a status other than 200, no or a malformed `result`) denies with a reason: a policy engine that
 * cannot answer never lets a chain through, and never turns into a 500.
 */
export { opaChainPolicy } from './opa-chain-policy.js';
export type { OpaChainPolicyOptions } from './opa-chain-policy.js';
