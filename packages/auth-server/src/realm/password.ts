/**
 * Password verifiers for realm users. A plain `value` in the realm file is hashed at load with
 * scrypt (RFC 7914) and a random salt, so the running server never holds a password or a bare
 * hash of one; a credential exported by Keycloak (`secretData` + `credentialData`, algorithm
 * `pbkdf2`, `pbkdf2-sha256` or `pbkdf2-sha512`, RFC 8018 PBKDF2) is kept as Keycloak computed it.
 * Checks compare in constant time, and a login for a user without a verifier costs the same KDF
 * run as one with (no user-existence oracle from timing).
 */
import { pbkdf2, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { RealmConfigError } from './errors.js';

/** scrypt cost N = 2^14, r = 8, p = 1 (16 MiB per hash, node's own defaults); 32-byte output. */
const SCRYPT = Object.freeze({ N: 16384, r: 8, p: 1, keyLength: 32, saltLength: 16 });

/** Keycloak's password hash algorithm ids and the PBKDF2 digest of each. */
const KEYCLOAK_PBKDF2: Readonly<Record<string, 'sha1' | 'sha256' | 'sha512'>> = Object.freeze({
  'pbkdf2': 'sha1',
  'pbkdf2-sha256': 'sha256',
  'pbkdf2-sha512': 'sha512',
});

/** PBKDF2 iteration counts above this are refused at load: one login must not cost seconds of CPU. */
const MAX_PBKDF2_ITERATIONS = 1_000_000;

export type PasswordVerifier =
  | { readonly kdf: 'scrypt'; readonly salt: Buffer; readonly hash: Buffer; readonly N: number; readonly r: number; readonly p: number }
  | { readonly kdf: 'pbkdf2'; readonly digest: 'sha1' | 'sha256' | 'sha512'; readonly iterations: number; readonly salt: Buffer; readonly hash: Buffer };

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number }) => Promise<Buffer>;
const pbkdf2Async = promisify(pbkdf2);

/** A fresh salted scrypt verifier for `password` (used when a realm file carries a plain `value`). */
export function hashPassword(password: string): PasswordVerifier {
  const salt = randomBytes(SCRYPT.saltLength);
  const hash = scryptSync(password, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return { kdf: 'scrypt', salt, hash, N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p };
}

let decoy: PasswordVerifier | undefined;

/** True when `password` matches; `undefined` (no such user, no password) runs a decoy check and is false. */
export async function verifyPassword(verifier: PasswordVerifier | undefined, password: string): Promise<boolean> {
  const target = verifier ?? (decoy ??= hashPassword(randomBytes(16).toString('base64')));
  const given = target.kdf === 'scrypt'
    ? await scryptAsync(password, target.salt, target.hash.length, { N: target.N, r: target.r, p: target.p })
    : await pbkdf2Async(password, target.salt, target.iterations, target.hash.length, target.digest);
  return timingSafeEqual(given, target.hash) && verifier !== undefined;
}

function jsonObject(text: unknown, path: string): Record<string, unknown> {
  if (typeof text !== 'string') throw new RealmConfigError(path, 'must be a JSON object in a string (as Keycloak exports it)');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RealmConfigError(path, 'is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RealmConfigError(path, 'must be a JSON object');
  return value as Record<string, unknown>;
}

function base64(value: unknown, path: string): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) throw new RealmConfigError(path, 'must be base64');
  return Buffer.from(value, 'base64');
}

/**
 * The verifier of one `type: "password"` credential of a realm file: a plain `value` (hashed
 * here), or Keycloak's stored form (`secretData` {value, salt} and `credentialData`
 * {hashIterations, algorithm}). Anything else is a `RealmConfigError` naming the credential.
 */
export function parsePasswordCredential(credential: Record<string, unknown>, path: string): PasswordVerifier {
  if (credential.value !== undefined && credential.value !== null) {
    if (typeof credential.value !== 'string') throw new RealmConfigError(`${path}.value`, 'must be a string');
    return hashPassword(credential.value);
  }
  if (credential.secretData === undefined && credential.credentialData === undefined) {
    throw new RealmConfigError(path, 'a password credential needs a "value", or Keycloak\'s "secretData" and "credentialData"');
  }
  const data = jsonObject(credential.credentialData, `${path}.credentialData`);
  const secret = jsonObject(credential.secretData, `${path}.secretData`);
  const algorithm = data.algorithm;
  const digest = typeof algorithm === 'string' ? KEYCLOAK_PBKDF2[algorithm] : undefined;
  if (digest === undefined) {
    throw new RealmConfigError(`${path}.credentialData.algorithm`, `${JSON.stringify(algorithm)} is not supported (pbkdf2, pbkdf2-sha256, pbkdf2-sha512; or give a plain "value")`);
  }
  const iterations = data.hashIterations;
  if (typeof iterations !== 'number' || !Number.isInteger(iterations) || iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) {
    throw new RealmConfigError(`${path}.credentialData.hashIterations`, `must be an integer from 1 to ${MAX_PBKDF2_ITERATIONS}`);
  }
  const salt = base64(secret.salt, `${path}.secretData.salt`);
  const hash = base64(secret.value, `${path}.secretData.value`);
  if (hash.length < 16) throw new RealmConfigError(`${path}.secretData.value`, 'is too short to be a password hash');
  return { kdf: 'pbkdf2', digest, iterations, salt, hash };
}
