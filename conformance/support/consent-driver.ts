/**
 * Drive the auth server's interaction page over plain HTTP, as a browser would: open
 * `{interaction_endpoint}?code=…`, log in with a realm user's password, then approve or deny.
 *
 * `AAUTH_SERVER_KIND` selects the expectations:
 *  - `embedded`: the embedded server's own login form, then its consent form;
 *  - `keycloak`: Keycloak's login page (redirects followed with a cookie jar, the form `action`
 *    parsed, username/password posted), then the provider's approve/deny form.
 * Both are driven by the same small HTML-form engine, written defensively: it finds forms by
 * their fields (a password input; an approve/deny button), not by ids.
 */

export type ServerKind = 'embedded' | 'keycloak';
export type Decision = 'approve' | 'deny';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

interface HtmlForm {
  readonly action: string;
  readonly method: string;
  readonly fields: Map<string, string>;
  readonly buttons: { name: string; value: string; label: string }[];
  readonly hasPassword: boolean;
}

interface Page {
  readonly url: string;
  readonly status: number;
  readonly html: string;
  /** The page's `Content-Security-Policy`, when it has one. */
  readonly csp?: string;
  /** Set when the page is a redirect (or an immediate refresh) to the agent's `callback`, which the driver does not follow. */
  readonly callback?: string;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCharCode(parseInt(n, 16)))
    .replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  if (!m) return undefined;
  return decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
}

/** Every `<form>` of a page with its inputs and submit buttons. */
export function parseForms(html: string, pageUrl: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  const formRe = /<form\b[^>]*>([\s\S]*?)<\/form>/gi;
  for (let m = formRe.exec(html); m; m = formRe.exec(html)) {
    const open = /<form\b[^>]*>/i.exec(m[0])?.[0] ?? '';
    const inner = m[1] ?? '';
    const fields = new Map<string, string>();
    const buttons: HtmlForm['buttons'] = [];
    let hasPassword = false;
    for (const tag of inner.match(/<input\b[^>]*>/gi) ?? []) {
      const type = (attr(tag, 'type') ?? 'text').toLowerCase();
      const name = attr(tag, 'name');
      if (type === 'password') hasPassword = true;
      if (!name) continue;
      if (type === 'submit') buttons.push({ name, value: attr(tag, 'value') ?? '', label: attr(tag, 'value') ?? '' });
      else if (type !== 'checkbox' && type !== 'radio' && type !== 'button') fields.set(name, attr(tag, 'value') ?? '');
    }
    const buttonRe = /<button\b([^>]*)>([\s\S]*?)<\/button>/gi;
    for (let b = buttonRe.exec(inner); b; b = buttonRe.exec(inner)) {
      const tag = `<button ${b[1] ?? ''}>`;
      const type = (attr(tag, 'type') ?? 'submit').toLowerCase();
      if (type !== 'submit') continue;
      buttons.push({ name: attr(tag, 'name') ?? '', value: attr(tag, 'value') ?? '', label: (b[2] ?? '').replace(/<[^>]*>/g, '').trim() });
    }
    const action = new URL(attr(open, 'action') ?? pageUrl, pageUrl).toString();
    forms.push({ action, method: (attr(open, 'method') ?? 'get').toLowerCase(), fields, buttons, hasPassword });
  }
  return forms;
}

/** A minimal browser: cookie jar and manual redirects (loopback only, as the suite is). */
class Browser {
  readonly #cookies = new Map<string, string>();

  /** A redirect to a URL starting with this is returned, not followed (the agent's callback). */
  constructor(readonly stopAt?: string) {}

  #store(res: Response): void {
    const list = typeof res.headers.getSetCookie === 'function' ? res.headers.getSetCookie() : [];
    for (const line of list) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq <= 0) continue;
      this.#cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  #cookieHeader(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(url: string, init: { method?: string; form?: URLSearchParams } = {}): Promise<Page> {
    let target = url;
    let method = init.method ?? 'GET';
    let body: string | undefined = init.form?.toString();
    for (let hop = 0; hop < 10; hop++) {
      const headers: Record<string, string> = { accept: 'text/html' };
      const cookie = this.#cookieHeader();
      if (cookie) headers.cookie = cookie;
      if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
      const res = await fetch(target, { method, headers, body, redirect: 'manual' });
      this.#store(res);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.arrayBuffer();
        const next = new URL(location, target).toString();
        if (this.stopAt !== undefined && next.startsWith(this.stopAt)) return { url: target, status: res.status, html: '', callback: next };
        target = next;
        method = 'GET';
        body = undefined;
        continue;
      }
      const html = await res.text();
      // A page that sends the browser on at once (`<meta http-equiv="refresh">`) to the callback.
      const refresh = /<meta http-equiv="refresh" content="0;url=([^"]*)">/i.exec(html)?.[1];
      if (refresh !== undefined && this.stopAt !== undefined) {
        const next = new URL(decodeEntities(refresh), target).toString();
        if (next.startsWith(this.stopAt)) return { url: target, status: res.status, html, callback: next };
      }
      const csp = res.headers.get('content-security-policy');
      return { url: target, status: res.status, html, ...(csp === null ? {} : { csp }) };
    }
    throw new Error(`too many redirects from ${url}`);
  }

  submit(form: HtmlForm, values: Record<string, string>, button?: { name: string; value: string }): Promise<Page> {
    const data = new URLSearchParams();
    for (const [k, v] of form.fields) data.set(k, v);
    for (const [k, v] of Object.entries(values)) data.set(k, v);
    if (button?.name) data.set(button.name, button.value);
    if (form.method === 'get') {
      const url = new URL(form.action);
      for (const [k, v] of data) url.searchParams.set(k, v);
      return this.request(url.toString());
    }
    return this.request(form.action, { method: 'POST', form: data });
  }
}

