import { sanitize } from "./sanitize.js";
import type { Style } from "./style.js";

/** Where a command's output goes. stdout carries data; stderr carries messages and progress. */
export interface Output {
  /** JSON output requested (`--output json` / `--json`): human messages stay on stderr, data is JSON. */
  readonly json: boolean;
  /** `-q/--quiet`: informational messages are dropped; warnings and errors still print. */
  readonly quiet: boolean;
  readonly debugEnabled: boolean;
  /** Styling for human output on stdout (plain unless stdout is a colour TTY). */
  readonly style: Style;
  /** Styling for messages on stderr. */
  readonly errStyle: Style;
  readonly stdoutIsTTY: boolean;
  /** Terminal width of stdout, when it is a TTY. */
  readonly columns: number | undefined;
  /**
   * Writes raw text (or UTF-8 bytes) to stdout, no newline added. Returns false when the stream wants
   * a pause. `written`, if given, is called once the text has left the process (not on an error):
   * then the bytes' memory may be used again.
   */
  write(text: string | Uint8Array, written?: () => void): boolean;
  /** Writes one line of data to stdout. */
  line(text: string): void;
  /** Writes a JSON value as one line to stdout. */
  jsonLine(value: unknown): void;
  /** An informational message on stderr (suppressed by --quiet). */
  info(message: string): void;
  /** A warning on stderr (`warning: ...`), never suppressed. */
  warn(message: string): void;
  /** A debug line on stderr, only with --debug (control characters escaped: it quotes AWS messages). */
  debug(message: string): void;
  /** Resolves once stdout has flushed what was written (or immediately if it is not waiting). */
  drain(): Promise<void>;
}

export interface WritableLike {
  write(chunk: string | Uint8Array, cb?: (err?: Error | null) => void): boolean;
  once(event: "drain", listener: () => void): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Creates the Output for a run from the real (or test) streams. */
export function createOutput(opts: {
  stdout: WritableLike;
  stderr: WritableLike;
  json: boolean;
  quiet: boolean;
  debug: boolean;
  style: Style;
  errStyle: Style;
}): Output {
  const { stdout, stderr, errStyle } = opts;
  return {
    json: opts.json,
    quiet: opts.quiet,
    debugEnabled: opts.debug,
    style: opts.style,
    errStyle,
    stdoutIsTTY: stdout.isTTY === true,
    columns: stdout.isTTY ? stdout.columns : undefined,
    write: (text, written) =>
      written === undefined
        ? stdout.write(text)
        : stdout.write(text, (err) => {
            if (!err) written();
          }),
    line: (text) => {
      stdout.write(`${text}\n`);
    },
    jsonLine: (value) => {
      stdout.write(`${JSON.stringify(value)}\n`);
    },
    info: (message) => {
      if (!opts.quiet) stderr.write(`${message}\n`);
    },
    warn: (message) => {
      stderr.write(`${errStyle.yellow("warning:")} ${sanitize(message)}\n`);
    },
    debug: (message) => {
      if (opts.debug) stderr.write(`${errStyle.gray(`debug: ${sanitize(message)}`)}\n`);
    },
    drain: () =>
      new Promise<void>((resolve) => {
        if (stdout.write("")) resolve();
        else stdout.once("drain", resolve);
      }),
  };
}
