/**
 * The demo in a real browser: headless Chromium (Debian's `chromium`, driven by playwright-core,
 * no browser download) opens the UI, clicks "Optimize laptop supply chain", follows the consent
 * link, logs in as the demo user and approves, then checks the plan and the token chain the page
 * shows. A screenshot of the final page is saved to test-artifacts/. The same for `--profile
 * current`: the realm as Person Server, its interaction page, and the person-token hops on the page.
 *
 * Skipped, with a message, only when /usr/bin/chromium is absent.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import type { Settings } from '../../common/src/config.js';
import { CHROMIUM, launchChromium } from '../../../scripts/headless-chromium.mjs';
import { startDemo, type RunningDemo } from '../../launcher/src/start-demo.js';
import { defaultRealmPath } from '../../launcher/src/realm-for-config.js';

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));

const available = existsSync(CHROMIUM);
if (!available) console.warn(`browser test skipped: ${CHROMIUM} is absent (install it with: apt-get install -y chromium)`);
const maybe = available ? describe : describe.skip;

const FREE_PORTS = { AUTH_PORT: '0', BACKEND_PORT: '0', BACKEND_AUTONOMOUS_PORT: '0', SCA_PORT: '0', MAA_PORT: '0', LOG_FORMAT: 'json' };

/** A demo on free ports and a browser, for one describe block. */
function demoInBrowser(settings: Settings): { demo(): RunningDemo; context(): BrowserContext } {
  let demo: RunningDemo | undefined;
  let context: BrowserContext | undefined;
  let closeBrowser: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    demo = await startDemo({ settings: { ...FREE_PORTS, ...settings }, realmPath: defaultRealmPath(), quiet: true, isTty: false });
    ({ context, close: closeBrowser } = await launchChromium('aauth-demo-chromium-'));
  }, 60_000);
  afterAll(async () => {
    await closeBrowser?.();
    await demo?.close();
  });
  return { demo: () => demo as RunningDemo, context: () => context as BrowserContext };
}

