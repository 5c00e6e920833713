/** `aauth keygen`: a new agent identity, its signing key and the two documents that publish it. */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { generateSigningKey, type KeyType } from '@aauth-ts/core';
import { agentServerFrom, writeAgentFiles } from '../agent-files/agent-files.js';
import { CliError } from '../errors.js';
import { printJson, printLine } from '../output/print.js';
import { out } from '../output/style.js';

const KEY_TYPES: readonly KeyType[] = ['Ed25519', 'P-256', 'RSA'];

interface KeygenOptions {
  readonly agent: string;
  readonly out: string;
  readonly type: string;
  readonly name?: string;
  readonly development?: boolean;
  readonly force?: boolean;
  readonly json?: boolean;
}

export function registerKeygen(program: Command): void {
  program
    .command('keygen')
    .description('make an agent signing key and write agent-key.json (private, 0600), aauth-agent.json and jwks.json')
    .requiredOption('--agent <url>', 'the agent identifier: https://host (with --development also http://127.0.0.1:port)')
    .option('--out <dir>', 'directory for the files', '.')
    .option('--type <type>', `key type: ${KEY_TYPES.join(', ')}`, 'Ed25519')
    .option('--name <client_name>', 'client_name in the metadata (shown on consent pages)')
    .option('--development', 'allow an http loopback identifier with a port (never in production)')
    .option('--force', 'overwrite existing files (replaces the agent key)')
    .option('--json', 'print {agent, kid, files} as JSON')
    .action((options: KeygenOptions) => {
      if (!KEY_TYPES.includes(options.type as KeyType)) throw new CliError('invalid_option', `--type must be one of ${KEY_TYPES.join(', ')}, got ${options.type}`);
      if (!options.development && options.agent.startsWith('http://')) {
        throw new CliError('agent_identifier', `${options.agent} is http: agent identifiers are https, except loopback ones in development (add --development)`);
      }
      const dir = resolve(options.out);
      mkdirSync(dir, { recursive: true });
      const key = generateSigningKey(options.type as KeyType);
      const metadata = { agent: options.agent, jwks_uri: `${options.agent}/.well-known/jwks.json`, ...(options.name === undefined ? {} : { client_name: options.name }) };
      const server = agentServerFrom({ dir, metadata, keys: [key] }, options.development === true);
      const files = writeAgentFiles(dir, server, options.force === true);
      if (options.json) {
        printJson({ agent: server.identifier, kid: key.kid, files });
        return;
      }
      printLine(`${out.green('✓')} agent ${out.bold(server.identifier)}, ${options.type} key ${key.kid}`);
      printLine(`  ${files.key} ${out.dim('(private: keep it secret)')}`);
      printLine(`  ${files.metadata} ${out.dim(`(serve at ${server.identifier}/.well-known/aauth-agent.json)`)}`);
      printLine(`  ${files.jwks} ${out.dim(`(serve at ${server.metadata().jwks_uri})`)}`);
      printLine(out.dim(`next: aauth serve-agent --dir ${options.out}${options.development ? ' --development' : ''}`));
    });
}
