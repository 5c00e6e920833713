/** `aauth realm check <file>`: lint a Keycloak realm file for AAuth; exit 1 when it has errors. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { printJson, printLine } from '../output/print.js';
import { out } from '../output/style.js';
import { lintRealm } from '../realm-lint/lint-realm.js';

interface CheckOptions {
  readonly development?: boolean;
  readonly json?: boolean;
}

function readRealm(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new CliError('realm_unreadable', `cannot read ${file}: ${(cause as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new CliError('realm_unreadable', `${file} is not JSON: ${(cause as Error).message}`);
  }
}

export function registerRealm(program: Command): void {
  const realm = program.command('realm').description('Keycloak realm files');
  realm
    .command('check')
    .description('check a realm for AAuth: agents, resources, scopes, consent, and settings unsafe outside development')
    .argument('<file>', 'a realm JSON file (kc.sh export, or an import file)')
    .option('--development', 'a development realm: loopback, http and plaintext passwords are warnings')
    .option('--json', 'print {file, ok, errors, warnings, findings} as JSON')
    .action((file: string, options: CheckOptions) => {
      const findings = lintRealm(readRealm(file), { development: options.development === true });
      const errors = findings.filter((f) => f.level === 'error').length;
      const warnings = findings.length - errors;
      if (errors > 0) process.exitCode = EXIT.failed;
      if (options.json) {
        printJson({ file, ok: errors === 0, errors, warnings, findings });
        return;
      }
      for (const f of findings) {
        const level = f.level === 'error' ? out.red('error  ') : out.yellow('warning');
        printLine(`${level} ${out.bold(f.code)} ${out.dim(f.path)}`);
        printLine(`        ${f.message}`);
      }
      const summary = `${file}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
      printLine(errors > 0 ? out.red(summary) : out.green(summary));
    });
}
