/**
 * The backend: serves the web UI and acts as an agent for the user. It is an agent server in its
 * own right (`aauth-agent.json` and JWKS at its identifier) and signs with a delegate key that
 * carries an agent token it issued itself (`Signature-Key: sig=jwt`, 2026-03 §Agent Tokens).
 *
 * Its second identity, `backend-autonomous`, is used for runs without a user: that agent is not
 * configured for consent in the realm, so its tokens carry no `sub`. The autonomous identity's
 * metadata is served by `createAutonomousIdentityApp` on its own port.
 *
 * API (JSON): `POST /api/runs {mode: "user"|"autonomous"}` → `202 {id}`; `GET /api/runs/{id}` →
 * the run's state (hops, chain, interaction link while consent is pending, plan when done);
 * `GET /api/config` → the cast (identifiers and the demo login).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import { AAUTH_CURRENT } from '@aauth-ts/core';
import { AgentServer, AgentSession } from '@aauth-ts/agent';
import { aauthErrorHandler } from '@aauth-ts/resource';
import type { DemoConfig } from '../../common/src/config.js';
import { notFound } from '../../common/src/http.js';
import { AGENT_LOCAL_NAMES, agentIdentifierOf, partyNames } from '../../common/src/parties.js';
import type { StoryLogger } from '../../common/src/story-log.js';
import { mcpRunsRouter } from './mcp-runs.js';
import { RecentRuns } from './recent-runs.js';
import { runFlow, type RunMode, type RunState } from './run-flow.js';

export const OPTIMIZE_URL_PATH = '/optimize';
const MAX_RUNS = 50;

export interface BackendIdentities {
  readonly user: AgentServer;
  readonly autonomous: AgentServer;
}

export interface BackendAppOptions {
  readonly config: DemoConfig;
  readonly identities?: BackendIdentities;
  readonly logger?: StoryLogger;
  /** Where index.html, app.js and style.css live (default: examples/backend/public). */
  readonly publicDir?: string;
  /** Deadline for the user's consent, ms (default 5 min). */
  readonly pendingTimeoutMs?: number;
}

export interface BackendApp {
  readonly app: Express;
  readonly identities: BackendIdentities;
  /** Cancels the runs still waiting (on shutdown). */
  close(): void;
}

/** examples/backend/public, from the source tree or from the compiled examples/dist tree. */
export function defaultPublicDir(): string {
  const candidates = ['../public/', '../../../backend/public/'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  return candidates.find((dir) => existsSync(`${dir}index.html`)) ?? (candidates[0] as string);
}

export function createIdentities(config: DemoConfig): BackendIdentities {
  return {
    user: new AgentServer({ identifier: config.backend.identifier, development: config.development, profile: config.profile, metadata: { client_name: 'Demo backend' } }),
    autonomous: new AgentServer({ identifier: config.backendAutonomous.identifier, development: config.development, profile: config.profile, metadata: { client_name: 'Demo backend (autonomous mode)' } }),
  };
}

/**
 * Current profile: there is no run without a person. Every token the Person Server issues is for a
 * person (§Auth Token Structure: `sub` is required), and the first person token for a resource
 * needs that person's approval (§Person Token Exposure).
 */
export function modesOf(config: DemoConfig): readonly RunMode[] {
  return config.profile === AAUTH_CURRENT.name ? ['user'] : ['user', 'autonomous'];
}

/**
 * The backend's signers. 2026-03: delegates named by a delegate id. Current profile: agents named
 * by an agent identifier of the backend's domain (§Agent Identifiers), bound to the demo user in
 * the realm (§Agent-Person Binding).
 */
function sessionsOf(config: DemoConfig, identities: BackendIdentities): Record<RunMode, { session: AgentSession; agent?: string }> {
  if (config.profile !== AAUTH_CURRENT.name) {
    return {
      user: { session: AgentSession.delegateOf(identities.user, { sub: 'web-ui' }) },
      autonomous: { session: AgentSession.delegateOf(identities.autonomous, { sub: 'scheduler' }) },
    };
  }
  const user = identities.user.agentIdentifier(AGENT_LOCAL_NAMES.backend);
  const autonomous = identities.autonomous.agentIdentifier(AGENT_LOCAL_NAMES.backendAutonomous);
  return {
    user: { session: AgentSession.delegateOf(identities.user, { sub: user }), agent: user },
    autonomous: { session: AgentSession.delegateOf(identities.autonomous, { sub: autonomous }), agent: autonomous },
  };
}

/** The autonomous identity's own origin: only its `aauth-agent.json` and JWKS. */
export function createAutonomousIdentityApp(identity: AgentServer): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(identity.router());
  app.use(notFound);
  return app;
}

