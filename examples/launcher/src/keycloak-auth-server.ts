/**
 * The `keycloak` auth server of the demo: a real Keycloak with the AAuth provider, started by
 * `scripts/keycloak.sh` (the Quarkus distribution, dev mode, in-memory database, 127.0.0.1 only).
 *
 * The issuer is `http://localhost:<auth port>/realms/aauth-test`, the same layout as the embedded
 * server's, so the agents' configuration does not change: Keycloak's `--hostname` is pinned to
 * exactly that origin, because Keycloak derives `iss` (and so the resource tokens' expected `aud`,
 * contract "Issuer") from its hostname, not from the request. The realm is the one the launcher
 * rewrote for the chosen ports, imported under its own name (it replaces the repository's copy of
 * the same realm that the script imports by default).
 *
 * Keycloak runs in its own process group (the script starts it with `setsid`), so it outlives this
 * process unless stopped: `close()` stops it, and so do Ctrl-C during startup and process exit.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROFILE } from '@aauth-ts/core';
import type { DemoConfig } from '../../common/src/config.js';
import type { StoryLogger } from '../../common/src/story-log.js';

export class KeycloakStartError extends Error {
  override readonly name = 'KeycloakStartError';
  readonly code = 'keycloak_start_failed';
}

export interface KeycloakOptions {
  readonly config: DemoConfig;
  /** The realm representation to import (rewritten for the chosen ports). */
  readonly realm: Record<string, unknown>;
  /** `scripts/keycloak.sh` of this repository. */
  readonly script: string;
  readonly logger: StoryLogger;
  /** Where the script's own progress lines go (Keycloak's log is a file under `.keycloak/`). */
  readonly progress?: NodeJS.WritableStream;
  /** How long to wait for the realm's AAuth metadata once Keycloak answers. Default 60 s. */
  readonly realmTimeoutMs?: number;
}

export interface KeycloakHandle {
  readonly issuer: string;
  readonly port: number;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The origin and realm name Keycloak must serve for `config.issuer`, or why it cannot. */
export function keycloakLayout(config: DemoConfig, realm: Record<string, unknown>): { origin: string; port: number; realmName: string } {
  const realmName = realm.realm;
  if (typeof realmName !== 'string' || realmName === '') throw new KeycloakStartError('the realm file has no "realm" name');
  const issuer = new URL(config.issuer);
  const port = issuer.port === '' ? (issuer.protocol === 'https:' ? 443 : 80) : Number(issuer.port);
  // Keycloak's issuer layout is {hostname}/realms/{realm}; anything else cannot be served.
  if (issuer.pathname !== `/realms/${realmName}` || issuer.search !== '' || issuer.hash !== '') {
    throw new KeycloakStartError(`Keycloak serves the realm "${realmName}" at ${issuer.origin}/realms/${realmName}, not ${config.issuer}`);
  }
  if (issuer.protocol !== 'http:') throw new KeycloakStartError(`the demo's Keycloak listens on plain http on loopback; ${config.issuer} is not http`);
  if (port !== config.authPort) throw new KeycloakStartError(`the issuer ${config.issuer} names port ${port}, but the auth port is ${config.authPort}`);
  return { origin: issuer.origin, port, realmName };
}

function runScript(script: string, args: readonly string[], progress: NodeJS.WritableStream | undefined): { done: Promise<number>; pid: number | undefined } {
  // A process group of its own, so a Ctrl-C on the terminal reaches only us, and we stop it in order.
  const child = spawn('bash', [script, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const forward = (chunk: Buffer): void => { progress?.write(chunk); };
  child.stdout.on('data', forward);
  child.stderr.on('data', forward);
  const done = new Promise<number>((resolve) => {
    child.on('error', () => resolve(127));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  return { done, pid: child.pid };
}

async function waitForRealm(issuer: string, timeoutMs: number): Promise<void> {
  const url = `http://127.0.0.1:${new URL(issuer).port}${new URL(issuer).pathname}/.well-known/${PROFILE.wellKnown.issuer}`;
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      const body = (await response.json().catch(() => undefined)) as { issuer?: unknown } | undefined;
      if (response.status === 200 && body?.issuer === issuer) return;
      last = response.status === 200 ? `issuer ${String(body?.issuer)}` : `HTTP ${response.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(500);
  }
  throw new KeycloakStartError(`Keycloak is up, but ${url} does not describe ${issuer} (${last})`);
}

/** Start Keycloak for `config.issuer` with `realm` imported; resolves once the realm's metadata answers. */
export async function startKeycloak(options: KeycloakOptions): Promise<KeycloakHandle> {
  const { config, realm, script, logger } = options;
  const { origin, port } = keycloakLayout(config, realm);
  const work = mkdtempSync(join(tmpdir(), 'aauth-demo-keycloak-'));
  const realmFile = join(work, 'realm.json');
  const pidfile = join(work, 'keycloak.pid');
  // Pretty-printed: the script reads the realm name from its own `"realm": "…"` line.
  writeFileSync(realmFile, `${JSON.stringify(realm, null, 2)}\n`);

  let stopped = false;
  const stopSync = (): void => {
    if (stopped) return;
    stopped = true;
    spawnSync('bash', [script, '--stop', '--port', String(port), '--pidfile', pidfile], { stdio: 'ignore' });
    rmSync(work, { recursive: true, force: true });
  };
  // Whatever ends this process (an error, process.exit), Keycloak must not be left running.
  process.on('exit', stopSync);

  logger.info(`starting Keycloak on 127.0.0.1:${port} as ${origin} (takes a minute or more; log: .keycloak/keycloak-${port}.log)`);
  const started = runScript(script, ['--port', String(port), '--hostname', origin, '--background', '--skip-tests', '--pidfile', pidfile, '--import', realmFile], options.progress);
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
    // The script's group (mvn, the readiness loop); Keycloak's own group is stopped via the pidfile.
    if (started.pid !== undefined) {
      try { process.kill(-started.pid, 'SIGTERM'); } catch { /* already gone */ }
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const code = await started.done;
    if (interrupted) throw new KeycloakStartError('interrupted while Keycloak was starting');
    if (code !== 0) throw new KeycloakStartError(`scripts/keycloak.sh exited with ${code} (see its lines above and .keycloak/keycloak-${port}.log)`);
    await waitForRealm(config.issuer, options.realmTimeoutMs ?? 60_000);
  } catch (err) {
    stopSync();
    process.off('exit', stopSync);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  logger.info(`Keycloak ready: ${config.issuer}`);
  return {
    issuer: config.issuer,
    port,
    close: async () => {
      process.off('exit', stopSync);
      if (stopped) return;
      stopped = true;
      await runScript(script, ['--stop', '--port', String(port), '--pidfile', pidfile], options.progress).done;
      rmSync(work, { recursive: true, force: true });
    },
  };
}
