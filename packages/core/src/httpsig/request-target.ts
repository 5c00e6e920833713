/**
 * The request target as the server received it. RFC 9421 §2.2.6 derives `@path` from the target
 * URI without normalising it, but a URL parser rewrites targets: it removes dot-segments (also
 * percent-encoded ones, `%2e`), turns `\` into `/` and re-encodes some characters, while routers
 * (express among them) match the raw path. A signature made for `/public/info` would then be
 * accepted at `/admin/x/../../public/info`, where the router runs the `/admin` handler.
 *
 * No client that signs from a parsed URL ever sends such a target, so it is refused rather than
 * interpreted: the target must be origin-form (RFC 9112 §3.2.1), must be exactly what the URL
 * parser makes of it, and must have no empty segment (`//`, which proxies merge).
 */
import { SignatureError } from '../errors.js';

function refuse(target: string, why: string): never {
  throw new SignatureError('invalid_signature', `the request target ${JSON.stringify(target.slice(0, 200))} ${why}; send the path exactly as signed`,
    { field: '@path', reason: 'non_normal_target', actual: target.slice(0, 200) });
}

/** Throws `invalid_signature` (`non_normal_target`) unless `target` is the origin-form of `url`. */
export function checkRequestTarget(target: string, url: URL): void {
  if (!target.startsWith('/')) refuse(target, 'is not in origin-form');
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q + 1);
  if (path.includes('//')) refuse(target, 'has an empty path segment');
  if (path !== url.pathname || (query.length > 0 ? `?${query}` : '') !== url.search) refuse(target, 'is not in normal form (dot-segments, backslashes or characters a URL parser rewrites)');
}
