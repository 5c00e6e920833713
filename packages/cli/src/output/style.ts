/**
 * Colour only where a person reads it: on a TTY, unless `NO_COLOR` is set (no-color.org); a
 * non-TTY gets colour only with `FORCE_COLOR` (not "0"). `NO_COLOR` always wins.
 */
export interface Style {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

export function colourEnabled(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

const sgr = (on: number, off: number) => (text: string): string => `\x1b[${on}m${text}\x1b[${off}m`;
const plain = (text: string): string => text;

export function styleFor(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Style {
  const enabled = colourEnabled(stream, env);
  return enabled
    ? { enabled, bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), cyan: sgr(36, 39) }
    : { enabled, bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain };
}

/** stdout's and stderr's styles, decided once per run. */
export const out = styleFor(process.stdout);
export const err = styleFor(process.stderr);
