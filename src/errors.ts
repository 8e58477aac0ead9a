/**
 * Typed errors and the exit-code table. Every failure the user can cause or meet is one of these;
 * `src/cli.ts` prints `error: <message>` and the hint, and exits with `exitCode`.
 * Anything else that escapes is a bug (exit 70).
 */
export const ExitCode = {
  ok: 0,
  /** A check came out negative: filter-test matched nothing or a case failed; lag over the fail threshold. */
  checkFailed: 1,
  /** Usage error or invalid input. */
  usage: 2,
  /** Table, stream, shard or function not found. */
  notFound: 3,
  /** Credentials missing or access denied. */
  auth: 4,
  /** AWS or network error after retries (throttling, timeout, 5xx, endpoint unreachable). */
  aws: 5,
  /** Records lost: tail read past trimmed data. */
  dataLoss: 6,
  /** Internal error: a bug in dynastream. */
  internal: 70,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Base class: a message for humans, a hint with the fix, and the exit code. */
export class DynastreamError extends Error {
  override readonly name: string = "DynastreamError";
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;
  constructor(message: string, opts: { exitCode: ExitCodeValue; hint?: string; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.exitCode = opts.exitCode;
    this.hint = opts.hint;
  }
}

/** Bad flags, arguments or input documents (exit 2). */
export class UsageError extends DynastreamError {
  override readonly name = "UsageError";
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { exitCode: ExitCode.usage, hint, cause });
  }
}

/** A table, stream, shard or function that does not exist (exit 3). */
export class NotFoundError extends DynastreamError {
  override readonly name = "NotFoundError";
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { exitCode: ExitCode.notFound, hint, cause });
  }
}

/** Missing credentials or access denied (exit 4). */
export class AuthError extends DynastreamError {
  override readonly name = "AuthError";
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { exitCode: ExitCode.auth, hint, cause });
  }
}

/** AWS or network failure after retries (exit 5). */
export class AwsError extends DynastreamError {
  override readonly name = "AwsError";
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { exitCode: ExitCode.aws, hint, cause });
  }
}

/** A negative check result that is not an error in the program (exit 1). */
export class CheckFailedError extends DynastreamError {
  override readonly name = "CheckFailedError";
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.checkFailed, hint });
  }
}

/** Records were lost (tail read past trimmed data) (exit 6). */
export class DataLossError extends DynastreamError {
  override readonly name = "DataLossError";
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.dataLoss, hint });
  }
}

/** The run was interrupted by the user (exit 130). */
export class InterruptedError extends DynastreamError {
  override readonly name = "InterruptedError";
  constructor(message = "interrupted") {
    super(message, { exitCode: ExitCode.interrupted });
  }
}

/** True for errors that mean "the run was aborted" (our signal, or the SDK's AbortError). */
export function isAbort(err: unknown): boolean {
  if (err instanceof InterruptedError) return true;
  const name = (err as { name?: unknown } | null)?.name;
  return name === "AbortError";
}
