/**
 * Whether a maybe-synchronous answer (`verifyRequestNow`, `getKeyNow`, a key resolver) is still to
 * come. Any thenable counts, not only a native promise: a resolver may answer with its own.
 */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
