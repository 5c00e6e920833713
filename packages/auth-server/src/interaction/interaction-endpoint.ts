/**
 * `GET|POST {issuer}/protocol/aauth/interact` — where the user decides a pending request
 * (2026-03 §User Interaction; auth-server contract "Consent").
 *
 * Flow: `GET ?code=` shows a login form (username pre-filled from `login_hint`); `POST step=login`
 * checks the realm user's password and shows the consent form — agent (client name and id),
 * resource, scopes (consent text) and `purpose` — carrying a one-time ticket bound to that user;
 * `POST step=consent` with `decision=approve|deny` and the ticket records the answer, which the
 * agent then learns by polling. The code only correlates; the decision needs the login.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { endpointUrls, type AuthServerContext } from '../context.js';
import { verifyPassword } from '../realm/password.js';
import type { RealmUser } from '../realm/types.js';
import type { PendingRequest } from '../stores/pending-store.js';
import { html, page, PAGE_HEADERS, type SafeHtml } from './html.js';

export interface PageResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

type Form = Readonly<Record<string, unknown>>;

function field(form: Form, name: string): string | undefined {
  const value = form[name];
  return typeof value === 'string' ? value : undefined;
}

function respond(status: number, title: string, body: SafeHtml): PageResponse {
  return { status, headers: PAGE_HEADERS, body: page(title, body) };
}

function notFound(): PageResponse {
  return respond(400, 'Request not found', html`<h1>Request not found</h1><p class="error">This code is unknown, already used, or expired. Return to the application and start again.</p>`);
}

function loginPage(ctx: AuthServerContext, entry: PendingRequest, error?: string): PageResponse {
  const action = endpointUrls(ctx.issuer()).interaction_endpoint;
  return respond(error ? 401 : 200, `Sign in to ${ctx.realm.displayName}`, html`<h1>Sign in to ${ctx.realm.displayName}</h1>
<p>An application is asking for access on your behalf. Sign in to review it.</p>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="${action}">
<input type="hidden" name="step" value="login"><input type="hidden" name="code" value="${entry.code}">
<label for="username">Username</label><input type="text" id="username" name="username" autocomplete="username" value="${entry.loginHint ?? ''}">
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password">
<p><button type="submit" name="login" value="login">Sign in</button></p>
</form>`);
}

function consentPage(ctx: AuthServerContext, entry: PendingRequest, user: RealmUser, ticket: string): PageResponse {
  const realm = ctx.realm;
  const agent = realm.clients.get(entry.grant.agent);
  const resource = realm.clients.get(entry.grant.aud);
  const scopes = entry.grant.scopes.map((name) => html`<li><code>${name}</code> — ${realm.scopes.get(name)?.consentText ?? name}</li>`);
  const action = endpointUrls(ctx.issuer()).interaction_endpoint;
  return respond(200, 'Grant access?', html`<h1>Grant access?</h1>
<p>Signed in as <strong>${user.username}</strong>.</p>
<dl>
<dt>Application (agent)</dt><dd>${agent?.name ?? entry.grant.agent} <small>(${entry.grant.agent})</small></dd>
<dt>Wants to access</dt><dd>${resource?.name ?? entry.grant.aud} <small>(${entry.grant.aud})</small></dd>
<dt>Permissions</dt><dd>${scopes.length > 0 ? html`<ul>${scopes}</ul>` : html`<em>none beyond your identity</em>`}</dd>
${entry.purpose ? html`<dt>Stated purpose</dt><dd>${entry.purpose}</dd>` : ''}
<dt>Code</dt><dd><code>${entry.code}</code></dd>
</dl>
<form method="post" action="${action}">
<input type="hidden" name="step" value="consent"><input type="hidden" name="code" value="${entry.code}"><input type="hidden" name="ticket" value="${ticket}">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`);
}

/** 429 while a code or a user is locked (see `LoginThrottle`); the password is not looked at. */
function tooManyAttempts(retryAfter: number): PageResponse {
  const page = respond(429, 'Too many attempts', html`<h1>Too many attempts</h1><p class="error" role="alert">Too many failed sign-ins. Try again in ${Math.ceil(retryAfter / 60)} minute(s).</p>`);
  return { ...page, headers: { ...page.headers, 'Retry-After': String(retryAfter) } };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function showInteraction(ctx: AuthServerContext, code: string | undefined): PageResponse {
  const entry = code === undefined ? undefined : ctx.pending.byCode(code, ctx.now());
  if (!entry) return notFound();
  entry.status = 'interacting';
  return loginPage(ctx, entry);
}

export async function submitInteraction(ctx: AuthServerContext, form: Form): Promise<PageResponse> {
  const code = field(form, 'code');
  const entry = code === undefined ? undefined : ctx.pending.byCode(code, ctx.now());
  if (!entry) return notFound();
  const step = field(form, 'step');
  if (step === 'login') {
    const username = (field(form, 'username') ?? '').trim().toLowerCase();
    const user = ctx.realm.users.get(username);
    const wait = ctx.logins.retryAfter(entry.code, user?.id, ctx.now());
    if (wait > 0) return tooManyAttempts(wait);
    // Counted as a failure before the (asynchronous) password check and cleared on success, so
    // guesses sent in parallel cannot all pass the check above before the first one is counted.
    ctx.logins.failed(entry.code, user?.id, ctx.now());
    const matches = await verifyPassword(user?.password, field(form, 'password') ?? '');
    if (!user || !user.enabled || !matches) return loginPage(ctx, entry, 'Invalid username or password.');
    ctx.logins.succeeded(entry.code, user.id);
    if (entry.grant.requiredUser !== undefined && entry.grant.requiredUser !== user.id) {
      return loginPage(ctx, entry, 'This request was made on behalf of another user.');
    }
    const ticket = randomBytes(24).toString('base64url');
    entry.consentTicket = { value: ticket, userId: user.id };
    return consentPage(ctx, entry, user, ticket);
  }
  if (step === 'consent') {
    const ticket = field(form, 'ticket') ?? '';
    const held = entry.consentTicket;
    if (!held || !sameText(held.value, ticket)) return loginPage(ctx, entry, 'Your session has ended; sign in again.');
    entry.consentTicket = undefined;
    const decision = field(form, 'decision');
    if (decision === 'approve') {
      entry.status = 'approved';
      entry.sub = held.userId;
      return respond(200, 'Access granted', html`<h1>Access granted</h1><p>You may close this window and return to the application.</p>`);
    }
    entry.status = 'denied';
    return respond(200, 'Access denied', html`<h1>Access denied</h1><p>The application was told you declined. You may close this window.</p>`);
  }
  return loginPage(ctx, entry, 'Unexpected form submission; sign in again.');
}
