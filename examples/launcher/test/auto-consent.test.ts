import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConsentError, approveConsent, decideConsent, readForm, readForms, unescapeHtml } from '../src/auto-consent.js';

describe('readForm', () => {
  it('reads action, hidden fields, visible inputs and buttons, undoing HTML escapes', () => {
    const html = `<p>x</p><form method="post" action="http:&#47;&#47;localhost:8080&#47;realms&#47;r&#47;interact">
<input type="hidden" name="step" value="login"><input type="hidden" name="code" value="AB&amp;12">
<input type="text" id="username" name="username"><input type="password" name="password">
<button type="submit" name="decision" value="approve">Approve</button><button type="submit" name="decision" value="deny">Deny</button></form>`;
    expect(readForm(html)).toEqual({
      action: 'http://localhost:8080/realms/r/interact',
      hidden: [['step', 'login'], ['code', 'AB&12']],
      inputs: ['username', 'password'],
      buttons: [['decision', 'approve'], ['decision', 'deny']],
    });
  });

  it('reads every form of a page, and submit inputs as buttons', () => {
    const html = '<form action="/a"><input name="q"></form><form action="/b"><input type="password" name="password"><input type="submit" name="login" value="Sign In"></form>';
    expect(readForms(html).map((f) => [f.action, f.inputs, f.buttons])).toEqual([['/a', ['q'], []], ['/b', ['password'], [['login', 'Sign In']]]]);
  });

  it('returns undefined without a form', () => {
    expect(readForm('<h1>Access granted</h1>')).toBeUndefined();
  });
});

describe('unescapeHtml', () => {
  it.each([
    ['&#47;&#x2F;&#X2f;', '///'],
    ['&lt;&gt;&quot;&apos;&amp;', '<>"\'&'],
    ['&unknown; &#0; &#x110000;', '&unknown; &#0; &#x110000;'],
  ])('%s', (input, output) => {
    expect(unescapeHtml(input)).toBe(output);
  });
});

describe('decideConsent against a Keycloak-shaped interaction (real HTTP on loopback)', () => {
  // What Keycloak does (shape only): the interaction URL redirects to its login page and sets a
  // session cookie; the login form posts to a URL with its own query; success sets the identity
  // cookie, clears another and redirects to the provider's consent page, which checks the identity
  // cookie before it records the decision.
  let server: Server;
  let base: string;
  const decisions: string[] = [];
  const cookiesOf = (req: IncomingMessage): Map<string, string> =>
    new Map((req.headers.cookie ?? '').split(';').map((p) => p.trim().split('=') as [string, string]).filter(([k]) => k));
  const body = (req: IncomingMessage): Promise<URLSearchParams> =>
    new Promise((resolve) => {
      let text = '';
      req.on('data', (c: Buffer) => { text += c.toString('utf8'); });
      req.on('end', () => resolve(new URLSearchParams(text)));
    });
  const loginPage = (error = ''): string => `<html><body>
<form id="kc-locale" action="${base}/realms/r/locale" method="get"><input type="hidden" name="kc_locale" value="en"><button type="submit">English</button></form>
${error}<form id="kc-form-login" onsubmit="login.disabled = true; return true;" action="${base}/realms/r/login-actions/authenticate?session_code=S&amp;execution=E&amp;client_id=aauth&amp;tab_id=T" method="post">
<input tabindex="1" id="username" name="username" value="" type="text" autofocus autocomplete="username">
<input tabindex="2" id="password" name="password" type="password" autocomplete="current-password">
<input type="hidden" id="id-hidden-input" name="credentialId"/>
<input tabindex="4" name="login" id="kc-login" type="submit" value="Sign In"/>
</form></body></html>`;

  beforeAll(async () => {
    server = createServer((req, res) => {
      void (async () => {
        const url = new URL(req.url ?? '/', base);
        const cookies = cookiesOf(req);
        if (req.method === 'GET' && url.pathname === '/realms/r/protocol/aauth/interact') {
          if (url.searchParams.get('code') === 'LOOP') {
            res.writeHead(302, { location: url.pathname + url.search }).end();
            return;
          }
          res.writeHead(302, { location: '/realms/r/login-actions/authenticate?session_code=S', 'set-cookie': ['AUTH_SESSION_ID=s1; Path=/realms/r/; HttpOnly', 'KC_RESTART=r1; Path=/realms/r/'] }).end();
        } else if (url.pathname === '/realms/r/login-actions/authenticate') {
          if (cookies.get('AUTH_SESSION_ID') !== 's1') {
            res.writeHead(400).end('<p>Cookie not found.</p>');
          } else if (req.method === 'GET') {
            res.writeHead(200, { 'content-type': 'text/html' }).end(loginPage());
          } else {
            const form = await body(req);
            if (url.searchParams.get('execution') !== 'E' || !form.has('credentialId') || form.get('login') !== 'Sign In') {
              res.writeHead(400).end('bad form');
            } else if (form.get('username') !== 'mcp-user' || form.get('password') !== 'mcp-password') {
              res.writeHead(200, { 'content-type': 'text/html' }).end(loginPage('<span id="input-error">Invalid username or password.</span>'));
            } else {
              res.writeHead(302, { location: `${base}/realms/r/protocol/aauth/consent?code=C`, 'set-cookie': ['KEYCLOAK_IDENTITY=id1; Path=/realms/r/; HttpOnly', 'KC_RESTART=; Max-Age=0; Path=/realms/r/'] }).end();
            }
          }
        } else if (url.pathname === '/realms/r/protocol/aauth/consent') {
          if (cookies.get('KEYCLOAK_IDENTITY') !== 'id1' || cookies.has('KC_RESTART')) {
            res.writeHead(403).end('<p>not logged in</p>');
          } else if (req.method === 'GET') {
            res.writeHead(200, { 'content-type': 'text/html' }).end(`<form method="post" action="/realms/r/protocol/aauth/consent?code=C"><input type="hidden" name="ticket" value="t1">
<button type="submit" name="decision" value="approve">Approve</button><button type="submit" name="decision" value="deny">Deny</button></form>`);
          } else {
            const form = await body(req);
            decisions.push(`${form.get('ticket')}:${form.get('decision')}`);
            res.writeHead(200, { 'content-type': 'text/html' }).end('<p>Done. You can close this window.</p>');
          }
        } else {
          res.writeHead(404).end();
        }
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // `localhost` as Keycloak's pinned hostname; development mode connects it to 127.0.0.1.
    base = `http://localhost:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const user = { username: 'mcp-user', password: 'mcp-password' };

  it('follows the redirects with the cookies, logs in through the login form and approves', async () => {
    await approveConsent(`${base}/realms/r/protocol/aauth/interact?code=C`, user, true);
    expect(decisions.pop()).toBe('t1:approve');
  });

  it('denies when asked to', async () => {
    await decideConsent(`${base}/realms/r/protocol/aauth/interact?code=C`, user, true, 'deny');
    expect(decisions.pop()).toBe('t1:deny');
  });

  it('reports a refused login with the page text instead of looping', async () => {
    await expect(approveConsent(`${base}/realms/r/protocol/aauth/interact?code=C`, { ...user, password: 'wrong' }, true))
      .rejects.toThrow(/logging in as mcp-user failed: .*Invalid username or password/);
    expect(decisions).toEqual([]);
  });

  it('gives up on a redirect loop', async () => {
    await expect(approveConsent(`${base}/realms/r/protocol/aauth/interact?code=LOOP`, user, true)).rejects.toThrow(ConsentError);
  });
});