maybe('the demo UI in headless Chromium', () => {
  const running = demoInBrowser({});
  let demo: RunningDemo;
  let context: BrowserContext;
  beforeAll(() => {
    demo = running.demo();
    context = running.context();
  });

  async function approve(page: Page, url: string): Promise<void> {
    const consent = await context.newPage();
    await consent.goto(url);
    await consent.fill('input[name="username"]', demo.config.user.username);
    await consent.fill('input[name="password"]', demo.config.user.password);
    await consent.click('button[type="submit"]');
    await consent.click('button[value="approve"]');
    await consent.waitForSelector('text=Access granted');
    await consent.close();
    await page.bringToFront();
  }

  it('clicks through consent and shows the plan and the delegation chain', async () => {
    const { config } = demo;
    const page = await context.newPage();
    // Chromium resolves *.localhost to loopback by itself (RFC 6761).
    await page.goto(`${config.backend.identifier}/`);
    await page.waitForSelector('#cast-list li');
    await page.click('#run-user');

    await page.waitForSelector('#consent:not([hidden]), body[data-run-status="failed"]', { timeout: 20_000 });
    expect(await page.locator('#run-status').textContent()).toBe('waiting for your approval…');
    const link = page.locator('#consent-link');
    const href = await link.getAttribute('href');
    expect(href).toMatch(/\/protocol\/aauth\/interact\?code=[A-Z0-9]{8}$/);
    await expect(page.locator('#consent-code').textContent()).resolves.toMatch(/^[A-Z0-9]{8}$/);
    await approve(page, href as string);

    await page.waitForSelector('body[data-run-status="done"], body[data-run-status="failed"]', { timeout: 30_000 });
    await expect(page.locator('#run-status').textContent()).resolves.toBe('done');
    // The plan: one row per SKU of the bundled data set.
    await expect(page.locator('#plan tbody tr').count()).resolves.toBe(5);
    await expect(page.locator('#plan-headline').textContent()).resolves.toMatch(/laptops from \d suppliers/);

    // The chain, read from the tokens actually issued.
    const second = page.locator('#chain tbody tr[data-testid="chain-1"]');
    await expect(second.locator('td[data-claim="agent"]').textContent()).resolves.toBe(config.supplyChain.identifier);
    await expect(second.locator('td[data-claim="aud"]').textContent()).resolves.toBe(config.marketAnalysis.identifier);
    await expect(second.locator('td[data-claim="sub"]').textContent()).resolves.toBe(demo.userId);
    const first = page.locator('#chain tbody tr[data-testid="chain-0"]');
    await expect(first.locator('td[data-claim="agent"]').textContent()).resolves.toBe(config.backend.identifier);
    await expect(first.locator('td[data-claim="sub"]').textContent()).resolves.toBe(demo.userId);

    // Every kind of hop of the story is on the page, nested hops included.
    const kinds = await page.locator('#hops > li').evaluateAll((items) => items.map((li) => `${li.getAttribute('data-actor')}:${li.getAttribute('data-kind')}`));
    for (const expected of ['backend:request', 'backend:challenge', 'backend:pending', 'backend:interaction', 'backend:token', 'backend:retry',
      'supply-chain-agent:verified', 'supply-chain-agent:challenge', 'supply-chain-agent:token-request', 'supply-chain-agent:token', 'backend:response']) {
      expect(kinds).toContain(expected);
    }
    // Token text is rendered as text: the resource token's typ shows, no markup injected.
    await expect(page.locator('details.token[data-typ="resource+jwt"]').count()).resolves.toBeGreaterThan(0);

    mkdirSync(ARTIFACTS, { recursive: true });
    // Open the nested chained-token hop so the screenshot shows a decoded token.
    await page.locator('li.hop[data-actor="supply-chain-agent"][data-kind="token"] details.token').first().evaluate((d) => d.setAttribute('open', ''));
    await page.screenshot({ path: join(ARTIFACTS, 'demo-final.png'), fullPage: true });
  }, 90_000);

  it('Ask over MCP: after consent, the page lists the delegated hop\'s act chain, each actor outermost first', async () => {
    const { config } = demo;
    const page = await context.newPage();
    await page.goto(`${config.backend.identifier}/`);
    await page.waitForSelector('#mcp:not([hidden])');
    await page.click('#mcp-run');
    await page.waitForSelector('#mcp-consent:not([hidden]), body[data-mcp-status="done"], body[data-mcp-status="failed"]', { timeout: 20_000 });
    const href = await page.locator('#mcp-consent').getAttribute('href');
    if (href !== null && await page.locator('#mcp-consent').isVisible()) await approve(page, href);
    await page.waitForSelector('body[data-mcp-status="done"], body[data-mcp-status="failed"]', { timeout: 30_000 });
    await expect(page.locator('#mcp-status').textContent()).resolves.toBe('done (tools: market_outlook)');
    const actors = await page.locator('#mcp-act > li').evaluateAll((items) => items.map((li) => li.querySelector('code')?.textContent));
    expect(actors).toEqual([config.marketAnalysis.identifier, config.backend.identifier]);
    await expect(page.locator('#mcp-act > li').first().locator('b').textContent()).resolves.toBe('market-analysis agent');
    await expect(page.locator('#mcp-subject').textContent()).resolves.toBe(config.user.username);
    await expect(page.locator('#mcp-resource').textContent()).resolves.toBe(config.supplyChain.identifier);
  }, 90_000);

  it('runs autonomously without consent and shows no user in the chain', async () => {
    const page = await context.newPage();
    await page.goto(`${demo.config.backend.identifier}/`);
    await page.click('#run-autonomous');
    await page.waitForSelector('body[data-run-status="done"], body[data-run-status="failed"]', { timeout: 30_000 });
    await expect(page.locator('#run-status').textContent()).resolves.toBe('done');
    await expect(page.locator('#consent').isHidden()).resolves.toBe(true);
    await expect(page.locator('#chain tbody tr[data-testid="chain-1"] td[data-claim="sub"]').textContent()).resolves.toBe('(no user)');
    await expect(page.locator('#chain tbody tr[data-testid="chain-0"] td[data-claim="agent"]').textContent()).resolves.toBe(demo.config.backendAutonomous.identifier);
    await page.screenshot({ path: join(ARTIFACTS, 'demo-autonomous.png'), fullPage: true });
  }, 60_000);
});

