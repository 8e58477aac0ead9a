/**
 * The run context handed to every command: output, abort signal, clock, sleep, stdin, environment,
 * a confirmation prompt, and lazily created AWS access. Commands never reach for process.* directly,
 * so tests can inject all of it.
 */
import type { AwsRun } from "../aws/streams.js";
import { InterruptedError, UsageError } from "../errors.js";
import type { Output } from "../render/output.js";

/** Options every command accepts (declared once on the program). */
export interface GlobalOptions {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  timeout?: string;
  output?: string;
  json?: boolean;
  color: boolean;
  quiet?: boolean;
  debug?: boolean;
}

export interface ReadableLike extends AsyncIterable<Buffer | string> {
  isTTY?: boolean;
}

export interface Context {
  readonly globals: GlobalOptions;
  readonly out: Output;
  /** Aborted by Ctrl-C or a closed stdout. Made on first use: AbortController costs ~0.8 ms to load. */
  readonly signal: AbortSignal;
  /** `signal.aborted`, without making the signal: nothing has aborted a run that has none yet. */
  readonly aborted: boolean;
  readonly env: Record<string, string | undefined>;
  readonly stdin: ReadableLike;
  /** Wall clock in epoch ms. */
  now(): number;
  /** Sleeps, rejecting with InterruptedError as soon as the run is aborted. */
  sleep(ms: number): Promise<void>;
  /** AWS access for this run; loads the SDK on first call. */
  aws(): Promise<AwsRun>;
  /** Asks a yes/no question on the terminal; false when there is no terminal to ask on. */
  confirm(question: string): Promise<boolean>;
  /** True when stdin is a terminal we can ask questions on. */
  readonly interactive: boolean;
}

/** Abortable sleep used by the real context. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new InterruptedError());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new InterruptedError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * The output format for a command: `--json` is `--output json`; the default is `pretty`, or
 * `defaultWhenPiped` (tail: json) when stdout is not a terminal.
 */
export function outputFormat<T extends string>(
  globals: GlobalOptions,
  allowed: readonly T[],
  stdoutIsTTY: boolean,
  defaultWhenPiped?: T,
): T {
  if (globals.json) {
    if (globals.output !== undefined && globals.output !== "json") {
      throw new UsageError(`--json conflicts with --output ${globals.output}`, "use one of them");
    }
    return "json" as T;
  }
  if (globals.output !== undefined) {
    const o = globals.output.toLowerCase() as T;
    if (!allowed.includes(o)) {
      throw new UsageError(
        `invalid --output "${globals.output}"`,
        `valid formats here: ${allowed.join(", ")}`,
      );
    }
    return o;
  }
  if (!stdoutIsTTY && defaultWhenPiped !== undefined) return defaultWhenPiped;
  return "pretty" as T;
}

/** True when the resolved output format is machine-readable (no colour, no human chatter on stdout). */
export function isJsonFormat(format: string): boolean {
  return format !== "pretty";
}
