/**
 * The realm's token-signing keys. One key is active; after `rotate()` the previous keys stay
 * published in the JWKS until every token they signed has expired (their retirement time plus
 * the longest token lifetime), so resources never meet an auth token whose key has vanished.
 *
 * Keys are persisted, when a file is given, as JSON `{ "keys": [{ "jwk": <private JWK>,
 * "retiredAt": <seconds|null> }] }` (written with mode 0600); otherwise they live in memory.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { exportPrivateJwk, generateSigningKey, importSigningKey, toJwks, type JwkSet, type KeyType, type PrivateJwk, type PublicJwk, type SigningKey } from '@aauth-ts/core';

interface StoredKey {
  readonly key: SigningKey;
  /** Seconds since the epoch when it stopped signing; undefined for the active key. */
  retiredAt: number | undefined;
}

export interface RealmKeysOptions {
  /** File to load keys from and persist them to. */
  readonly file?: string;
  readonly keyType?: KeyType;
  /**
   * Name Ed25519 keys by the fully specified JWS `alg` `Ed25519` (RFC 9864) rather than `EdDSA`,
   * as the current draft requires of every key and token (its §Signature Algorithms).
   */
  readonly fullySpecified?: boolean;
  /** How long a retired key stays published, seconds (the longest token lifetime, plus skew). */
  readonly retentionSeconds: number;
  readonly now?: () => number;
}

interface KeyFile { keys: { jwk: PrivateJwk; retiredAt: number | null }[] }

export class RealmKeys {
  readonly #keys: StoredKey[] = [];
  readonly #options: RealmKeysOptions;
  readonly #now: () => number;

  constructor(options: RealmKeysOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000));
    if (options.file && existsSync(options.file)) {
      const parsed = JSON.parse(readFileSync(options.file, 'utf8')) as KeyFile;
      if (!Array.isArray(parsed.keys)) throw new TypeError(`${options.file}: not a key file ({"keys": [...]})`);
      for (const entry of parsed.keys) this.#keys.push({ key: importSigningKey(entry.jwk), retiredAt: entry.retiredAt ?? undefined });
    }
    if (!this.#keys.some((k) => k.retiredAt === undefined)) {
      this.#keys.push({ key: this.#generate(), retiredAt: undefined });
      this.#persist();
    }
  }

  /** The key that signs new tokens. */
  get active(): SigningKey {
    return (this.#keys.find((k) => k.retiredAt === undefined) as StoredKey).key;
  }

  /** Start signing with a fresh key; the old one stays published for `retentionSeconds`. */
  rotate(): SigningKey {
    const now = this.#now();
    for (const k of this.#keys) if (k.retiredAt === undefined) k.retiredAt = now;
    const fresh = this.#generate();
    this.#keys.push({ key: fresh, retiredAt: undefined });
    this.#prune(now);
    this.#persist();
    return fresh;
  }

  /** Every key still published: the active one and retired ones within retention. */
  published(): SigningKey[] {
    this.#prune(this.#now());
    return this.#keys.map((k) => k.key);
  }

  /** The JWKS served at `jwks_uri`. */
  jwks(): JwkSet {
    return toJwks(this.published());
  }

  /** The published key with `kid` (and an algorithm fitting `alg`), for verifying our own tokens. */
  find(kid: string | undefined, alg: string): KeyObject | PublicJwk | undefined {
    const key = this.published().find((k) => (kid === undefined || k.kid === kid) && (k.jwsAlgorithm === alg || (alg === 'EdDSA' && k.jwsAlgorithm === 'Ed25519') || (alg === 'Ed25519' && k.jwsAlgorithm === 'EdDSA')));
    return key?.publicKey;
  }

  #generate(): SigningKey {
    const key = generateSigningKey(this.#options.keyType ?? 'Ed25519');
    return this.#options.fullySpecified === true && key.jwsAlgorithm === 'EdDSA' ? importSigningKey({ ...exportPrivateJwk(key), alg: 'Ed25519' }) : key;
  }

  #prune(now: number): void {
    const keep = this.#keys.filter((k) => k.retiredAt === undefined || now - k.retiredAt <= this.#options.retentionSeconds);
    if (keep.length !== this.#keys.length) {
      this.#keys.splice(0, this.#keys.length, ...keep);
      this.#persist();
    }
  }

  #persist(): void {
    const file = this.#options.file;
    if (!file) return;
    const doc: KeyFile = { keys: this.#keys.map((k) => ({ jwk: exportPrivateJwk(k.key), retiredAt: k.retiredAt ?? null })) };
    // Write then rename, so a crash never leaves a half-written key file.
    writeFileSync(`${file}.tmp`, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }
}