function isMode(value: unknown): value is RunMode {
  return value === 'user' || value === 'autonomous';
}

export function createBackendApp(options: BackendAppOptions): BackendApp {
  const { config, logger } = options;
  const identities = options.identities ?? createIdentities(config);
  const sessions = sessionsOf(config, identities);
  const modes = modesOf(config);
  const parties = partyNames(config);
  const runs = new RecentRuns<RunState>(MAX_RUNS);
  const shutdown = new AbortController();

  const app = express();
  app.disable('x-powered-by');
  app.use(identities.user.router());
  app.use(express.static(options.publicDir ?? defaultPublicDir(), { index: 'index.html', maxAge: 0 }));

  app.get('/api/config', (_req, res) => {
    res.json({
      profile: config.profile,
      modes,
      // Current profile: the agents by their agent identifiers, as the chain names them.
      ...(config.profile === AAUTH_CURRENT.name ? {
        agents: {
          [String(sessions.user.agent)]: 'the backend',
          [agentIdentifierOf(config.supplyChain.identifier, AGENT_LOCAL_NAMES.supplyChain, config.development)]: 'the supply-chain agent',
        },
      } : {}),
      user: config.user.username,
      userId: config.user.id,
      issuer: config.issuer,
      backend: config.backend.identifier,
      backendAutonomous: config.backendAutonomous.identifier,
      supplyChain: config.supplyChain.identifier,
      marketAnalysis: config.marketAnalysis.identifier,
    });
  });

  app.post('/api/runs', express.json({ limit: '4kb' }), (req, res) => {
    const body: unknown = req.body;
    const mode = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).mode : undefined;
    if (!isMode(mode)) {
      res.status(400).json({ error: 'invalid_request', error_description: '"mode" must be "user" or "autonomous"' });
      return;
    }
    if (!modes.includes(mode)) {
      res.status(400).json({ error: 'invalid_request', error_description: `the ${config.profile} profile has no ${mode} run: every token its Person Server issues is for a person` });
      return;
    }
    const run: RunState = { id: randomUUID(), mode, status: 'running', startedAt: new Date().toISOString(), hops: [], chain: [] };
    runs.add(run);
    logger?.info(`run ${run.id} started`, { mode });
    // The run id makes every request body (and so every signature) distinct; see run-flow.ts.
    void runFlow(run, { horizonWeeks: 8, serviceLevel: 0.95, runId: run.id }, {
      ...sessions[mode],
      supplyChainUrl: `${config.supplyChain.identifier}${OPTIMIZE_URL_PATH}`,
      profile: config.profile,
      issuer: config.issuer,
      development: config.development,
      parties,
      purpose: 'Plan next quarter\'s laptop orders',
      signal: shutdown.signal,
      ...(logger ? { logger } : {}),
      ...(options.pendingTimeoutMs === undefined ? {} : { pendingTimeoutMs: options.pendingTimeoutMs }),
    }).then(() => logger?.info(`run ${run.id} ${run.status}`, run.error ? { ...run.error } : {}));
    res.status(202).json({ id: run.id, status: run.status });
  });

  app.get('/api/runs/:id', runs.show('run'));

  app.use(mcpRunsRouter({ config, session: sessions.user.session, parties, signal: shutdown.signal, ...(logger ? { logger } : {}) }));
  app.use(notFound);
  app.use(aauthErrorHandler({ log: (err) => logger?.error('unexpected error', { error: String(err) }) }));
  return { app, identities, close: () => shutdown.abort(new Error('the backend is shutting down')) };
}
