/**
 * What the interaction pages of both profiles share: the page answer, the form reader, the
 * throttled password login (auth-server contract "Consent": per code and per user, counted before
 * the password is looked at), the one-time consent ticket and the answer once the person decided.
 */
import { timingSafeEqual } from 'node:crypto';
import type { AuthServerContext } from '../context.js';
import { verifyPassword } from '../realm/password.js';
import type { RealmUser } from '../realm/types.js';
import { html, page, PAGE_HEADERS, pageHeadersReturningTo, type SafeHtml } from './html.js';

export interface PageResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type Form = Readonly<Record<string, unknown>>;

export function field(form: Form, name: string): string | undefined {
  const value = form[name];
  return typeof value === 'string' ? value : undefined;
}

/** `returnsTo`: the validated callback the page's form may end at (see `pageHeadersReturningTo`). */
export function respond(status: number, title: string, body: SafeHtml, returnsTo?: string): PageResponse {
  return { status, headers: pageHeadersReturningTo(returnsTo), body: page(title, body) };
}

/** 429 while a code or a user is locked (see `LoginThrottle`); the password is not looked at. */
export function tooManyAttempts(retryAfter: number): PageResponse {
  const out = respond(429, 'Too many attempts', html`<h1>Too many attempts</h1><p class="error" role="alert">Too many failed attempts. Try again in ${Math.ceil(retryAfter / 60)} minute(s).</p>`);
  return { ...out, headers: { ...out.headers, 'Retry-After': String(retryAfter) } };
}

export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The login step for the request behind `code`: the realm user, `'invalid'` for a wrong username or
 * password (or a disabled user), or a page to answer at once (locked out).
 */
export async function logIn(ctx: AuthServerContext, code: string, form: Form): Promise<RealmUser | 'invalid' | PageResponse> {
  const username = (field(form, 'username') ?? '').trim().toLowerCase();
  const user = ctx.realm.users.get(username);
  const wait = await ctx.logins.retryAfter(code, user?.id, ctx.now());
  if (wait > 0) return tooManyAttempts(wait);
  // Counted as a failure before the (asynchronous) password check and cleared on success, so
  // guesses sent in parallel cannot all pass the check above before the first one is counted.
  await ctx.logins.failed(code, user?.id, ctx.now());
  const matches = await verifyPassword(user?.password, field(form, 'password') ?? '');
  if (!user || !user.enabled || !matches) return 'invalid';
  await ctx.logins.succeeded(code, user.id);
  return user;
}

/** After the decision: `303` to the agent's callback when it gave one, else a page saying so. */
export function decidedPage(callback: string | undefined, title: string, text: string): PageResponse {
  if (callback !== undefined) return { status: 303, headers: { ...PAGE_HEADERS, Location: callback }, body: '' };
  return respond(200, title, html`<h1>${title}</h1><p>${text}</p>`);
}
