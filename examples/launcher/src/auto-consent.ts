/**
 * Approve a pending request the way a person would, over HTTP: open the interaction page, log in
 * with the demo user's password, then submit the consent form with "approve". Used by
 * `npm run demo -- --once`, against the embedded server (its own login and consent forms) and
 * against Keycloak (its login page behind redirects and cookies, then the AAuth provider's consent
 * page, which also checks Keycloak's identity cookie). So this is a minimal browser: a cookie jar
 * per host, redirects followed by hand, and forms read from the page (action and hidden fields).
 * Nothing depends on how a server names its fields beyond a `password` input next to a user-name
 * input on the login form and a submit button whose value is the decision on the consent form.
 *
 * `localhost` and `*.localhost` are connected to 127.0.0.1 (RFC 6761 §6.3) in development mode.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { PROFILE, isLoopbackHost } from '@aauth-ts/core';

export class ConsentError extends Error {
  override readonly name = 'ConsentError';
  readonly code = 'consent_failed';
}

interface Page { readonly status: number; readonly body: string }

const MAX_PAGE = 256 * 1024;

const toLoopback: LookupFunction = (_host, options, callback) => {
  const done = callback as (err: Error | null, address: string | { address: string; family: number }[], family?: number) => void;
  if ((options as { all?: boolean }).all) done(null, [{ address: '127.0.0.1', family: 4 }]);
  else done(null, '127.0.0.1', 4);
};

function request(url: URL, method: 'GET' | 'POST', form: URLSearchParams | undefined, development: boolean): Promise<Page> {
  const client = url.protocol === 'https:' ? https : http;
  const body = form?.toString();
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method,
      headers: body === undefined ? { accept: 'text/html' } : { accept: 'text/html', [PROFILE.headers.contentType]: 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) },
      ...(development && url.hostname.endsWith('.localhost') && isLoopbackHost(url.hostname) ? { lookup: toLoopback } : {}),
      timeout: 10_000,
      agent: false,
    });
    req.on('timeout', () => req.destroy(new ConsentError(`${method} ${url.href} timed out`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_PAGE) req.destroy(new ConsentError(`${url.href}: page larger than ${MAX_PAGE} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.end(body);
  });
}

const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Undo HTML character references: named (the XML five) and numeric (`&#47;`, `&#x2F;`). */
export function unescapeHtml(text: string): string {
  return text.replace(/&(#[0-9]{1,7}|#x[0-9a-f]{1,6}|[a-z]+);/gi, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}

function attr(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return match?.[1] === undefined ? undefined : unescapeHtml(match[1]);
}

export interface HtmlForm {
  readonly action: string | undefined;
  /** Hidden inputs, in page order. */
  readonly hidden: readonly (readonly [string, string])[];
  /** Names of the visible inputs. */
  readonly inputs: readonly string[];
  /** Submit buttons: name and value. */
  readonly buttons: readonly (readonly [string, string])[];
}

/** The first `<form>` of an HTML page, read with patterns good enough for a known page. */
export function readForm(html: string): HtmlForm | undefined {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const [, open = '', inner = ''] = form;
  const hidden: [string, string][] = [];
  const inputs: string[] = [];
  for (const [tag] of inner.matchAll(/<input\b[^>]*>/gi)) {
    const name = attr(tag, 'name');
    if (name === undefined) continue;
    if ((attr(tag, 'type') ?? 'text').toLowerCase() === 'hidden') hidden.push([name, attr(tag, 'value') ?? '']);
    else inputs.push(name);
  }
  const buttons: [string, string][] = [];
  for (const [tag] of inner.matchAll(/<button\b[^>]*>/gi)) {
    const name = attr(tag, 'name');
    if (name !== undefined) buttons.push([name, attr(tag, 'value') ?? '']);
  }
  return { action: attr(`<form ${open}>`, 'action'), hidden, inputs, buttons };
}

async function submit(page: Page, base: URL, fill: (form: HtmlForm) => [string, string][], development: boolean, what: string): Promise<Page> {
  const form = readForm(page.body);
  if (!form) throw new ConsentError(`the ${what} page has no form (HTTP ${page.status})`);
  const data = new URLSearchParams([...form.hidden, ...fill(form)].map(([k, v]) => [k, v]));
  return request(new URL(form.action ?? base.href, base), 'POST', data, development);
}

export type ConsentDecision = 'approve' | 'deny';

/**
 * Log in as `username` and approve the request behind `interactionUrl`. Resolves once the auth
 * server has recorded the approval; the agent learns it by polling.
 */
export function approveConsent(interactionUrl: string, user: { username: string; password: string }, development: boolean): Promise<void> {
  return decideConsent(interactionUrl, user, development, 'approve');
}

/** Log in as `username` and answer the consent page with `decision`. */
export async function decideConsent(interactionUrl: string, user: { username: string; password: string }, development: boolean, decision: ConsentDecision): Promise<void> {
  const url = new URL(interactionUrl);
  const login = await request(url, 'GET', undefined, development);
  if (login.status !== 200) throw new ConsentError(`the interaction page answered HTTP ${login.status}`);
  const consent = await submit(login, url, (form) => {
    const fields: [string, string][] = [];
    if (form.inputs.includes('username')) fields.push(['username', user.username]);
    if (form.inputs.includes('password')) fields.push(['password', user.password]);
    const button = form.buttons[0];
    if (button) fields.push([button[0], button[1]]);
    return fields;
  }, development, 'login');
  if (consent.status !== 200) throw new ConsentError(`logging in as ${user.username} failed (HTTP ${consent.status})`);
  const done = await submit(consent, url, (form) => {
    const button = form.buttons.find(([, value]) => value === decision);
    if (!button) throw new ConsentError(`the consent page has no "${decision}" button`);
    return [[button[0], button[1]]];
  }, development, 'consent');
  if (done.status !== 200) throw new ConsentError(`answering "${decision}" failed (HTTP ${done.status})`);
}
