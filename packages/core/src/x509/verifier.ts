/**
 * The `x509` Signature-Key scheme end to end (Signature-Key draft at f22a52e, §X.509
 * Certificates): refuse at once when no trust anchors are configured; otherwise fetch the PEM
 * chain at `x5u` through the guarded fetcher (it is a caller-chosen URL: address guard, size cap,
 * timeout, cache), validate it (`validateCertificateChain`) and hand back the leaf's key, which the
 * caller then verifies the HTTP signature with. The fetcher's cache keeps the PEM by URL; the chain
 * is validated again on every use, so expiry is seen as it happens.
 */
import type { X509Certificate } from 'node:crypto';
import { FetchError, SignatureError, keyUnavailableMessage } from '../errors.js';
import type { GuardedFetcher } from '../fetcher/guarded-fetcher.js';
import type { ResolvedKey } from '../httpsig/verify.js';
import type { X509SignatureKey } from '../signature-key/types.js';
import { noAnchorsError, validateCertificateChain, type CertifiedKey } from './chain.js';

export interface X509VerifierOptions {
  readonly anchors: readonly X509Certificate[];
  readonly fetcher: GuardedFetcher;
  /** Seconds since the epoch (injectable clock). */
  readonly now?: () => number;
}

/** What the certificate says about the signer. */
export type X509Identity = Omit<CertifiedKey, 'jwk'>;

export class X509CertificateVerifier {
  readonly #options: X509VerifierOptions;

  constructor(options: X509VerifierOptions) {
    this.#options = options;
  }

  /** Whether any trust anchor is configured (without one, the scheme is refused). */
  get enabled(): boolean {
    return this.#options.anchors.length > 0;
  }

  /** Throws the scheme's refusal (`invalid_signature`, `unsupported_scheme`) when no anchor is configured. */
  requireAnchors(): void {
    if (!this.enabled) throw noAnchorsError();
  }

  async resolve(key: X509SignatureKey): Promise<ResolvedKey<X509Identity>> {
    this.requireAnchors();
    let pem: string;
    try {
      pem = await this.#options.fetcher.getText(key.x5u, 'application/pem-certificate-chain, application/x-pem-file, text/plain');
    } catch (cause) {
      if (!(cause instanceof FetchError)) throw cause;
      throw new SignatureError('invalid_signature', keyUnavailableMessage(cause), { field: 'x5u', reason: 'key_unavailable', cause });
    }
    const { jwk, leaf, uris } = validateCertificateChain(pem, { anchors: this.#options.anchors, x5t: key.x5t, ...(this.#options.now ? { now: this.#options.now() } : {}) });
    return { jwk, info: { leaf, uris } };
  }
}
