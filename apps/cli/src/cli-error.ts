/** A failure to report to the operator as one line on stderr, with the exit code scripts can test. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const USAGE_ERROR = 2;
