/**
 * `GET|POST {issuer}/protocol/aauth/ps/interaction` — where the person decides what an agent asked
 * the Person Server for (draft-hardt-oauth-aauth-protocol §User Interaction, §Interaction Code
 * Format, §PS Approval Endpoint Authentication, §Agent-Person Binding).
 *
 * `GET` without a code shows a form to type one; `GET ?code=` (hyphens, spaces and case ignored,
 * `I`/`L` read as `1`, `O` as `0`) spends the code and shows the login form; `POST step=login`
 * checks a realm user's password and shows the review — the agent (identifier and agent provider;
 * "new agent" when it is not yet bound to anyone), the sub-agent, and what is asked: a person token
 * for a resource, an auth token (resource, scopes), a mission (description, tools, resources) or a
 * mission's completion (summary) — with a one-time ticket bound to that user; `POST step=consent`
 * records approve or deny. Only the person bound to the agent may decide; an unbound agent is bound
 * to the person who approves. The code only correlates (§Interaction Code Format: "the code alone
 * MUST NOT authorize the decision"); opened twice it ends its request (`invalid_code` at the poll).
 * Agent-supplied text (justification, description, summary, tool names) is shown as escaped text.
 */
import { randomBytes } from 'node:crypto';
import { decodeMission } from '@aauth-ts/core';
import { ENDPOINT_PATHS, type AuthServerContext } from '../context.js';
import { callbackAllowed } from '../interaction/callback.js';
import { html, type SafeHtml } from '../interaction/html.js';
import { decidedPage, field, logIn, respond, sameText, tooManyAttempts, type Form, type PageResponse } from '../interaction/page-parts.js';
import type { RealmUser } from '../realm/types.js';
import type { PendingRequest } from '../stores/pending-store.js';
import { approveMission } from './missions.js';
import type { PersonServerState, PsGrant } from './state.js';

type Entry = PendingRequest<PsGrant>;

function action(ctx: AuthServerContext): string {
  return `${ctx.issuer()}${ENDPOINT_PATHS.psInteraction}`;
}

/** §Interaction Code Format: hyphens are presentational, case does not matter, I/L → 1, O → 0. */
export function normaliseCode(code: string): string {
  return code.replace(/[-\s]/g, '').toUpperCase().replace(/[IL]/g, '1').replace(/O/g, '0');
}

function notFound(): PageResponse {
  return respond(400, 'Request not found', html`<h1>Request not found</h1><p class="error">This code is unknown, already used, expired or withdrawn. Return to the application and start again.</p>`);
}

function codeEntryPage(ctx: AuthServerContext, callback: string | undefined): PageResponse {
  return respond(200, `Enter your code for ${ctx.realm.displayName}`, html`<h1>Enter your code</h1>
<p>Type the code the application showed you.</p>
<form method="get" action="${action(ctx)}">
${callback === undefined ? '' : html`<input type="hidden" name="callback" value="${callback}">`}
<label for="code">Code</label><input type="text" id="code" name="code" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" required>
<p><button type="submit">Continue</button></p>
</form>`);
}

function loginPage(ctx: AuthServerContext, entry: Entry, error?: string): PageResponse {
  return respond(error ? 401 : 200, `Sign in to ${ctx.realm.displayName}`, html`<h1>Sign in to ${ctx.realm.displayName}</h1>
<p>An agent is asking to act for you. Sign in to review it.</p>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="${action(ctx)}">
<input type="hidden" name="step" value="login"><input type="hidden" name="code" value="${entry.code}">
<label for="username">Username</label><input type="text" id="username" name="username" autocomplete="username">
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password">
<p><button type="submit" name="login" value="login">Sign in</button></p>
</form>`);
}

function clientName(ctx: AuthServerContext, id: string): SafeHtml {
  const client = ctx.realm.clients.get(id);
  return client === undefined ? html`<code>${id}</code>` : html`${client.name} <small>(${id})</small>`;
}

