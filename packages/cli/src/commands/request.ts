/**
 * `aauth request <url>`: a curl for AAuth. Signs the request as the agent in a keygen directory,
 * answers a `401` challenge (verifies the resource token, asks the auth server it names, waits out
 * a `202`), retries with the auth token, and prints the response with every token decoded.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AAuthClient, AgentSession, type RequestSigner } from '@aauth-ts/agent';
import { AAuthError, PROFILE } from '@aauth-ts/core';
import { agentServerFrom, readAgentFiles } from '../agent-files/agent-files.js';
import { CliError, EXIT } from '../errors.js';
import { printJson, printLine } from '../output/print.js';
import { progress } from '../output/progress.js';
import { out } from '../output/style.js';
import { FlowRecord } from '../request/flow-record.js';
import { formatToken } from './decode.js';

interface RequestOptions {
  readonly keyDir: string;
  readonly method?: string;
  readonly header: string[];
  readonly data?: string;
  readonly authServer: string[];
  readonly scheme: string;
  readonly sub: string;
  readonly purpose?: string;
  readonly loginHint?: string;
  readonly timeout: string;
  readonly development?: boolean;
  readonly fail?: boolean;
  readonly verbose?: boolean;
  readonly json?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function headersFrom(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new CliError('invalid_option', `-H needs "Name: value", got ${JSON.stringify(line)}`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** `-d @file` reads the file, `-d text` sends the text (as curl). */
function bodyFrom(data: string | undefined): string | undefined {
  if (data === undefined || !data.startsWith('@')) return data;
  try {
    return readFileSync(data.slice(1), 'utf8');
  } catch (cause) {
    throw new CliError('invalid_option', `cannot read ${data.slice(1)}: ${(cause as Error).message}`);
  }
}

