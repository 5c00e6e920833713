/**
 * `aauth`: keys and documents for an agent, hosting them, signed requests through the whole
 * AAuth flow, token decoding and realm checks. Every command has `--json` for scripts.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerDecode } from './commands/decode.js';
import { registerKeygen } from './commands/keygen.js';
import { registerRealm } from './commands/realm-check.js';
import { registerRequest } from './commands/request.js';
import { registerServeAgent } from './commands/serve-agent.js';
import { CliError, EXIT } from './errors.js';
import { err } from './output/style.js';

const { version, bin } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string; bin: Record<string, string> };

const program = new Command(Object.keys(bin)[0])
  .description('AAuth from the command line: agent keys, agent documents, signed requests, tokens, realms')
  .version(version)
  .showHelpAfterError()
  .exitOverride();
registerKeygen(program);
registerServeAgent(program);
registerRequest(program);
registerDecode(program);
registerRealm(program);
for (const command of program.commands) command.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (cause) {
  if (cause instanceof CommanderError) {
    // Help and version are exits with 0; anything else commander refused is a usage error.
    process.exitCode = cause.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (cause instanceof CliError) {
    process.stderr.write(`${err.red('error')} ${cause.code}: ${cause.message}\n`);
    process.exitCode = cause.exitCode;
  } else {
    process.stderr.write(`${err.red('error')} ${cause instanceof Error ? cause.stack ?? cause.message : String(cause)}\n`);
    process.exitCode = EXIT.failed;
  }
}