/** What is being asked, by kind of request. */
async function question(ctx: AuthServerContext, ps: PersonServerState, grant: PsGrant): Promise<{ title: string; body: SafeHtml }> {
  switch (grant.kind) {
    case 'person_token':
      return { title: 'Let this agent identify you?', body: html`<dt>To the resource</dt><dd>${clientName(ctx, grant.resource)}</dd>
<dd><small>The resource learns an identifier for you that only it receives. It may serve the agent on that alone.</small></dd>` };
    case 'auth_token': {
      const scopes = grant.scopes.map((name) => html`<li><code>${name}</code> — ${ctx.realm.scopes.get(name)?.consentText ?? name}</li>`);
      return { title: 'Grant access?', body: html`<dt>Wants to access</dt><dd>${clientName(ctx, grant.resource)}</dd>
<dt>Permissions</dt><dd>${scopes.length > 0 ? html`<ul>${scopes}</ul>` : html`<em>none beyond your identity</em>`}</dd>` };
    }
    case 'mission': {
      const tools = (grant.tools ?? []).map((t) => html`<li><code>${t.name}</code> — ${t.description}</li>`);
      const resources = (grant.resources ?? []).map((r) => html`<li>${clientName(ctx, r)}</li>`);
      return { title: 'Approve this mission?', body: html`<dt>Mission</dt><dd><pre style="white-space:pre-wrap">${grant.description}</pre></dd>
${tools.length > 0 ? html`<dt>Tools</dt><dd><ul>${tools}</ul></dd>` : ''}
${resources.length > 0 ? html`<dt>Resources (the agent receives a person token for each)</dt><dd><ul>${resources}</ul></dd>` : ''}` };
    }
    case 'completion': {
      const mission = await ps.missions.get(grant.s256, ctx.now());
      const description = mission === undefined ? '' : decodeMission(mission.blob, { allowLoopbackHttp: true, exact: [ctx.issuer()] }).blob.description;
      return { title: 'Is this mission complete?', body: html`<dt>Mission</dt><dd><pre style="white-space:pre-wrap">${description}</pre></dd>
<dt>The agent reports</dt><dd><pre style="white-space:pre-wrap">${grant.summary}</pre></dd>
<dd><small>Accepting ends the mission for good.</small></dd>` };
    }
  }
}

async function reviewPage(ctx: AuthServerContext, ps: PersonServerState, entry: Entry, user: RealmUser, ticket: string): Promise<PageResponse> {
  const grant = entry.grant;
  const { title, body } = await question(ctx, ps, grant);
  return respond(200, title, html`<h1>${title}</h1>
<p>Signed in as <strong>${user.username}</strong>.</p>
<dl>
<dt>Agent</dt><dd><code>${grant.agent}</code>${grant.requiredUser === undefined && grant.upstream === undefined ? html` <strong>(new agent: approving lets it act for you from now on)</strong>` : ''}</dd>
<dt>Agent provider</dt><dd>${clientName(ctx, grant.provider)}</dd>
${grant.subagent === undefined ? '' : html`<dt>For its sub-agent</dt><dd><code>${grant.subagent}</code></dd>`}
${grant.upstream === undefined ? '' : html`<dt>On your behalf</dt><dd>This service is asking while handling a request you authorised (call chaining).</dd>`}
${body}
${grant.justification === undefined ? '' : html`<dt>The agent says</dt><dd><pre style="white-space:pre-wrap">${grant.justification}</pre></dd>`}
<dt>Code</dt><dd><code>${entry.code}</code></dd>
</dl>
<form method="post" action="${action(ctx)}">
<input type="hidden" name="step" value="consent"><input type="hidden" name="code" value="${entry.code}"><input type="hidden" name="ticket" value="${ticket}">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`, entry.callback);
}

export async function showPsInteraction(ctx: AuthServerContext, ps: PersonServerState, query: { code: string | undefined; callback: string | undefined }, client: string): Promise<PageResponse> {
  if (query.code === undefined || query.code.trim() === '') return codeEntryPage(ctx, query.callback);
  const now = ctx.now();
  const wait = await ctx.logins.guesses.retryAfter(client, now);
  if (wait > 0) return tooManyAttempts(wait);
  const entry = await ps.pending.byCode(normaliseCode(query.code), now);
  if (!entry) {
    await ctx.logins.guesses.fail(client, now);
    return notFound();
  }
  if (query.callback !== undefined && !callbackAllowed(query.callback, entry.grant.provider)) {
    return respond(400, 'Return address refused', html`<h1>Return address refused</h1><p class="error">The application asked to be sent back to an address that is not its own.</p>`);
  }
  if (entry.status === 'interacting') {
    await ps.pending.decide(entry, { status: 'code_reused' });
    return notFound();
  }
  entry.callback = query.callback;
  // Opened by two browsers at once on two instances: only one opens it, the other is not shown it.
  if (!(await ps.pending.open(entry))) return notFound();
  return loginPage(ctx, entry);
}

