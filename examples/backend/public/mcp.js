// The MCP part of the demo page: asks the backend to call the market-analysis agent's MCP tool,
// polls the run, and shows the delegated hop's `act` chain, each actor outermost first. Server
// text goes through textContent only; the consent link takes http(s) URLs only (httpHref).

import { httpHref } from './links.js';

const $ = (id) => document.getElementById(id);
let polling;

function actorItem(actor, i) {
  const li = document.createElement('li');
  li.dataset.testid = `mcp-act-${i}`;
  const name = document.createElement('b');
  name.textContent = actor.name;
  const id = document.createElement('code');
  id.textContent = actor.id;
  li.append(name, ' ', id, i === 0 ? ' (calling now)' : ' (acted for by the one above)');
  return li;
}

function render(run) {
  $('mcp-status').textContent = {
    'running': 'working…',
    'awaiting-consent': 'waiting for your approval…',
    'done': `done (tools: ${(run.tools ?? []).join(', ')})`,
    'failed': `failed: ${run.error ? `${run.error.error}: ${run.error.error_description}` : 'unknown error'}`,
  }[run.status] ?? run.status;
  const consent = $('mcp-consent');
  const href = run.status === 'awaiting-consent' && run.interaction ? httpHref(run.interaction.url) : undefined;
  consent.hidden = href === undefined;
  if (href !== undefined) consent.href = href;
  const hop = run.delegatedHop;
  $('mcp-hop').hidden = !hop;
  if (hop) {
    $('mcp-resource').textContent = hop.resource;
    $('mcp-subject').textContent = hop.subject.name;
    $('mcp-scope').textContent = hop.scope.join(' ');
    $('mcp-act').replaceChildren(...hop.act.map(actorItem));
    if (run.outlook) $('mcp-outlook').textContent = `Outlook for ${Object.keys(run.outlook.segments).join(', ')} in ${Object.keys(run.outlook.regions).join(', ')}, ${run.outlook.horizonWeeks} weeks (${run.outlook.source}).`;
  }
  document.body.dataset.mcpStatus = run.status;
}

async function poll(id) {
  const response = await fetch(`/api/mcp-runs/${encodeURIComponent(id)}`);
  if (!response.ok) throw new Error(`MCP run ${id}: HTTP ${response.status}`);
  const run = await response.json();
  render(run);
  if (run.status === 'done' || run.status === 'failed') {
    $('mcp-run').disabled = false;
    return;
  }
  polling = setTimeout(() => poll(id).catch(fail), 400);
}

function fail(err) {
  $('mcp-run').disabled = false;
  $('mcp-status').textContent = String(err.message ?? err);
}

async function start() {
  clearTimeout(polling);
  $('mcp-run').disabled = true;
  $('mcp-hop').hidden = true;
  const response = await fetch('/api/mcp-runs', { method: 'POST' });
  const body = await response.json();
  if (!response.ok) throw new Error(`${body.error}: ${body.error_description}`);
  await poll(body.id);
}

$('mcp-run').addEventListener('click', () => start().catch(fail));
// The MCP surface is part of the 2026-03 story only.
fetch('/api/config').then((r) => r.json()).then((config) => { $('mcp').hidden = config.profile === 'aauth-current'; }).catch(fail);
