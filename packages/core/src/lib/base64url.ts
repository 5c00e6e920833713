export function b64u(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString('base64url');
}
export function fromB64u(text: string): Buffer {
  return Buffer.from(text, 'base64url');
}