function decided(entry: Entry, title: string, text: string): PageResponse {
  return decidedPage(entry.callback, title, text);
}

/**
 * §Interaction Callback Errors: a request that ends without approval sends the browser to the
 * callback with `error` added to its query (`access_denied` when the person declined).
 */
function declined(entry: Entry, error: 'access_denied', title: string, text: string): PageResponse {
  if (entry.callback === undefined) return decided(entry, title, text);
  const url = new URL(entry.callback);
  url.searchParams.append('error', error);
  return decidedPage(url.toString(), title, text);
}

/**
 * The person approved: bind the agent and record what the approval covers, then decide. A chained
 * request (§Call Chaining) is decided by the person the upstream token names; the intermediary
 * acts for many people, so it is bound to none and no approval is remembered for it.
 */
async function approve(ctx: AuthServerContext, ps: PersonServerState, entry: Entry, userId: string): Promise<PageResponse> {
  const grant = entry.grant;
  if (grant.upstream === undefined && (await ps.bindings.bind(grant.provider, grant.agent, userId)) === 'other_user') {
    await ps.pending.decide(entry, { status: 'denied' });
    if (entry.callback !== undefined) return declined(entry, 'access_denied', 'Agent acts for someone else', 'This agent already acts for another person.');
    return respond(403, 'Agent acts for someone else', html`<h1>Agent acts for someone else</h1><p class="error">This agent already acts for another person; it cannot act for you.</p>`);
  }
  if (grant.kind === 'person_token' && grant.upstream === undefined) await ps.bindings.approveResources(grant.provider, grant.agent, [grant.resource]);
  if (grant.kind === 'mission') {
    await approveMission(ctx, ps, grant, userId);
    await ps.bindings.approveResources(grant.provider, grant.agent, grant.resources ?? []);
  }
  if (grant.kind === 'completion') await ps.missions.terminate(grant.s256, 'completed');
  if (!(await ps.pending.decide(entry, { status: 'approved', sub: userId }))) return notFound();
  return decided(entry, 'Approved', 'You may close this window and return to the application.');
}

export async function submitPsInteraction(ctx: AuthServerContext, ps: PersonServerState, form: Form): Promise<PageResponse> {
  const code = field(form, 'code');
  const entry = code === undefined ? undefined : await ps.pending.byCode(normaliseCode(code), ctx.now());
  if (!entry) return notFound();
  // A login posted without opening the code first still spends it.
  if (entry.status === 'pending' && !(await ps.pending.open(entry))) return notFound();
  const step = field(form, 'step');
  if (step === 'login') {
    const user = await logIn(ctx, entry.code, form);
    if (user === 'invalid') return loginPage(ctx, entry, 'Invalid username or password.');
    if (!('id' in user)) return user;
    // §Agent-Person Binding: "Once established, the PS MUST NOT allow a different person to claim the same agent."
    if (entry.grant.requiredUser !== undefined && entry.grant.requiredUser !== user.id) return loginPage(ctx, entry, 'This agent acts for another person.');
    const ticket = randomBytes(24).toString('base64url');
    entry.consentTicket = { value: ticket, userId: user.id };
    if (!(await ps.pending.save(entry))) return notFound();
    return reviewPage(ctx, ps, entry, user, ticket);
  }
  if (step === 'consent') {
    const held = entry.consentTicket;
    if (!held || !sameText(held.value, field(form, 'ticket') ?? '')) return loginPage(ctx, entry, 'Your session has ended; sign in again.');
    entry.consentTicket = undefined;
    // The ticket is spent once, whichever instance the form reaches.
    if (!(await ps.pending.save(entry))) return notFound();
    if (field(form, 'decision') === 'approve') return approve(ctx, ps, entry, held.userId);
    await ps.pending.decide(entry, { status: 'denied' });
    return declined(entry, 'access_denied', 'Declined', 'The agent was told you declined. You may close this window.');
  }
  return loginPage(ctx, entry, 'Unexpected form submission; sign in again.');
}
