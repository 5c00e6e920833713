/**
 * Validate an `x509` Signature-Key chain (Signature-Key draft at f22a52e, §X.509 Certificates,
 * steps 3–6): the PEM at `x5u` holds the leaf first, each certificate followed by its issuer
 * (RFC 7517 §4.6/§4.7); `x5t` is the SHA-256 of the leaf's DER. The path is validated to a
 * configured trust anchor after RFC 5280 §6.1, in this order:
 *  1. the PEM parses into 1–10 certificates and `x5t` names the first;
 *  2. each certificate was issued by the next one (names and key identifiers) and its signature
 *     verifies with that issuer's key; the last one was issued by, and verifies with, an anchor
 *     (an anchor may also be included at the end of the chain);
 *  3. every certificate on the path is within its validity period at `now`;
 *  4. no certificate carries a critical extension this verifier does not apply;
 *  5. intermediates: basicConstraints cA, keyUsage keyCertSign when keyUsage is present, their
 *     pathLenConstraint, and their name constraints over every certificate below them;
 *  6. the leaf: keyUsage digitalSignature when keyUsage is present; its key is a supported
 *     signing key. It becomes the key the HTTP signature must verify with.
 * Anchors are trusted as name + key (RFC 5280 §6.1.1 d): their own validity and constraints are
 * not applied. Revocation is not checked: the profile defines no revocation source, and fetching
 * CRLs/OCSP from certificate-named URLs would be one more caller-chosen fetch.
 */
import { createHash, type X509Certificate } from 'node:crypto';
import { SignatureError } from '../errors.js';
import { httpAlgorithmFor, toPublicJwk } from '../jwk/keys.js';
import type { PublicJwk } from '../jwk/types.js';
import { GENERAL_NAME, KEY_USAGE, UNDERSTOOD_EXTENSIONS, certificateFacts, type CertificateFacts } from './certificate.js';
import { checkNameConstraints } from './name-constraints.js';
import { parsePemCertificates } from './pem.js';

export const MAX_CHAIN_LENGTH = 10;

export interface CertificateChainOptions {
  /** Trust anchors (see `parseTrustAnchors`). Empty: the scheme is refused. */
  readonly anchors: readonly X509Certificate[];
  /** The `x5t` parameter: SHA-256 of the leaf certificate's DER. */
  readonly x5t: Uint8Array;
  /** Seconds since the epoch; defaults to now. */
  readonly now?: number;
}

export interface CertifiedKey {
  /** The leaf's public key: the key the HTTP signature must verify with. */
  readonly jwk: PublicJwk;
  readonly leaf: X509Certificate;
  /** The leaf's uniformResourceIdentifier subjectAltNames (how an agent names itself). */
  readonly uris: readonly string[];
}

function refuse(message: string, reason: string): never {
  throw new SignatureError('invalid_signature', message, { field: 'x5u', reason });
}

/** The refusal when a verifier has no trust anchors (Signature-Key §X.509 step 3 has nothing to validate to). */
export function noAnchorsError(): SignatureError {
  return new SignatureError('invalid_signature', 'the x509 Signature-Key scheme is not accepted here: no X.509 trust anchors are configured', { field: 'signature-key', reason: 'unsupported_scheme', actual: 'x509' });
}

