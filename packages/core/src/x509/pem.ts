/** PEM certificate bundles (RFC 7468 §5): the x5u chain and configured trust anchors. */
import { X509Certificate } from 'node:crypto';
import { MalformedError } from '../errors.js';

const BLOCK = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----/g;

/** Every CERTIFICATE block, in order; undefined when there is none or one does not parse. */
export function parsePemCertificates(pem: string): X509Certificate[] | undefined {
  const certs: X509Certificate[] = [];
  for (const match of pem.matchAll(BLOCK)) {
    try {
      certs.push(new X509Certificate(Buffer.from((match[1] as string).replace(/\s+/g, ''), 'base64')));
    } catch {
      return undefined;
    }
  }
  return certs.length === 0 ? undefined : certs;
}

/**
 * Trust anchors from PEM text (one bundle, or several): configuration, so a bundle that holds no
 * certificate, or one that does not parse, is an error at start-up rather than an empty trust set.
 */
export function parseTrustAnchors(pem: string | readonly string[]): X509Certificate[] {
  const bundles = typeof pem === 'string' ? [pem] : pem;
  return bundles.flatMap((bundle, i) => {
    const certs = parsePemCertificates(bundle);
    if (certs === undefined) throw new MalformedError('invalid_request', `trust anchor bundle ${i + 1} holds no parseable PEM certificate`, undefined, { field: 'x509TrustAnchors', reason: 'malformed' });
    return certs;
  });
}
