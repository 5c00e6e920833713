/**
 * The running system the fuzz suite attacks: scripts/soak/servers.js in a child process of its own
 * (the embedded auth server, an express resource guarded by `aauth()`, two agent servers and a
 * trusted issuer, all on 127.0.0.1). A process of its own, so that its own `unhandledRejection`
 * and `uncaughtException` listeners see what its servers leave unhandled (inside jest, the test's
 * `process` is a copy and jest owns the real listeners), and so that a crash shows as an exit.
 * The child runs the built packages (`dist`; `npm test` builds them first) and hands over the keys
 * and tokens from which valid signed requests are built.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createResourceToken, importSigningKey, type PrivateJwk, type SigningKey } from '@aauth-ts/core';

const SERVERS = fileURLToPath(new URL('../../../../scripts/soak/servers.js', import.meta.url));

export const SCOPE = 'data:read';
export const SELF_SCOPE = 'self:profile';

export interface FuzzAgent {
  readonly id: string;
  readonly delegate: SigningKey;
  readonly agentToken: string;
}

export interface ServersReport {
  readonly unexpected: readonly string[];
  readonly unexpectedCount: number;
  readonly rejections: readonly string[];
  readonly rejectionCount: number;
  /** Remote fetch failures the servers logged (expected under hostile input; never shown to callers). */
  readonly fetchFailures: number;
}

export interface FuzzWorld {
  readonly issuer: string;
  readonly authPort: number;
  readonly resourcePort: number;
  readonly resourceId: string;
  /** Autonomous agent (may obtain `data:read` and `self:profile`). */
  readonly agent: FuzzAgent;
  /** Agent whose requests need the user's consent (202). */
  readonly consentAgent: FuzzAgent;
  /** An auth token for `agent` at the resource (`data:read`). */
  readonly authToken: string;
  /** A user's token from the trusted issuer, issued to `agent` (call chaining and token exchange). */
  readonly subjectToken: string;
  /** Path of a pending request made by `consentAgent`. */
  readonly pendingPath: string;
  /** Exit code or signal of the servers' process, once it has exited. */
  exited(): string | undefined;
  freshResourceToken(agent?: FuzzAgent): Promise<string>;
  /** What the servers logged as unexpected and what their process saw unhandled, so far. */
  report(): Promise<ServersReport>;
  close(): Promise<void>;
}

interface Ready {
  readonly type: 'ready';
  readonly issuer: string;
  readonly authPort: number;
  readonly resourcePort: number;
  readonly resourceId: string;
  readonly resourceKey: PrivateJwk;
  readonly agent: { id: string; delegate: PrivateJwk; agentToken: string };
  readonly consentAgent: { id: string; delegate: PrivateJwk; agentToken: string };
  readonly authToken: string;
  readonly subjectToken: string;
  readonly pendingPath: string;
}

type Message = Ready | ({ readonly type: 'report' } & ServersReport);

/** One reply per request, in order. */
function inbox(child: ChildProcess): () => Promise<Message> {
  const queued: Message[] = [];
  const waiting: Array<(message: Message) => void> = [];
  child.on('message', (message: Message) => {
    const resolve = waiting.shift();
    if (resolve) resolve(message);
    else queued.push(message);
  });
  return () => {
    const message = queued.shift();
    return message ? Promise.resolve(message) : new Promise((resolve) => waiting.push(resolve));
  };
}

export async function startFuzzWorld(): Promise<FuzzWorld> {
  const child = fork(SERVERS, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => { exit = String(signal ?? code); resolve(); }));
  const next = inbox(child);
  const ready = await Promise.race([next(), exited.then((): never => { throw new Error(`the servers' process exited before it was ready (${exit})`); })]);
  if (ready.type !== 'ready') throw new Error(`unexpected first message from the servers: ${ready.type}`);
  const resourceKey = importSigningKey(ready.resourceKey);
  const agentOf = (a: Ready['agent']): FuzzAgent => ({ id: a.id, delegate: importSigningKey(a.delegate), agentToken: a.agentToken });
  const agent = agentOf(ready.agent);
  const consentAgent = agentOf(ready.consentAgent);
  return {
    issuer: ready.issuer, authPort: ready.authPort, resourcePort: ready.resourcePort, resourceId: ready.resourceId,
    agent, consentAgent, authToken: ready.authToken, subjectToken: ready.subjectToken, pendingPath: ready.pendingPath,
    exited: () => exit,
    freshResourceToken: (who = agent) => createResourceToken(resourceKey, { iss: ready.resourceId, aud: ready.issuer, agent: who.id, agentJkt: who.delegate.thumbprint, scope: SCOPE }),
    async report() {
      if (exit !== undefined) throw new Error(`the servers' process has exited (${exit})`);
      child.send({ type: 'report' });
      const message = await next();
      if (message.type !== 'report') throw new Error(`unexpected message from the servers: ${message.type}`);
      return message;
    },
    async close() {
      if (exit === undefined) child.send({ type: 'stop' });
      await exited;
    },
  };
}
