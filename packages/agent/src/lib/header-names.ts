/** Lowercase header names from the profile (node:http and `Headers` both accept lowercase). */
import { PROFILE } from '@aauth-ts/core';

const lower = (name: string): string => name.toLowerCase();

export const H = Object.freeze({
  signatureKey: lower(PROFILE.headers.signatureKey),
  signature: lower(PROFILE.headers.signature),
  signatureInput: lower(PROFILE.headers.signatureInput),
  contentDigest: lower(PROFILE.headers.contentDigest),
  contentType: lower(PROFILE.headers.contentType),
  location: lower(PROFILE.headers.location),
  retryAfter: lower(PROFILE.headers.retryAfter),
  prefer: lower(PROFILE.headers.prefer),
});

/** Headers this package writes on every signed send; a replay drops the old values first. */
export const SIGNATURE_HEADERS: readonly string[] = [H.signatureKey, H.signature, H.signatureInput, H.contentDigest];
