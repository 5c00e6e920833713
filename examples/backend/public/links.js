// Links the page builds from server data. Only an http(s) URL becomes an href: anything else
// (javascript:, data:, a relative path) is refused, so a hostile value is never something to click.

/** The URL's href when `value` is an absolute http(s) URL, else undefined. */
export function httpHref(value) {
  if (typeof value !== 'string') return undefined;
  let url;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
}
