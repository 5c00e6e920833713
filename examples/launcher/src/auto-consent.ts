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

interface Page {
  /** The URL that answered (after redirects). */
  readonly url: URL;
  readonly status: number;
  readonly body: string;
}

const MAX_PAGE = 256 * 1024;
const MAX_REDIRECTS = 10;

const toLoopback: LookupFunction = (_host, options, callback) => {
  const done = callback as (err: Error | null, address: string | { address: string; family: number }[], family?: number) => void;
  if ((options as { all?: boolean }).all) done(null, [{ address: '127.0.0.1', family: 4 }]);
  else done(null, '127.0.0.1', 4);
};

const isLocalhostName = (host: string): boolean => (host === 'localhost' || host.endsWith('.localhost')) && isLoopbackHost(host);

/** Cookies by host name: enough for one login on one auth server (no paths, no expiry beyond deletion). */
class CookieJar {
  readonly #byHost = new Map<string, Map<string, string>>();

  store(url: URL, setCookie: readonly string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const jar = this.#byHost.get(url.hostname) ?? new Map<string, string>();
      this.#byHost.set(url.hostname, jar);
      const name = pair.slice(0, eq).trim();
      // Servers delete a cookie by sending it already expired (RFC 6265 §5.3).
      if (attributes.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a))) jar.delete(name);
      else jar.set(name, pair.slice(eq + 1).trim());
    }
  }

  header(url: URL): string | undefined {
    const jar = this.#byHost.get(url.hostname);
    return jar && jar.size > 0 ? [...jar].map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
  }
}

