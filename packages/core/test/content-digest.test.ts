/**
 * `verifyContentDigest` takes the header a signer writes by string equality with the digest of the
 * body received; every other header is parsed. Both ways must reach the same verdict.
 */
import { MalformedError, SignatureError, createContentDigest, verifyContentDigest } from '@aauth-ts/core';

const body = new TextEncoder().encode('{"sku":"A-1","qty":3}');

describe('Content-Digest (RFC 9530)', () => {
  it('the digest a signer writes matches its own body', () => {
    expect(verifyContentDigest(createContentDigest(body), body)).toBe('sha-256');
    expect(verifyContentDigest(createContentDigest(body, 'sha-512'), body)).toBe('sha-512');
  });

  it('the digest of another body, spelt as a signer writes it, is a mismatch', () => {
    const other = createContentDigest(new TextEncoder().encode('{"sku":"A-1","qty":300}'));
    expect(() => verifyContentDigest(other, body)).toThrow(SignatureError);
  });

  it('the same digest spelt otherwise is parsed and decided the same way', () => {
    const canonical = createContentDigest(body);
    expect(verifyContentDigest(` ${canonical}`, body)).toBe('sha-256');
    expect(verifyContentDigest(`${canonical}, unknown=:AAAA:`, body)).toBe('sha-256');
    expect(() => verifyContentDigest(`${canonical}, sha-512=:AAAA:`, body)).toThrow(SignatureError);
    expect(() => verifyContentDigest(`${canonical.slice(0, -1)}`, body)).toThrow(MalformedError);
  });
});
