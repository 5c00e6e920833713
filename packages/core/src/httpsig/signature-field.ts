/**
 * The `Signature` field as some peers write it: each member's bytes in unpadded base64url
 * (RFC 4648 §5) where RFC 8941 §3.3.5 requires base64 (§4). The field is not covered by the
 * signature, and the replay key is built from the signature base rather than these bytes, so
 * reading the same bytes from the other alphabet changes nothing that is verified. Accepted
 * inbound only, when every member is `label=:<canonical unpadded base64url>:`; never written.
 */
const URLSAFE_MEMBER = /^([a-z*][a-z0-9_\-.*]*)=:([A-Za-z0-9_-]+):$/;

/** The RFC 8941 spelling of an all-base64url `Signature` field, or undefined. */
export function standardBase64Signature(header: string): string | undefined {
  const members: string[] = [];
  for (const member of header.split(',')) {
    const match = URLSAFE_MEMBER.exec(member.trim());
    if (!match) return undefined;
    const [, label, text] = match as unknown as [string, string, string];
    const bytes = Buffer.from(text, 'base64url');
    // One text per byte string: refuse non-zero padding bits, as a strict base64 reader would.
    if (bytes.toString('base64url') !== text) return undefined;
    members.push(`${label}=:${bytes.toString('base64')}:`);
  }
  return members.join(', ');
}