function requestOnce(url: URL, method: 'GET' | 'POST', form: URLSearchParams | undefined, cookies: CookieJar, development: boolean): Promise<{ status: number; location: string | undefined; body: string }> {
  const client = url.protocol === 'https:' ? https : http;
  const body = form?.toString();
  const headers: Record<string, string> = { accept: 'text/html' };
  const cookie = cookies.header(url);
  if (cookie !== undefined) headers.cookie = cookie;
  if (body !== undefined) {
    headers[PROFILE.headers.contentType] = 'application/x-www-form-urlencoded';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method,
      headers,
      ...(development && isLocalhostName(url.hostname) ? { lookup: toLoopback } : {}),
      timeout: 60_000, // a Keycloak under load renders its first login page slowly
      agent: false,
    });
    req.on('timeout', () => req.destroy(new ConsentError(`${method} ${url.href} timed out`)));
    req.on('error', reject);
    req.on('response', (res) => {
      cookies.store(url, res.headers['set-cookie']);
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_PAGE) req.destroy(new ConsentError(`${url.href}: page larger than ${MAX_PAGE} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.end(body);
  });
}

/** One navigation: the request, then its redirects (as GETs, RFC 9110 §15.4), sharing the cookie jar. */
async function navigate(url: URL, method: 'GET' | 'POST', form: URLSearchParams | undefined, cookies: CookieJar, development: boolean): Promise<Page> {
  let target = url;
  let answer = await requestOnce(target, method, form, cookies, development);
  for (let hop = 0; answer.status >= 300 && answer.status < 400 && answer.location !== undefined; hop++) {
    if (hop >= MAX_REDIRECTS) throw new ConsentError(`more than ${MAX_REDIRECTS} redirects from ${url.href}`);
    target = new URL(answer.location, target);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new ConsentError(`redirect to ${target.protocol} refused`);
    answer = await requestOnce(target, 'GET', undefined, cookies, development);
  }
  return { url: target, status: answer.status, body: answer.body };
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

function readOneForm(open: string, inner: string): HtmlForm {
  const hidden: [string, string][] = [];
  const inputs: string[] = [];
  const buttons: [string, string][] = [];
  for (const [tag] of inner.matchAll(/<input\b[^>]*>/gi)) {
    const name = attr(tag, 'name');
    if (name === undefined) continue;
    const type = (attr(tag, 'type') ?? 'text').toLowerCase();
    if (type === 'hidden') hidden.push([name, attr(tag, 'value') ?? '']);
    else if (type === 'submit') buttons.push([name, attr(tag, 'value') ?? '']);
    else inputs.push(name);
  }
  for (const [tag] of inner.matchAll(/<button\b[^>]*>/gi)) {
    const name = attr(tag, 'name');
    const type = (attr(tag, 'type') ?? 'submit').toLowerCase();
    if (name !== undefined && type === 'submit') buttons.push([name, attr(tag, 'value') ?? '']);
  }
  return { action: attr(`<form ${open}>`, 'action'), hidden, inputs, buttons };
}

/** Every `<form>` of an HTML page, in page order, read with patterns good enough for known pages. */
export function readForms(html: string): HtmlForm[] {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map(([, open = '', inner = '']) => readOneForm(open, inner));
}

/** The first `<form>` of an HTML page. */
export function readForm(html: string): HtmlForm | undefined {
  return readForms(html)[0];
}

const USERNAME_FIELDS = ['username', 'login', 'email'] as const;

function submit(page: Page, form: HtmlForm, fields: readonly (readonly [string, string])[], cookies: CookieJar, development: boolean): Promise<Page> {
  const data = new URLSearchParams([...form.hidden, ...fields].map(([k, v]) => [k, v]));
  return navigate(new URL(form.action ?? page.url.href, page.url), 'POST', data, cookies, development);
}

function pageText(page: Page): string {
  return page.body.replace(/<script\b[\s\S]*?<\/script>/gi, ' ').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300);
}

export type ConsentDecision = 'approve' | 'deny';

/**
 * Log in as `username` and approve the request behind `interactionUrl`. Resolves once the auth
 * server has recorded the approval; the agent learns it by polling.
 */
export function approveConsent(interactionUrl: string, user: { username: string; password: string }, development: boolean): Promise<void> {
  return decideConsent(interactionUrl, user, development, 'approve');
}

/**
 * Log in as `username` and answer the consent page with `decision`. Walks at most a few pages:
 * a form with a `password` input is a login form (filled and submitted, following redirects);
 * a form with a submit button whose value is `decision` is the consent form (submitted, done).
 */
export async function decideConsent(interactionUrl: string, user: { username: string; password: string }, development: boolean, decision: ConsentDecision): Promise<void> {
  const cookies = new CookieJar();
  let page = await navigate(new URL(interactionUrl), 'GET', undefined, cookies, development);
  if (page.status !== 200) throw new ConsentError(`the interaction page answered HTTP ${page.status}: ${pageText(page)}`);
  let loggedIn = false;
  for (let step = 0; step < 4; step++) {
    const forms = readForms(page.body);
    const login = forms.find((f) => f.inputs.includes('password'));
    if (login) {
      if (loggedIn) throw new ConsentError(`logging in as ${user.username} failed: ${pageText(page)}`);
      loggedIn = true;
      const userField = USERNAME_FIELDS.find((name) => login.inputs.includes(name)) ?? 'username';
      const fields: [string, string][] = [[userField, user.username], ['password', user.password]];
      const button = login.buttons[0];
      if (button) fields.push([button[0], button[1]]);
      page = await submit(page, login, fields, cookies, development);
      if (page.status !== 200) throw new ConsentError(`logging in as ${user.username} failed (HTTP ${page.status}): ${pageText(page)}`);
      continue;
    }
    const consent = forms.find((f) => f.buttons.some(([, value]) => value === decision));
    if (!consent) break;
    const button = consent.buttons.find(([, value]) => value === decision) as readonly [string, string];
    const done = await submit(page, consent, [button], cookies, development);
    if (done.status !== 200) throw new ConsentError(`answering "${decision}" failed (HTTP ${done.status}): ${pageText(done)}`);
    return;
  }
  throw new ConsentError(`no login or "${decision}" form at ${page.url.href} (HTTP ${page.status}): ${pageText(page)}`);
}
