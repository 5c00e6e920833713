/**
 * The `aauth` command line, run as a user runs it: the built bin as a child process, against real
 * servers on loopback (the embedded auth server and an express resource in this process, the agent
 * documents hosted by `aauth serve-agent` in another). `npm test` builds with `tsc -b` first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { createAuthServer, type AuthServer } from '@aauth-ts/auth-server';
import { aauth, aauthErrorHandler, type AAuthRequest } from '@aauth-ts/resource';
import { createAgentToken, generateSigningKey } from '@aauth-ts/core';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'packages/cli/bin/aauth.js');

interface Run { readonly code: number | null; readonly stdout: string; readonly stderr: string }

/** Environment without colour switches, so each test says what it wants. */
function plainEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  return { ...env, ...extra };
}

function run(args: readonly string[], env: NodeJS.ProcessEnv = plainEnv()): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function waitFor(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`serve-agent exited (${child.exitCode}): ${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up: ${log()}`);
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

const ANSI = /\x1b\[/;
/** A test that starts the bin more than once: each start loads the packages, slow on a busy machine. */
const SEVERAL_RUNS = 90_000;

describe('aauth CLI', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'packages/cli/dist/main.js'))) throw new Error('packages/cli/dist is not built: run `npx tsc -b` first (npm test does)');
  });
  const dirs: string[] = [];
  const tmp = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'aauth-cli-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('lists its commands', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['keygen', 'serve-agent', 'request', 'decode', 'realm']) expect(r.stdout).toContain(command);
  });

  describe('keygen', () => {
    it('writes the private key (owner-only), the agent metadata and the public JWKS', async () => {
      const dir = tmp();
      const r = await run(['keygen', '--agent', 'https://agent.example', '--out', dir, '--name', 'Nightly report', '--json']);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as { agent: string; kid: string; files: Record<string, string> };
      expect(out.agent).toBe('https://agent.example');
      const metadata = JSON.parse(readFileSync(join(dir, 'aauth-agent.json'), 'utf8')) as Record<string, unknown>;
      expect(metadata).toEqual({ agent: 'https://agent.example', jwks_uri: 'https://agent.example/.well-known/jwks.json', client_name: 'Nightly report' });
      const jwks = JSON.parse(readFileSync(join(dir, 'jwks.json'), 'utf8')) as { keys: Record<string, unknown>[] };
      expect(jwks.keys).toHaveLength(1);
      expect(jwks.keys[0]).toMatchObject({ kid: out.kid, kty: 'OKP', crv: 'Ed25519' });
      expect(jwks.keys[0]).not.toHaveProperty('d');
      const keyFile = join(dir, 'agent-key.json');
      expect(JSON.parse(readFileSync(keyFile, 'utf8'))).toMatchObject({ keys: [{ kid: out.kid, d: expect.any(String) }] });
      expect(statSync(keyFile).mode & 0o077).toBe(0);
    });

    it('refuses an http identifier outside --development, and never overwrites a key without --force', async () => {
      const dir = tmp();
      const insecure = await run(['keygen', '--agent', 'http://127.0.0.1:9', '--out', dir]);
      expect(insecure.code).toBe(2);
      expect(insecure.stderr).toMatch(/--development/);
      expect((await run(['keygen', '--agent', 'https://agent.example', '--out', dir])).code).toBe(0);
      const again = await run(['keygen', '--agent', 'https://agent.example', '--out', dir]);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/--force/);
    }, SEVERAL_RUNS);
  });

  describe('decode', () => {
    it('shows header and claims of a token, and says it did not verify it', async () => {
      const key = generateSigningKey();
      const token = await createAgentToken(key, { iss: 'https://agent.example', sub: 'delegate-1', cnfJwk: generateSigningKey().publicJwk, lifetimeSeconds: 300 });
      const json = await run(['decode', token, '--json']);
      expect(json.code).toBe(0);
      const decoded = JSON.parse(json.stdout) as { header: Record<string, unknown>; payload: Record<string, unknown>; verified: boolean };
      expect(decoded.header).toMatchObject({ typ: 'agent+jwt', kid: key.kid });
      expect(decoded.payload).toMatchObject({ iss: 'https://agent.example', sub: 'delegate-1' });
      expect(decoded.verified).toBe(false);
      const text = await run(['decode', token]);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain('agent+jwt');
      expect(text.stdout).toMatch(/not verified/i);
      expect(text.stdout).not.toMatch(ANSI);
    }, SEVERAL_RUNS);

    it('refuses what is not a JWT with exit code 2 and a sentence', async () => {
      const r = await run(['decode', 'not-a-token']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/not a JWT/);
    });

    it('colours only when asked on a non-TTY (FORCE_COLOR), and NO_COLOR wins', async () => {
      const token = await createAgentToken(generateSigningKey(), { iss: 'https://agent.example', sub: 'd', cnfJwk: generateSigningKey().publicJwk, lifetimeSeconds: 300 });
      expect((await run(['decode', token], plainEnv({ FORCE_COLOR: '1' }))).stdout).toMatch(ANSI);
      expect((await run(['decode', token], plainEnv({ FORCE_COLOR: '1', NO_COLOR: '1' }))).stdout).not.toMatch(ANSI);
    }, SEVERAL_RUNS);
  });

  describe('realm check', () => {
    interface Finding { level: 'error' | 'warning'; code: string; path: string; message: string }
    interface Report { file: string; ok: boolean; errors: number; warnings: number; findings: Finding[] }

    it('the demo realm fails outside development: loopback, no TLS, plaintext password, http identifiers', async () => {
      const r = await run(['realm', 'check', 'keycloak-realm.json', '--json']);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as Report;
      expect(report.ok).toBe(false);
      const errors = report.findings.filter((f) => f.level === 'error').map((f) => f.code);
      expect(errors).toEqual(expect.arrayContaining(['loopback_allowed', 'ssl_not_required', 'plaintext_password', 'insecure_identifier']));
      expect(report.findings.find((f) => f.code === 'plaintext_password')?.path).toBe('users[username=mcp-user].credentials[0].value');
    });

    it('the demo realm passes with --development (its unsafe settings are warnings there)', async () => {
      const r = await run(['realm', 'check', 'keycloak-realm.json', '--development', '--json']);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as Report;
      expect(report.errors).toBe(0);
      expect(report.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['loopback_allowed', 'ssl_not_required']));
    });

    it('the production realm template passes', async () => {
      const r = await run(['realm', 'check', 'keycloak-realm.production.json']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/0 errors/);
    });

    it('a realm the auth server cannot load is an error with its path', async () => {
      const dir = tmp();
      const file = join(dir, 'broken-realm.json');
      writeFileSync(file, JSON.stringify({ realm: 'broken', sslRequired: 'external', clients: [{ clientId: 'not a url', attributes: { 'aauth.agent': 'true' } }] }));
      const r = await run(['realm', 'check', file, '--json']);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as Report;
      expect(report.findings[0]).toMatchObject({ level: 'error', code: 'realm_invalid', path: 'clients[0].clientId' });
    });

    it('an agent without scopes, a resource offering none and consent-free agents are reported', async () => {
      const dir = tmp();
      const file = join(dir, 'thin-realm.json');
      writeFileSync(file, JSON.stringify({
        realm: 'thin', sslRequired: 'external',
        clients: [
          { clientId: 'https://agent.example', attributes: { 'aauth.agent': 'true' } },
          { clientId: 'https://api.example', attributes: { 'aauth.resource': 'true' } },
        ],
      }));
      const r = await run(['realm', 'check', file, '--json']);
      const codes = (JSON.parse(r.stdout) as Report).findings.map((f) => f.code);
      expect(codes).toEqual(expect.arrayContaining(['agent_without_scopes', 'resource_without_scopes']));
      expect(r.code).toBe(0);
    });
  });

  describe('a full request: keygen → serve-agent → request through the embedded auth server', () => {
    let authServer: AuthServer;
    let issuer: string;
    let resource: Server;
    let resourceId: string;
    let agentPort: number;
    let agentId: string;
    let keyDir: string;
    let serving: ChildProcess;
    let servingLog = '';

    beforeAll(async () => {
      agentPort = await freePort();
      agentId = `http://127.0.0.1:${agentPort}`;
      keyDir = tmp();
      const keygen = await run(['keygen', '--agent', agentId, '--development', '--out', keyDir, '--name', 'CLI agent']);
      expect(keygen.code).toBe(0);

      resource = createServer();
      await new Promise<void>((resolve) => resource.listen(0, '127.0.0.1', resolve));
      resourceId = `http://127.0.0.1:${(resource.address() as AddressInfo).port}`;

      authServer = createAuthServer({
        log: () => undefined,
        realm: {
          realm: 'cli',
          attributes: { 'aauth.allowLoopback': 'true' },
          clientScopes: [{ name: 'inventory:read', description: 'Read the inventory', attributes: { 'aauth.resource': resourceId } }],
          clients: [
            { clientId: agentId, name: 'CLI agent', attributes: { 'aauth.agent': 'true' }, optionalClientScopes: ['inventory:read'] },
            { clientId: resourceId, name: 'Inventory', attributes: { 'aauth.resource': 'true' } },
          ],
        },
      });
      ({ issuer } = await authServer.listen(0));

      const mw = aauth({ resource: resourceId, signingKey: generateSigningKey(), authServer: issuer, development: true });
      const app = express();
      app.use(mw);
      app.get('/inventory', mw.requireAuth({ scope: 'inventory:read' }), (req, res) => {
        const ctx = (req as AAuthRequest).aauth;
        res.json({ agent: ctx.agent, scopes: ctx.scopes });
      });
      app.use(aauthErrorHandler());
      resource.on('request', app);

      serving = spawn(process.execPath, [bin, 'serve-agent', '--dir', keyDir, '--development'], { cwd: root, env: plainEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      serving.stdout?.on('data', (c: Buffer) => { servingLog += c.toString('utf8'); });
      serving.stderr?.on('data', (c: Buffer) => { servingLog += c.toString('utf8'); });
      await waitFor(`${agentId}/.well-known/aauth-agent.json`, serving, () => servingLog);
    }, SEVERAL_RUNS);

    afterAll(async () => {
      if (serving && serving.exitCode === null) {
        const exited = new Promise((resolve) => serving.once('exit', resolve));
        serving.kill('SIGTERM');
        await exited;
      }
      await authServer?.close();
      if (resource) await stop(resource);
    });

    it('serve-agent hosts the metadata and JWKS that keygen wrote', async () => {
      const metadata = await (await fetch(`${agentId}/.well-known/aauth-agent.json`)).json() as Record<string, unknown>;
      expect(metadata).toEqual(JSON.parse(readFileSync(join(keyDir, 'aauth-agent.json'), 'utf8')));
      const jwks = await (await fetch(`${agentId}/.well-known/jwks.json`)).json() as unknown;
      expect(jwks).toEqual(JSON.parse(readFileSync(join(keyDir, 'jwks.json'), 'utf8')));
    });

    it('request --json: signs, answers the 401, exchanges, retries, and decodes every token', async () => {
      const r = await run(['request', `${resourceId}/inventory`, '--key-dir', keyDir, '--development', '--auth-server', issuer, '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as {
        status: number; body: unknown;
        tokens: { kind: string; header: Record<string, unknown>; payload: Record<string, unknown> }[];
        steps: { type: string }[];
      };
      expect(out.status).toBe(200);
      expect(out.body).toEqual({ agent: agentId, scopes: ['inventory:read'] });
      const kinds = out.tokens.map((t) => t.kind);
      expect(kinds).toEqual(expect.arrayContaining(['agent', 'resource', 'auth']));
      const auth = out.tokens.find((t) => t.kind === 'auth');
      expect(auth?.header.typ).toBe('auth+jwt');
      expect(auth?.payload).toMatchObject({ iss: issuer, aud: resourceId, agent: agentId, scope: 'inventory:read' });
      expect(out.tokens.find((t) => t.kind === 'resource')?.payload).toMatchObject({ iss: resourceId, aud: issuer, agent: agentId });
      expect(out.steps.map((s) => s.type)).toEqual(expect.arrayContaining(['request.signed', 'challenge', 'token.issued', 'response']));
    });

    it('request --verbose shows each signature base; the text output decodes the tokens', async () => {
      const r = await run(['request', `${resourceId}/inventory`, '--key-dir', keyDir, '--development', '--auth-server', issuer, '--verbose']);
      expect(r.code).toBe(0);
      const all = r.stdout + r.stderr;
      expect(all).toContain('"@method": GET');
      expect(all).toContain(`"@authority": 127.0.0.1:${(resource.address() as AddressInfo).port}`);
      expect(all).toContain('"@path": /inventory');
      expect(all).toMatch(/"@signature-params": \("@method" "@authority" "@path" "signature-key"\);created=\d+/);
      expect(all).toContain('auth+jwt');
      expect(all).toContain('resource+jwt');
      expect(r.stdout).toContain('HTTP 200');
      expect(all).not.toMatch(ANSI);
    });

    it('request names what failed, with a non-zero exit, when the auth server is not allowed', async () => {
      const r = await run(['request', `${resourceId}/inventory`, '--key-dir', keyDir, '--development', '--auth-server', 'https://elsewhere.example', '--json']);
      expect(r.code).toBe(1);
      const out = JSON.parse(r.stdout) as { error: { code: string; message: string } };
      expect(out.error.code).toBe('invalid_resource_token');
      expect(out.error.message).toMatch(/is not one of the agent's authServers.*--auth-server <issuer>/);
    });
  });
});
