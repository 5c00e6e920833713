/** Framework-neutral header access: Node's `IncomingHttpHeaders`, a plain record, or Fetch `Headers`. */
export type HeadersLike = Readonly<Record<string, string | readonly string[] | undefined>> | { get(name: string): string | null };

function isFetchHeaders(headers: HeadersLike): headers is { get(name: string): string | null } {
  return typeof (headers as { get?: unknown }).get === 'function';
}

/**
 * Lowercase forms of the names asked for, kept so that each lookup uses one stable string: a name
 * lowercased afresh is a new string that the engine must look up in its string table before it
 * can read the property. Callers ask for the profile's few header names; bounded all the same.
 */
const lowerNames = new Map<string, string>();
const LOWER_NAMES_MAX = 256;

function lowerOf(name: string): string {
  let lower = lowerNames.get(name);
  if (lower === undefined) {
    lower = name.toLowerCase();
    if (lowerNames.size < LOWER_NAMES_MAX) lowerNames.set(name, lower);
  }
  return lower;
}

/** A header's field value, multiple field lines joined with ", " (RFC 9110 §5.3), or undefined. */
export function getHeader(headers: HeadersLike, name: string): string | undefined {
  if (isFetchHeaders(headers)) return headers.get(name) ?? undefined;
  const lower = lowerOf(name);
  const record = headers as Record<string, string | readonly string[] | undefined>;
  let value = record[lower];
  if (value === undefined) {
    // A name spelt in another case: looked for without building an array of the entries.
    for (const key in record) {
      if (Object.hasOwn(record, key) && key.toLowerCase() === lower) {
        value = record[key];
        break;
      }
    }
  }
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(', ');
}

/** A plain record with lowercase names, the shape the RFC 9421 engine reads. */
export function toHeaderRecord(headers: HeadersLike): Record<string, string> {
  const out: Record<string, string> = {};
  if (isFetchHeaders(headers)) {
    (headers as unknown as { forEach(cb: (value: string, key: string) => void): void }).forEach((value, key) => { out[key.toLowerCase()] = value; });
    return out;
  }
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[key.toLowerCase()] = typeof value === 'string' ? value : (value as readonly string[]).join(', ');
  }
  return out;
}

/** A header name in the lowercase form Node and HTTP/2 use, keeping its literal type. */
export function lowerName<T extends string>(name: T): Lowercase<T> {
  return name.toLowerCase() as Lowercase<T>;
}
