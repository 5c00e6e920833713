/**
 * What the command line reports when it stops: a stable code, a sentence, and the exit status
 * (2 for input the user can correct: a flag, a file, a token; 1 for a flow that failed).
 */
export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2 });

export class CliError extends Error {
  override readonly name = 'CliError';
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, exitCode: number = EXIT.usage) {
    super(message);
    this.code = code;
    this.exitCode = exitCode;
  }
}