function signerFor(options: RequestOptions): RequestSigner {
  const server = agentServerFrom(readAgentFiles(options.keyDir), options.development === true);
  switch (options.scheme) {
    // A delegate key vouched for by an agent token the agent key signs here (2026-03 §Agent Tokens).
    case 'jwt': return AgentSession.delegateOf(server, { sub: options.sub });
    // The agent key itself, found through the hosted JWKS (§Signature-Key jwks_uri).
    case 'jwks_uri': return AgentSession.asAgentServer(server);
    default: throw new CliError('invalid_option', `--scheme must be jwt or jwks_uri, got ${options.scheme}`);
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (/\bjson\b/i.test(response.headers.get('content-type') ?? '')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function describeFailure(cause: unknown): { code: string; message: string; detail?: unknown } {
  if (cause instanceof AAuthError) {
    // The library speaks of its `authServers` option; here that is --auth-server.
    const message = cause.detail.field === PROFILE.challenge.params.authServer ? `${cause.message}; name the auth servers this agent may use with --auth-server <issuer>` : cause.message;
    const { field, reason } = cause.detail;
    return { code: cause.code, message, ...(field === undefined && reason === undefined ? {} : { detail: { field, reason } }) };
  }
  if (cause instanceof CliError) return { code: cause.code, message: cause.message };
  if (cause instanceof TypeError && cause.cause instanceof Error) return { code: 'connection_failed', message: `${cause.message}: ${cause.cause.message}` };
  return { code: 'request_failed', message: cause instanceof Error ? cause.message : String(cause) };
}

export function registerRequest(program: Command): void {
  program
    .command('request')
    .description('send a signed request as an agent: answer the AAuth challenge, exchange, retry; print the response and each token decoded')
    .argument('<url>', 'the resource URL')
    .option('--key-dir <dir>', 'the directory keygen wrote (served by serve-agent)', '.')
    .option('-X, --method <method>', 'HTTP method (default GET, POST with --data)')
    .option('-H, --header <header>', 'extra header "Name: value" (repeatable)', collect, [])
    .option('-d, --data <body>', 'request body (@file reads a file); give its Content-Type with -H')
    .option('--auth-server <issuer>', 'an auth server this agent may use (repeatable; default any https issuer)', collect, [])
    .option('--scheme <scheme>', 'identity on the first request: jwt (a delegate key with an agent token) or jwks_uri (the agent key)', 'jwt')
    .option('--sub <id>', 'the delegate id in the agent token', 'aauth-cli')
    .option('--purpose <text>', 'purpose sent with the token request (shown on the consent page)')
    .option('--login-hint <hint>', 'login_hint sent with the token request')
    .option('--timeout <seconds>', 'how long to wait for a user to approve (202)', '300')
    .option('--development', 'http loopback identifiers and issuers (never in production)')
    .option('--fail', 'exit 22 when the final response is 400 or above (as curl --fail)')
    .option('-v, --verbose', 'show every step and the signature base of each signed request')
    .option('--json', 'print {status, headers, body, tokens, steps} as JSON')
    .action(async (target: string, options: RequestOptions) => {
      let url: URL;
      try {
        url = new URL(target);
      } catch {
        throw new CliError('invalid_url', `${JSON.stringify(target)} is not a URL`);
      }
      const timeoutSeconds = Number(options.timeout);
      if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new CliError('invalid_option', `--timeout must be a positive number of seconds, got ${options.timeout}`);
      const headers = headersFrom(options.header);
      const body = bodyFrom(options.data);
      if (body !== undefined) headers['content-type'] ??= 'application/octet-stream';
      const method = (options.method ?? (body === undefined ? 'GET' : 'POST')).toUpperCase();
      const show = progress({ json: options.json === true, verbose: options.verbose === true });
      const record = new FlowRecord((step, bases) => {
        show.step(step.summary);
        if (options.verbose) for (const { label, base } of bases) show.detail(`signature base (${label}):\n${base}`);
      });
      const session = signerFor(options);
      const client = new AAuthClient({
        session,
        development: options.development === true,
        ...(options.authServer.length > 0 ? { authServers: options.authServer } : {}),
        onEvent: record.onEvent,
        onInteraction: ({ url: interactionUrl }) => {
          // The user approves in a browser; this process keeps polling meanwhile.
          process.stderr.write(`${out.yellow('!')} a user must approve: open ${interactionUrl}\n`);
        },
        pendingTimeoutMs: timeoutSeconds * 1000,
        ...(options.purpose === undefined ? {} : { purpose: options.purpose }),
        ...(options.loginHint === undefined ? {} : { loginHint: options.loginHint }),
      });
      const agentToken = async (): Promise<void> => {
        if (session instanceof AgentSession && session.scheme === 'jwt') record.addToken(await session.agentToken());
      };
      let response: Response;
      try {
        response = await client.fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
      } catch (cause) {
        await agentToken().catch(() => undefined);
        const error = describeFailure(cause);
        if (options.json) printJson({ error, tokens: record.tokens, steps: record.steps });
        else process.stderr.write(`${out.red('error')} ${error.code}: ${error.message}\n`);
        process.exitCode = EXIT.failed;
        return;
      }
      await agentToken();
      const responseHeaders: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        responseHeaders[name] = value;
      });
      const responseBody = await readBody(response);
      if (options.fail && response.status >= 400) process.exitCode = 22;
      if (options.json) {
        printJson({ status: response.status, headers: responseHeaders, body: responseBody, tokens: record.tokens, steps: record.steps });
        return;
      }
      const colour = response.status < 300 ? out.green : response.status < 400 ? out.yellow : out.red;
      printLine(colour(`HTTP ${response.status} ${response.statusText}`.trim()));
      for (const [name, value] of Object.entries(responseHeaders)) printLine(`${out.dim(`${name}:`)} ${value}`);
      printLine();
      printLine(typeof responseBody === 'string' ? responseBody : JSON.stringify(responseBody, null, 2));
      for (const token of record.tokens) {
        printLine();
        printLine(formatToken(token, `${token.kind} token (${String(token.header.typ ?? 'no typ')})`));
      }
    });
}