maybe('the demo UI in headless Chromium, current profile (the realm as Person Server)', () => {
  const running = demoInBrowser({ DEMO_PROFILE: 'current' });

  /**
   * The person at the Person Server's interaction page: sign in (once per browser), approve. A
   * chained link starts at the supply-chain agent, which sends the browser on to the Person Server
   * with its own callback. The Person Server's answer to the approval is a 303 to that callback on
   * another origin, which Chromium follows only because the consent page's CSP `form-action` names
   * that origin: the page must end at the supply-chain agent's callback.
   */
  async function approveAtPersonServer(page: Page, url: string, chained: boolean): Promise<void> {
    const { config } = running.demo();
    const consent = await running.context().newPage();
    await consent.goto(url);
    if (await consent.locator('input[name="password"]').count() > 0) {
      await consent.fill('input[name="username"]', config.user.username);
      await consent.fill('input[name="password"]', config.user.password);
      await consent.click('button[type="submit"]');
    }
    if (chained) await expect(consent.locator('dd', { hasText: 'call chaining' }).count()).resolves.toBe(1);
    await consent.click('button[value="approve"]');
    if (!chained) await consent.waitForSelector('h1:text-is("Approved")');
    else await consent.waitForURL(`${config.supplyChain.identifier}/aauth/chain/callback/**`, { timeout: 40_000, waitUntil: 'commit' });
    await consent.close();
    await page.bringToFront();
  }

  it('shows the consent links (the Person Server\'s, then the supply-chain agent\'s chained one), every hop including the person-token hops, and the chain with ps', async () => {
    const { config } = running.demo();
    const page = await running.context().newPage();
    await page.goto(`${config.backend.identifier}/`);
    await page.waitForSelector('#cast-list li');
    await expect(page.locator('#run-autonomous').isHidden()).resolves.toBe(true);
    await expect(page.locator('#profile-note').isVisible()).resolves.toBe(true);
    await page.click('#run-user');

    // The person is asked for each consent the realm requires (the person token, then the auth token).
    const approved = new Set<string>();
    const links: string[] = [];
    for (;;) {
      await page.waitForSelector('#consent:not([hidden]), body[data-run-status="done"], body[data-run-status="failed"]', { timeout: 30_000 });
      const status = await page.locator('body').getAttribute('data-run-status');
      if (status === 'done' || status === 'failed') break;
      const code = (await page.locator('#consent-code').textContent()) as string;
      if (approved.has(code)) {
        await page.waitForTimeout(200);
        continue;
      }
      const href = (await page.locator('#consent-link').getAttribute('href')) as string;
      expect(href).toMatch(/\/realms\/aauth-test\/protocol\/aauth\/ps\/interaction\?code=[0-9A-Z]{8}$|^http:\/\/supply-chain-agent\.localhost:\d+\/aauth\/chain\/interaction\?code=[0-9A-Z-]{9}$/);
      approved.add(code);
      links.push(href);
      await approveAtPersonServer(page, href, href.startsWith(config.supplyChain.identifier));
    }
    await expect(page.locator('#run-status').textContent()).resolves.toBe('done');
    // The backend's own consents at the Person Server, then the supply-chain agent's, chained to
    // the backend through the supply-chain agent's own page (§Interaction Chaining).
    expect(links.filter((l) => l.includes('/protocol/aauth/ps/interaction')).length).toBeGreaterThan(0);
    expect(links.filter((l) => l.startsWith(config.supplyChain.identifier))).toHaveLength(1);
    await expect(page.locator('#plan tbody tr').count()).resolves.toBe(5);

    // The person-token hop of each agent: which PS, which aud, the directed sub.
    const kinds = await page.locator('#hops > li').evaluateAll((items) => items.map((li) => `${li.getAttribute('data-actor')}:${li.getAttribute('data-kind')}`));
    for (const expected of ['backend:request', 'backend:challenge', 'backend:pending', 'backend:interaction', 'backend:person-token', 'backend:token', 'backend:retry',
      'supply-chain-agent:verified', 'supply-chain-agent:challenge', 'supply-chain-agent:token-request', 'supply-chain-agent:person-token', 'supply-chain-agent:pending',
      'supply-chain-agent:token', 'backend:result']) {
      expect(kinds).toContain(expected);
    }
    const personHop = page.locator('li.hop[data-actor="backend"][data-kind="person-token"]').first();
    await expect(personHop.locator('.hop-title').textContent()).resolves.toContain(`PS ${config.issuer}, aud supply-chain agent, directed sub `);
    const token = personHop.locator('details.token[data-typ="aa-person+jwt"]');
    await expect(token.locator('tr[data-claim="aud"] td').nth(1).textContent()).resolves.toBe(config.supplyChain.identifier);
    await expect(token.locator('tr[data-claim="iss"] td').nth(1).textContent()).resolves.toBe(config.issuer);

    // The chain: both auth tokens from the Person Server, each resource with its own directed sub.
    const rows = page.locator('#chain tbody tr');
    await expect(rows.count()).resolves.toBe(2);
    for (const row of [rows.nth(0), rows.nth(1)]) await expect(row.locator('td[data-claim="ps"]').textContent()).resolves.toBe(config.issuer);
    await expect(page.locator('#chain-story li').first().textContent()).resolves.toMatch(new RegExp(`^the backend acted for ${config.user.username} \\(known there as .+…\\) at the supply-chain agent`));
    await expect(page.locator('#chain-story li').nth(1).textContent()).resolves.toMatch(/^the supply-chain agent acted for /);
    const subs = await page.locator('#chain tbody td[data-claim="sub"]').allTextContents();
    expect(new Set(subs).size).toBe(2);
    expect(subs).not.toContain(running.demo().userId);

    mkdirSync(ARTIFACTS, { recursive: true });
    await personHop.locator('details.token').first().evaluate((d) => d.setAttribute('open', ''));
    await page.screenshot({ path: join(ARTIFACTS, 'demo-current-final.png'), fullPage: true });
  }, 90_000);
});
