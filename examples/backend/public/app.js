// The demo page: starts a run on the backend, polls its state, and renders each hop as it arrives.
// Every piece of server text goes through textContent (never innerHTML), so token text is escaped,
// and the one link built from server data takes http(s) URLs only (httpHref).

import { httpHref } from './links.js';

const HIGHLIGHT = {
  agent: 'the caller',
  aud: 'who it is for',
  sub: 'the user acted for',
  scope: 'what it allows',
  cnf: 'key it is bound to',
  agent_jkt: 'caller key thumbprint',
  ps: 'the Person Server',
  mission_s256: 'the approved mission',
};
const ACTOR_NAMES = {
  'backend': 'Backend',
  'supply-chain-agent': 'Supply-chain agent',
  'market-analysis-agent': 'Market-analysis agent',
  'auth-server': 'Auth server',
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) {
    if (child === undefined || child === null) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

function show(value) {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function shortKey(cnf) {
  const jwk = cnf && typeof cnf === 'object' ? cnf.jwk : undefined;
  if (!jwk || typeof jwk !== 'object') return show(cnf);
  return `${jwk.kty ?? '?'} ${jwk.crv ?? ''} x=${String(jwk.x ?? jwk.n ?? '').slice(0, 12)}…`;
}

function claimsTable(object, highlight) {
  const body = el('tbody');
  for (const [k, v] of Object.entries(object)) {
    const why = highlight ? HIGHLIGHT[k] : undefined;
    const value = k === 'cnf' ? `${shortKey(v)}  ${JSON.stringify(v)}` : show(v);
    body.append(el('tr', { class: why ? 'hl' : undefined, 'data-claim': k },
      el('td', { class: 'k', 'data-why': why, text: k }),
      el('td', { text: value })));
  }
  return el('table', {}, body);
}

function tokenView(token) {
  const facts = el('p', { class: 'key-facts' });
  for (const k of ['agent', 'aud', 'sub', 'scope', 'ps', 'mission_s256']) {
    if (token.claims[k] === undefined) continue;
    facts.append(el('span', {}, `${k} = `, el('b', { text: show(token.claims[k]) })));
  }
  return el('details', { class: 'token', 'data-typ': show(token.header.typ ?? '') },
    el('summary', {}, el('b', { text: token.label }), ` (${show(token.header.typ ?? 'JWT')})`, facts),
    el('div', { class: 'cols' },
      el('div', {}, el('div', { class: 'hint', text: 'header' }), claimsTable(token.header, false)),
      el('div', {}, el('div', { class: 'hint', text: 'claims' }), claimsTable(token.claims, true))),
    el('div', { class: 'raw', text: token.raw }));
}

function hopView(hop) {
  const item = el('li', { class: `hop depth-${hop.depth} actor-${hop.actor}`, 'data-kind': hop.kind, 'data-actor': hop.actor },
    el('div', { class: 'hop-head' },
      el('span', { class: 'hop-seq', text: String(hop.seq) }),
      el('span', { class: 'hop-actor', text: ACTOR_NAMES[hop.actor] ?? hop.actor }),
      el('span', { class: `hop-kind k-${hop.kind}`, text: hop.status ? `${hop.kind} ${hop.status}` : hop.kind }),
      el('span', { class: 'hop-title', text: hop.title })),
    el('p', { class: 'hop-explain', text: hop.explain }),
    hop.url ? el('div', { class: 'hop-url', text: `${hop.method ?? ''} ${hop.url}`.trim() }) : null);
  for (const token of hop.tokens ?? []) item.append(tokenView(token));
  return item;
}

let cast = {};

/** "the supply-chain agent" for an identifier, "mcp-user" for the user's sub. */
function who(value) {
  const names = {
    [cast.backend]: 'the backend',
    [cast.backendAutonomous]: 'the backend (autonomous identity)',
    [cast.supplyChain]: 'the supply-chain agent',
    [cast.marketAnalysis]: 'the market-analysis agent',
  };
  if (cast.userId && value === cast.userId) return cast.user;
  return names[value] ?? cast.agents?.[value] ?? show(value);
}

function renderCast(config) {
  cast = config;
  const current = config.profile === 'aauth-current';
  document.body.dataset.profile = config.profile;
  // The current draft has no run without a person: the backend offers only the modes it can run.
  $('run-autonomous').hidden = Array.isArray(config.modes) && !config.modes.includes('autonomous');
  const list = $('cast-list');
  list.replaceChildren();
  const rows = [
    ['user', 'You: the user', `${config.user}${config.userId ? ` (sub ${config.userId})` : ''}`],
    ['backend', 'Backend: an agent acting for you', config.backend],
    ['supply-chain-agent', 'Supply-chain agent: plans orders', config.supplyChain],
    ['market-analysis-agent', 'Market-analysis agent: market outlook', config.marketAnalysis],
    ['auth-server', current ? 'Person Server: knows you, issues person and auth tokens, asks for consent' : 'Auth server: issues tokens, asks for consent', config.issuer],
  ];
  for (const [actor, title, id] of rows) list.append(el('li', { class: `actor-${actor}` }, el('b', { text: title }), el('code', { text: id })));
  $('consent-user').textContent = config.user;
}

function renderChain(chain) {
  const story = $('chain-story');
  story.replaceChildren();
  for (const link of chain) {
    story.append(el('li', {},
      el('b', { text: who(link.agent) }),
      link.sub === undefined ? ' acted on its own (no user) at ' : ' acted for ',
      link.sub === undefined ? '' : el('b', { text: link.ps === undefined ? who(link.sub) : `${cast.user} (known there as ${show(link.sub).slice(0, 12)}…)` }),
      link.sub === undefined ? '' : ' at ',
      el('b', { text: who(link.aud) }),
      `, allowed to: ${show(link.scope ?? 'nothing')}.`));
  }
  const body = $('chain').querySelector('tbody');
  body.replaceChildren();
  chain.forEach((link, i) => body.append(el('tr', { 'data-testid': `chain-${i}` },
    el('td', { class: 'who', text: link.call }),
    el('td', { 'data-claim': 'agent', text: show(link.agent ?? '—') }),
    el('td', { 'data-claim': 'aud', text: show(link.aud ?? '—') }),
    el('td', { 'data-claim': 'sub', text: show(link.sub ?? '(no user)') }),
    el('td', { 'data-claim': 'scope', text: show(link.scope ?? '—') }),
    el('td', { 'data-claim': 'ps', class: 'current-only', text: show(link.ps ?? '—') }))));
  $('summary').hidden = chain.length === 0;
}

function money(n) {
  return n.toLocaleString('en-US', { maximumFractionDigits: 0 });
}

function renderPlan(plan) {
  const body = $('plan').querySelector('tbody');
  body.replaceChildren();
  for (const line of plan.lines) {
    const ordered = line.orders.reduce((a, o) => a + o.units, 0);
    const risk = [
      line.stockoutWeek !== null ? `stock-out in week ${line.stockoutWeek}: expedite` : '',
      line.shortfall > 0 ? `${line.shortfall} units not coverable` : '',
    ].filter(Boolean).join('; ');
    body.append(el('tr', { 'data-sku': line.sku },
      el('td', { text: line.sku }),
      el('td', { text: line.name }),
      el('td', { class: 'num', text: String(line.forecastWeeklyDemand) }),
      el('td', { text: `${line.segment} ${line.demandGrowth >= 0 ? '+' : ''}${Math.round(line.demandGrowth * 100)} %` }),
      el('td', { class: 'num', text: String(ordered) }),
      el('td', { text: line.orders.map((o) => `${o.supplierName} ${o.units} (${o.leadTimeWeeks} wk)`).join(', ') || '—' }),
      el('td', { class: 'num', text: money(line.cost) }),
      el('td', { class: risk ? 'risk' : '', text: risk || 'ok' })));
  }
  $('plan-headline').textContent = `${money(plan.totals.units)} laptops from ${plan.totals.suppliersUsed.length} suppliers, ` +
    `USD ${money(plan.totals.cost)} over ${plan.horizonWeeks} weeks at a ${Math.round(plan.serviceLevel * 100)} % service level` +
    (plan.totals.skusAtRisk.length ? `; at risk: ${plan.totals.skusAtRisk.join(', ')}.` : '.');
  $('plan-digest').textContent = `Data as of ${plan.dataAsOf}, market outlook as of ${plan.marketAsOf}. Plan digest ${plan.planDigest} (the same inputs always give the same plan).`;
  $('result').hidden = false;
}

let rendered = 0;
let polling;

function setBusy(busy) {
  $('run-user').disabled = busy;
  $('run-autonomous').disabled = busy;
}

function renderRun(run) {
  const hops = $('hops');
  for (const hop of run.hops.slice(rendered)) hops.append(hopView(hop));
  rendered = run.hops.length;
  $('flow').hidden = rendered === 0;
  const status = $('run-status');
  status.className = run.status;
  status.textContent = {
    'running': 'working…',
    'awaiting-consent': 'waiting for your approval…',
    'done': 'done',
    'failed': `failed: ${run.error ? `${run.error.error}: ${run.error.error_description}` : 'unknown error'}`,
  }[run.status] ?? run.status;
  const consent = run.status === 'awaiting-consent' && run.interaction;
  $('consent').hidden = !consent;
  if (consent) {
    const link = $('consent-link');
    const href = httpHref(run.interaction.url);
    if (href) link.href = href;
    else link.removeAttribute('href');
    $('consent-code').textContent = run.interaction.code;
  }
  renderChain(run.chain ?? []);
  if (run.result) renderPlan(run.result.plan);
  document.body.dataset.runStatus = run.status;
}

async function poll(id) {
  const response = await fetch(`/api/runs/${encodeURIComponent(id)}`);
  if (!response.ok) throw new Error(`run ${id}: HTTP ${response.status}`);
  const run = await response.json();
  renderRun(run);
  if (run.status === 'done' || run.status === 'failed') {
    setBusy(false);
    return;
  }
  polling = setTimeout(() => poll(id).catch(fail), 400);
}

function fail(err) {
  setBusy(false);
  const status = $('run-status');
  status.className = 'failed';
  status.textContent = String(err.message ?? err);
}

async function start(mode) {
  clearTimeout(polling);
  rendered = 0;
  $('hops').replaceChildren();
  $('result').hidden = true;
  $('summary').hidden = true;
  $('consent').hidden = true;
  setBusy(true);
  const response = await fetch('/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode }) });
  const body = await response.json();
  if (!response.ok) throw new Error(`${body.error}: ${body.error_description}`);
  await poll(body.id);
}

$('run-user').addEventListener('click', () => start('user').catch(fail));
$('run-autonomous').addEventListener('click', () => start('autonomous').catch(fail));
fetch('/api/config').then((r) => r.json()).then(renderCast).catch(fail);
