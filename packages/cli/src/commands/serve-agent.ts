/**
 * `aauth serve-agent`: hosts an agent's metadata and JWKS (the files `keygen` wrote) on the port of
 * its identifier, for an agent that is a script rather than a server. Stops on SIGINT/SIGTERM.
 */
import { createServer } from 'node:http';
import type { Command } from 'commander';
import { agentServerFrom, readAgentFiles } from '../agent-files/agent-files.js';
import { CliError, EXIT } from '../errors.js';
import { printJson, printLine } from '../output/print.js';
import { out } from '../output/style.js';

interface ServeOptions {
  readonly dir: string;
  readonly host: string;
  readonly port?: string;
  readonly development?: boolean;
  readonly json?: boolean;
}

/** The port to listen on: --port, else the identifier's (its explicit port, or 443/80). */
function listenPort(identifier: string, port: string | undefined): number {
  const url = new URL(identifier);
  const value = port ?? (url.port || (url.protocol === 'https:' ? '443' : '80'));
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError('invalid_option', `--port must be a port number, got ${value}`);
  return n;
}

export function registerServeAgent(program: Command): void {
  program
    .command('serve-agent')
    .description('serve /.well-known/aauth-agent.json and the JWKS from a keygen directory')
    .option('--dir <dir>', 'the directory keygen wrote', '.')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', "port to listen on (default: the identifier's; behind a TLS proxy, any)")
    .option('--development', 'accept an http loopback identifier')
    .option('--json', 'print {agent, metadata, jwks, listening} as JSON once listening')
    .action(async (options: ServeOptions) => {
      const files = readAgentFiles(options.dir);
      const agent = agentServerFrom(files, options.development === true);
      const port = listenPort(agent.identifier, options.port);
      const handler = agent.router();
      const server = createServer((req, res) => handler(req, res));
      await new Promise<void>((resolve, reject) => {
        server.once('error', (cause: NodeJS.ErrnoException) => reject(new CliError('listen_failed', `cannot listen on ${options.host}:${port}: ${cause.code ?? cause.message}`, EXIT.failed)));
        server.listen(port, options.host, resolve);
      });
      const listening = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
      const metadataUrl = `${agent.identifier}/.well-known/aauth-agent.json`;
      if (options.json) printJson({ agent: agent.identifier, metadata: metadataUrl, jwks: agent.metadata().jwks_uri, listening });
      else {
        printLine(`${out.green('✓')} serving agent ${out.bold(agent.identifier)} on ${listening}`);
        printLine(`  ${metadataUrl}`);
        printLine(`  ${agent.metadata().jwks_uri}`);
        printLine(out.dim('Ctrl-C stops'));
      }
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          server.close(() => resolve());
          server.closeAllConnections();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