function position(index: number): string {
  return index === 0 ? 'the leaf certificate' : `intermediate certificate ${index}`;
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

function facts(cert: X509Certificate, index: number): CertificateFacts {
  try {
    return certificateFacts(cert);
  } catch {
    return refuse(`${position(index)} is not a well-formed X.509 certificate`, 'x509_malformed');
  }
}

function sameCertificate(a: X509Certificate, b: X509Certificate): boolean {
  return a.raw.equals(b.raw);
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

/** Steps 1–2: the path from the leaf to just below its anchor. */
function buildPath(chain: readonly X509Certificate[], anchors: readonly X509Certificate[]): X509Certificate[] {
  const end = chain.findIndex((cert) => anchors.some((a) => sameCertificate(a, cert)));
  if (end === 0) refuse('the leaf certificate is itself a trust anchor; anchors must be CA certificates', 'x509_untrusted');
  const path = end < 0 ? [...chain] : chain.slice(0, end);
  for (let i = 0; i + 1 < path.length; i++) {
    const cert = path[i] as X509Certificate;
    const issuer = path[i + 1] as X509Certificate;
    if (!cert.checkIssued(issuer)) {
      refuse(`${position(i)} was not issued by the certificate after it; the x5u chain must list the leaf first, each certificate followed by its issuer`, 'x509_chain_order');
    }
    if (!cert.verify(issuer.publicKey)) refuse(`the signature on ${position(i)} does not verify with its issuer's key`, 'x509_bad_signature');
  }
  const last = path[path.length - 1] as X509Certificate;
  if (!anchors.some((anchor) => issuedBy(last, anchor))) {
    refuse('the certificate chain does not lead to a configured trust anchor', 'x509_untrusted');
  }
  return path;
}

/** Steps 3–6 for the certificate at `index`, given the facts of those below it. */
function checkCertificate(index: number, own: CertificateFacts, below: readonly CertificateFacts[], now: number): void {
  const where = position(index);
  if (now < own.notBefore) refuse(`${where} is not valid before ${isoTime(own.notBefore)}`, 'x509_not_yet_valid');
  if (now > own.notAfter) refuse(`${where} expired at ${isoTime(own.notAfter)}`, 'x509_expired');
  const unknown = own.criticalExtensions.find((oid) => !UNDERSTOOD_EXTENSIONS.has(oid));
  if (unknown !== undefined) refuse(`${where} carries critical extension ${unknown}, which this verifier does not process`, 'x509_critical_extension');
  if (index === 0) {
    if (own.keyUsage !== undefined && !own.keyUsage.has(KEY_USAGE.digitalSignature)) {
      refuse('the leaf certificate\'s keyUsage does not allow digitalSignature', 'x509_key_usage');
    }
    return;
  }
  if (!own.ca) refuse(`${where} is not a CA (basicConstraints cA is not set), so it cannot issue certificates`, 'x509_not_ca');
  if (own.keyUsage !== undefined && !own.keyUsage.has(KEY_USAGE.keyCertSign)) refuse(`${where}'s keyUsage does not allow keyCertSign`, 'x509_key_usage');
  // RFC 5280 §4.2.1.9: pathLenConstraint = most intermediates that may follow this one.
  if (own.pathLen !== undefined && index - 1 > own.pathLen) {
    refuse(`${where} allows ${own.pathLen} intermediate certificate(s) below it (pathLenConstraint); the chain has ${index - 1}`, 'x509_path_length');
  }
  if (own.nameConstraints !== undefined) {
    for (const subject of below) {
      const verdict = checkNameConstraints(subject.subjectAltNames, own.nameConstraints);
      if (verdict === 'unsupported_form') refuse(`${where} has name constraints of a form this verifier does not evaluate (only dNSName and URI)`, 'x509_name_constraints');
      if (verdict !== 'ok') refuse(`a name in the chain is ${verdict === 'excluded' ? 'excluded by' : 'outside the permitted names of'} ${where}'s name constraints`, 'x509_name_constraints');
    }
  }
}

function leafKey(leaf: X509Certificate): PublicJwk {
  try {
    const jwk = toPublicJwk(leaf.publicKey.export({ format: 'jwk' }) as PublicJwk);
    httpAlgorithmFor(jwk);
    return jwk;
  } catch {
    return refuse('the leaf certificate\'s key is not a supported signing key (Ed25519, P-256 or RSA)', 'x509_unsupported_key');
  }
}

/** Throws `SignatureError` (`invalid_signature`, a distinct `reason` and sentence per defect). */
export function validateCertificateChain(pem: string, options: CertificateChainOptions): CertifiedKey {
  if (options.anchors.length === 0) throw noAnchorsError();
  const chain = parsePemCertificates(pem);
  if (chain === undefined) refuse('x5u did not return a PEM certificate chain', 'x509_malformed');
  if (chain.length > MAX_CHAIN_LENGTH) refuse(`the certificate chain has more than ${MAX_CHAIN_LENGTH} certificates`, 'x509_malformed');
  const leaf = chain[0] as X509Certificate;
  const digest = createHash('sha256').update(leaf.raw).digest();
  if (!digest.equals(Buffer.from(options.x5t))) refuse('x5t is not the SHA-256 thumbprint of the first certificate at x5u', 'x509_thumbprint_mismatch');
  const path = buildPath(chain, options.anchors);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const all = path.map(facts);
  all.forEach((own, index) => checkCertificate(index, own, all.slice(0, index), now));
  const uris = (all[0] as CertificateFacts).subjectAltNames
    .filter((n) => n.tag === GENERAL_NAME.uniformResourceIdentifier && n.text !== undefined)
    .map((n) => n.text as string);
  return { jwk: leafKey(leaf), leaf, uris };
}
