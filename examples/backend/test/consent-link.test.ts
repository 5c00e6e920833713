/**
 * The demo page turns server data into a link in one place, the consent link, and only an http(s)
 * URL becomes an `href`: a `javascript:` (or `data:`, …) interaction URL from a hostile auth server
 * never becomes something the user can click. The agent library already refuses such a URL; this
 * is the page's own guard.
 *
 * Cannot prove: how a browser renders the page (the headless-browser test does that when Chromium
 * is installed).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PUBLIC = new URL('../public/', import.meta.url);

type HttpHref = (value: unknown) => string | undefined;

async function loadHttpHref(): Promise<HttpHref> {
  // The page's own module, loaded as the browser loads it (plain ES module, no build step).
  const module = (await import(new URL('links.js', PUBLIC).href)) as { httpHref: HttpHref };
  return module.httpHref;
}

describe('demo UI: only http(s) links', () => {
  it('a javascript:, data: or relative interaction URL is not made a link; http(s) is', async () => {
    const httpHref = await loadHttpHref();
    for (const hostile of ['javascript:alert(document.domain)//?code=ABCD1234', 'JavaScript:alert(1)', ' javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', '/relative?code=A', '', undefined, 42]) {
      expect(httpHref(hostile)).toBeUndefined();
    }
    expect(httpHref('http://auth.localhost:8001/realms/aauth-demo/protocol/aauth/interact?code=ABCD1234')).toBe('http://auth.localhost:8001/realms/aauth-demo/protocol/aauth/interact?code=ABCD1234');
    expect(httpHref('https://kc.example/realms/demo/protocol/aauth/interact?code=X')).toBe('https://kc.example/realms/demo/protocol/aauth/interact?code=X');
  });

  it('every href the page sets goes through httpHref', () => {
    const source = readFileSync(fileURLToPath(new URL('app.js', PUBLIC)), 'utf8');
    // `x.href = v`, `setAttribute('href', v)` and `{ href: v }` (the el() helper): v must be an
    // httpHref(...) call or a name bound to one.
    const values = [...source.matchAll(/\.href\s*=\s*([^;\n]+)|setAttribute\(\s*['"]href['"]\s*,\s*([^)\n]+)\)|\bhref\s*:\s*([^,}\n]+)/g)]
      .map((m) => (m[1] ?? m[2] ?? m[3] ?? '').trim());
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) {
      const checked = value.startsWith('httpHref(') || new RegExp(`\\b(const|let)\\s+${value.replace(/[^\w$]/g, '')}\\s*=\\s*httpHref\\(`).test(source);
      expect({ value, checked }).toEqual({ value, checked: true });
    }
  });
});
