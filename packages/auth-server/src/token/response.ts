/** A framework-neutral HTTP answer; the express layer only copies it out. */
export interface EndpointResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}
