/**
 * HTML for the interaction (login and consent) pages. Every value that comes from a request,
 * a token or the realm is escaped: `purpose` in particular is attacker-controlled text
 * (wire notes §7.10).
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`=/]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A tagged template that escapes every interpolated value unless it is already `SafeHtml`. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) out += item instanceof SafeHtml ? item.value : escapeHtml(item === undefined || item === null ? '' : String(item));
    out += strings[i + 1] ?? '';
  });
  return new SafeHtml(out);
}

export function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#222}
dt{font-weight:600;margin-top:.6rem}dd{margin:0}.error{color:#a00}button{margin-right:.5rem;padding:.4rem 1rem}
label{display:block;margin-top:.6rem}input[type=text],input[type=password]{width:100%;padding:.3rem}</style>
</head><body>${body}</body></html>`.value;
}

/** Headers for every interaction page: no caching, no framing, no scripts, forms only to us. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
});
