/** `aauth decode <jwt>`: header and claims of a token, not verified (it says so). */
import type { Command } from 'commander';
import { decodeJwt, describeTimes, type DecodedJwt } from '../tokens/decode-jwt.js';
import { indentJson, printJson, printLine } from '../output/print.js';
import { out } from '../output/style.js';

/** The text form of one decoded token, shared with `aauth request`. */
export function formatToken(decoded: DecodedJwt, title: string): string {
  const lines = [out.bold(title), `  ${out.dim('header')}`, indentJson(decoded.header, '    '), `  ${out.dim('payload')}`, indentJson(decoded.payload, '    ')];
  for (const time of describeTimes(decoded.payload)) lines.push(`  ${out.dim(time)}`);
  return lines.join('\n');
}

export function registerDecode(program: Command): void {
  program
    .command('decode')
    .description('show the header and claims of a JWT (agent, resource or auth token); nothing is verified')
    .argument('<jwt>', 'the token')
    .option('--json', 'print {kind, header, payload, verified} as JSON')
    .action((token: string, options: { json?: boolean }) => {
      const decoded = decodeJwt(token);
      if (options.json) {
        printJson({ ...decoded, verified: false });
        return;
      }
      const typ = typeof decoded.header.typ === 'string' ? decoded.header.typ : 'no typ';
      printLine(formatToken(decoded, `${decoded.kind} token (${typ})`));
      printLine(out.yellow('  signature not verified: decode only reads the token'));
    });
}
