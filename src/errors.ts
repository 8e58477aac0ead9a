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

/**
 * A kind of error with its exit code: a class (so `instanceof` tells the kind apart) whose
 * constructor takes the message, the hint and the cause.
 */
function errorKind(name: string, exitCode: ExitCodeValue) {
  return class extends DynastreamError {
    override readonly name = name;
    constructor(message: string, hint?: string, cause?: unknown) {
      super(message, { exitCode, hint, cause });
    }
  };
}

/** Bad flags, arguments or input documents (exit 2). */
export const UsageError = errorKind("UsageError", ExitCode.usage);
export type UsageError = InstanceType<typeof UsageError>;

/** A table, stream, shard or function that does not exist (exit 3). */
export const NotFoundError = errorKind("NotFoundError", ExitCode.notFound);

/** Missing credentials or access denied (exit 4). */
export const AuthError = errorKind("AuthError", ExitCode.auth);

/** AWS or network failure after retries (exit 5). */
export const AwsError = errorKind("AwsError", ExitCode.aws);

/** A negative check result that is not an error in the program (exit 1). */
export const CheckFailedError = errorKind("CheckFailedError", ExitCode.checkFailed);

/** Records were lost (tail read past trimmed data) (exit 6). */
export const DataLossError = errorKind("DataLossError", ExitCode.dataLoss);

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
