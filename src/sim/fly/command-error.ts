/** The one error type of the fake fly: it becomes `Error: <msg>` on stderr and the exit code. */
export class FlyCommandError extends Error {
  override readonly name = 'FlyCommandError';
  /** flyctl internal/cli/cli.go: 1 for errors, 126 for a deadline exceeded. */
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}
