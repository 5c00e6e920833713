/**
 * HTML for the interaction (login and consent) pages. Every value that comes from a request,
 * a token or the realm is escaped: `purpose` in particular is attacker-controlled text
 * (wire notes §7.10).
 */
import { escapeHtml } from '@aauth-ts/core';

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

function csp(formAction: string): string {
  return `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'`;
}

/** Headers for every interaction page: no caching, no framing, no scripts, forms only to us. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': csp("'self'"),
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
});

/**
 * Headers for a page whose form is answered with a 303 to `callback`: a browser checks
 * `form-action` against every redirect of a form submission (CSP3 §form-action), so the
 * callback's origin is named beside 'self'. Only a callback that passed `callbackAllowed`, and
 * only its origin (a URL parser's output: no quote, space or semicolon can reach the header).
 */
export function pageHeadersReturningTo(callback: string | undefined): Readonly<Record<string, string>> {
  if (callback === undefined) return PAGE_HEADERS;
  return { ...PAGE_HEADERS, 'Content-Security-Policy': csp(`'self' ${new URL(callback).origin}`) };
}
