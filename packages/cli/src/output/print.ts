/** Writing results: JSON for scripts (`--json`, one document on stdout), text for people. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

export function printErrorLine(text = ''): void {
  process.stderr.write(`${text}\n`);
}

/** JSON indented for reading, each line prefixed (for nesting under a heading). */
export function indentJson(value: unknown, prefix = '  '): string {
  return JSON.stringify(value, null, 2).split('\n').map((line) => `${prefix}${line}`).join('\n');
}