const APPROVE = /approve|accept|allow|grant|yes|consent/i;
const DENY = /deny|reject|decline|cancel|no\b/i;

function findButton(form: HtmlForm, decision: Decision): { name: string; value: string } | undefined {
  const re = decision === 'approve' ? APPROVE : DENY;
  return form.buttons.find((b) => re.test(b.value) || re.test(b.name) || re.test(b.label));
}

function usernameField(form: HtmlForm): string {
  for (const name of ['username', 'login', 'email', 'user']) if (form.fields.has(name)) return name;
  return 'username';
}

export interface InteractionResult {
  /** The last page seen (for diagnostics). */
  readonly page: Page;
  /** True when a login succeeded into a form with the wanted decision, and that form was submitted. */
  readonly decided: boolean;
}

/**
 * Open the interaction page for `code`, log in as `user`, and answer `decision` when the server
 * lets this user decide. A login form shown a second time means the login was refused: stop there.
 */
export interface InteractionOptions {
  /** Pass `callback` with the code (§User Interaction); a redirect to it ends the drive. */
  readonly callback?: string;
  /**
   * Open the interaction endpoint without a code and type it into the form it shows, written
   * with a hyphen for readability as an agent may display it (§User Interaction, manual entry).
   */
  readonly manualEntry?: boolean;
  /** Called with the consent page's HTML once the user is signed in, before the decision is sent. */
  readonly beforeDecision?: (consentPage: string, page: Page) => Promise<void>;
}

/** The form of a code-entry page: a GET or POST form with a `code` text field and no password. */
function codeEntryForm(page: Page): HtmlForm | undefined {
  return parseForms(page.html, page.url).find((f) => f.fields.has('code') && !f.hasPassword);
}

export async function attemptInteraction(interactionEndpoint: string, code: string, user: Credentials, decision: Decision, options: InteractionOptions = {}): Promise<InteractionResult> {
  const browser = new Browser(options.callback);
  const start = new URL(interactionEndpoint);
  if (!options.manualEntry) start.searchParams.set('code', code);
  if (options.callback !== undefined) start.searchParams.set('callback', options.callback);
  let page = await browser.request(start.toString());
  if (options.manualEntry) {
    const entry = codeEntryForm(page);
    if (!entry) throw new Error(`no code-entry form at ${page.url} (HTTP ${page.status})`);
    page = await browser.submit(entry, { code: `${code.slice(0, 4)}-${code.slice(4)}` }, entry.buttons[0]);
  }
  let loggedIn = false;
  for (let step = 0; step < 6; step++) {
    const forms = parseForms(page.html, page.url);
    const login = forms.find((f) => f.hasPassword);
    if (login) {
      if (loggedIn) break;
      loggedIn = true;
      const values: Record<string, string> = { [usernameField(login)]: user.username, password: user.password };
      // Keycloak's login form posts `username`, `password` and a `credentialId`; its submit is `login`.
      page = await browser.submit(login, values, login.buttons.find((b) => b.name === 'login') ?? login.buttons[0]);
      continue;
    }
    const consent = forms.find((f) => findButton(f, decision) !== undefined);
    if (consent) {
      await options.beforeDecision?.(page.html, page);
      page = await browser.submit(consent, {}, findButton(consent, decision));
      return { page, decided: true };
    }
    break;
  }
  return { page, decided: false };
}

/**
 * Open the interaction page for `code`, log in as `user`, and answer `decision`.
 * Throws with the page's text when a step cannot be found.
 */
export async function driveInteraction(kind: ServerKind, interactionEndpoint: string, code: string, user: Credentials, decision: Decision, options: InteractionOptions = {}): Promise<InteractionResult> {
  const result = await attemptInteraction(interactionEndpoint, code, user, decision, options);
  if (result.decided) return result;
  const { page } = result;
  const text = page.html.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').slice(0, 400);
  throw new Error(`${kind} interaction: no login or ${decision} form found at ${page.url} (HTTP ${page.status}): ${text}`);
}
