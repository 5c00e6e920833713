/**
 * A least-recently-used map bounded by entry count and by bytes. Every cache whose keys come from
 * a caller (agent identifiers, JWKS URLs, tokens) goes through one of these, so a flood of
 * distinct keys evicts old entries instead of growing the heap. Expiry is the owner's business:
 * values carry their own timestamps.
 */
export interface BoundedCacheLimits {
  /** Most entries kept. */
  readonly maxEntries: number;
  /** Most bytes kept (keys count as their UTF-16 length × 2 plus each value's declared size). */
  readonly maxBytes: number;
}

interface Slot<V> { readonly value: V; readonly bytes: number }

export class BoundedCache<V> {
  readonly limits: BoundedCacheLimits;
  readonly #entries = new Map<string, Slot<V>>();
  #bytes = 0;
  /** The key last stored or marked: asked again (one agent's token, request after request), it needs no move. */
  #newest: string | undefined;

  constructor(limits: BoundedCacheLimits) {
    if (!(limits.maxEntries >= 0) || !(limits.maxBytes >= 0)) throw new TypeError('BoundedCache limits must be non-negative numbers');
    this.limits = limits;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The value, marked as most recently used. */
  get(key: string): V | undefined {
    const slot = this.#entries.get(key);
    if (slot === undefined) return undefined;
    if (key !== this.#newest) {
      this.#entries.delete(key);
      this.#entries.set(key, slot);
      this.#newest = key;
    }
    return slot.value;
  }

  /** Store `value` costing `valueBytes`; evicts least recently used entries until both limits hold. */
  set(key: string, value: V, valueBytes = 0): void {
    this.delete(key);
    const bytes = key.length * 2 + valueBytes;
    // An entry larger than the whole budget is not kept at all (it would evict everything).
    if (bytes > this.limits.maxBytes || this.limits.maxEntries === 0) return;
    while (this.#entries.size >= this.limits.maxEntries || this.#bytes + bytes > this.limits.maxBytes) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.delete(oldest.value);
    }
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
    this.#newest = key;
  }

  delete(key: string): boolean {
    const slot = this.#entries.get(key);
    if (slot === undefined) return false;
    this.#entries.delete(key);
    this.#bytes -= slot.bytes;
    if (key === this.#newest) this.#newest = undefined;
    return true;
  }
}
