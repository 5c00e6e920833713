/** The `AAuthError` a promise is refused with; anything else, or no refusal, fails the test. */
import { isAAuthError, type AAuthError } from '@aauth-ts/core';

export async function refusal(promise: Promise<unknown>): Promise<AAuthError> {
  try {
    await promise;
  } catch (err) {
    if (isAAuthError(err)) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}
