/**
 * `GET|POST {issuer}/protocol/aauth/interact` — where the user decides a pending request
 * (2026-03 §User Interaction; auth-server contract "Consent").
 *
 * Flow: `GET` without a code shows a form to type one in (manual entry), which comes back as
 * `GET ?code=`; `GET ?code=` shows a login form (username pre-filled from `login_hint`); `POST step=login`
 * checks the realm user's password and shows the consent form — agent (client name and id),
 * resource, scopes (consent text) and `purpose` — carrying a one-time ticket bound to that user;
 * `POST step=consent` with `decision=approve|deny` and the ticket records the answer, which the
 * agent then learns by polling. The code only correlates; the decision needs the login. A
 * `callback` on the agent's origin (or loopback) given with the code gets a `303` once the user
 * has decided; any other is refused before the login. Opening a code spends it: opened again, it
 * ends its request (`invalid_code` at the next poll). `tenant` and `domain_hint` from the token
 * request are shown with the purpose.
 */
import { randomBytes } from 'node:crypto';
import { PROFILE } from '@aauth-ts/core';
import { endpointUrls, type AuthServerContext } from '../context.js';
import type { RealmUser } from '../realm/types.js';
import type { PendingRequest } from '../stores/pending-store.js';
import { callbackAllowed } from './callback.js';
import { html } from './html.js';
import { decidedPage, field, logIn, respond, sameText, tooManyAttempts, type Form, type PageResponse } from './page-parts.js';

export type { PageResponse } from './page-parts.js';

function notFound(): PageResponse {
  return respond(400, 'Request not found', html`<h1>Request not found</h1><p class="error">This code is unknown, already used, or expired. Return to the application and start again.</p>`);
}

/** §User Interaction, manual entry: the agent showed the endpoint and the code separately. */
function codeEntryPage(ctx: AuthServerContext, callback: string | undefined): PageResponse {
  const action = endpointUrls(ctx.issuer()).interaction_endpoint;
  const params = PROFILE.interaction;
  return respond(200, `Enter your code for ${ctx.realm.displayName}`, html`<h1>Enter your code</h1>
<p>Type the code the application showed you.</p>
<form method="get" action="${action}">
${callback === undefined ? '' : html`<input type="hidden" name="${params.callback}" value="${callback}">`}
<label for="code">Code</label><input type="text" id="code" name="${params.code}" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" required>
<p><button type="submit">Continue</button></p>
</form>`);
}

function callbackRefused(): PageResponse {
  return respond(400, 'Return address refused', html`<h1>Return address refused</h1><p class="error">The application asked to be sent back to an address that is not its own. Return to the application and start again.</p>`);
}

/**
 * A typed code as the agent may display it: hyphens inserted for readability (§User Interaction:
 * the code itself never contains one), spaces, lower case.
 */
function normaliseCode(code: string): string {
  return code.replace(/[-\s]/g, '').toUpperCase();
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
${entry.tenant ? html`<dt>Tenant</dt><dd>${entry.tenant}</dd>` : ''}
${entry.domainHint ? html`<dt>Domain</dt><dd>${entry.domainHint}</dd>` : ''}
<dt>Code</dt><dd><code>${entry.code}</code></dd>
</dl>
<form method="post" action="${action}">
<input type="hidden" name="step" value="consent"><input type="hidden" name="code" value="${entry.code}"><input type="hidden" name="ticket" value="${ticket}">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`, entry.callback);
}


export interface InteractionQuery {
  readonly code: string | undefined;
  readonly callback: string | undefined;
}

/**
 * `GET {interaction_endpoint}`. `client` is the address the request came from: codes that name no
 * live request count against it (`LoginThrottle.guesses`), so the form cannot be used to search
 * the code space.
 */
export async function showInteraction(ctx: AuthServerContext, query: InteractionQuery, client: string): Promise<PageResponse> {
  if (query.code === undefined || query.code.trim() === '') return codeEntryPage(ctx, query.callback);
  const now = ctx.now();
  const wait = await ctx.logins.guesses.retryAfter(client, now);
  if (wait > 0) return tooManyAttempts(wait);
  const entry = await ctx.pending.byCode(normaliseCode(query.code), now);
  if (!entry) {
    await ctx.logins.guesses.fail(client, now);
    return notFound();
  }
  if (query.callback !== undefined && !callbackAllowed(query.callback, entry.grant.agent)) return callbackRefused();
  if (entry.status === 'interacting') {
    // §Interaction Code Security: a code is single use. Presented again, it has reached a second
    // browser (forwarded, or intercepted): the request ends, and its poll answers `invalid_code`.
    await ctx.pending.decide(entry, { status: 'code_reused' });
    return notFound();
  }
  entry.callback = query.callback;
  // Opened by two browsers at once on two instances: only one opens it, the other is not shown it.
  if (!(await ctx.pending.open(entry))) return notFound();
  return loginPage(ctx, entry);
}

function decided(entry: PendingRequest, title: string, text: string): PageResponse {
  return decidedPage(entry.callback, title, text);
}

export async function submitInteraction(ctx: AuthServerContext, form: Form): Promise<PageResponse> {
  const code = field(form, 'code');
  const entry = code === undefined ? undefined : await ctx.pending.byCode(code, ctx.now());
  if (!entry) return notFound();
  // A login posted without opening the code first still spends it.
  if (entry.status === 'pending' && !(await ctx.pending.open(entry))) return notFound();
  const step = field(form, 'step');
  if (step === 'login') {
    const user = await logIn(ctx, entry.code, form);
    if (user === 'invalid') return loginPage(ctx, entry, 'Invalid username or password.');
    if (!('id' in user)) return user;
    if (entry.grant.requiredUser !== undefined && entry.grant.requiredUser !== user.id) {
      return loginPage(ctx, entry, 'This request was made on behalf of another user.');
    }
    const ticket = randomBytes(24).toString('base64url');
    entry.consentTicket = { value: ticket, userId: user.id };
    if (!(await ctx.pending.save(entry))) return notFound();
    return consentPage(ctx, entry, user, ticket);
  }
  if (step === 'consent') {
    const ticket = field(form, 'ticket') ?? '';
    const held = entry.consentTicket;
    if (!held || !sameText(held.value, ticket)) return loginPage(ctx, entry, 'Your session has ended; sign in again.');
    entry.consentTicket = undefined;
    const decision = field(form, 'decision');
    // The ticket is spent with the decision: a second submission (here or on another instance) finds the request decided.
    if (decision === 'approve') {
      if (!(await ctx.pending.decide(entry, { status: 'approved', sub: held.userId }))) return notFound();
      return decided(entry, 'Access granted', 'You may close this window and return to the application.');
    }
    if (!(await ctx.pending.decide(entry, { status: 'denied' }))) return notFound();
    return decided(entry, 'Access denied', 'The application was told you declined. You may close this window.');
  }
  return loginPage(ctx, entry, 'Unexpected form submission; sign in again.');
}
