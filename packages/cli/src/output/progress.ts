/**
 * Progress of a long command, on stderr so stdout stays the result: shown to a person on a TTY,
 * or always with `--verbose`; never with `--json` (scripts read stdout, and stderr stays quiet).
 */
import { err } from './style.js';
import { printErrorLine } from './print.js';

export interface Progress {
  readonly enabled: boolean;
  step(text: string): void;
  detail(text: string): void;
}

export function progress(options: { readonly json: boolean; readonly verbose: boolean }): Progress {
  const enabled = !options.json && (options.verbose || process.stderr.isTTY === true);
  return {
    enabled,
    step: (text) => {
      if (enabled) printErrorLine(`${err.cyan('→')} ${text}`);
    },
    detail: (text) => {
      if (enabled) printErrorLine(err.dim(text.split('\n').map((line) => `    ${line}`).join('\n')));
    },
  };
}
