/** What the agent hands its transport for one send: the shape both transports (fetch, loopback) take. */
export interface TransportRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The exact bytes to send (the ones the Content-Digest was computed over). */
  readonly body?: Uint8Array | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Default `manual`: a signed request is never re-sent to another URL behind the caller's back. */
  readonly redirect?: RequestRedirect | undefined;
}
