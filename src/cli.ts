/**
 * Entry point: parse argv, run one command, map errors to exit codes, handle Ctrl-C and closed
 * pipes. The only place that exits the process.
 */
import { readFileSync } from "node:fs";
import { CommanderError, type OutputConfiguration } from "commander";
import { abortableSleep, type Context, type GlobalOptions, type ReadableLike } from "./cli/context.js";
import { nodeNoticeDue } from "./cli/node-notice.js";
import { buildProgram } from "./cli/program.js";
import { stdio } from "./cli/stdio.js";
import { commandSpecs } from "./commands/index.js";
import { resolveRegion } from "./core/aws-config/endpoints.js";
import { parseDuration } from "./core/duration.js";
import { DynastreamError, ExitCode, InterruptedError, isAbort, UsageError } from "./errors.js";
import { createOutput, type WritableLike } from "./render/output.js";
import { sanitize } from "./render/sanitize.js";
import { colorWanted, loadAnsiStyle, plainStyle, type Style } from "./render/style.js";

export interface MainDeps {
  stdout: WritableLike & NodeJS.EventEmitter;
  stderr: WritableLike;
  stdin: ReadableLike;
  env: Record<string, string | undefined>;
  /** Installs the Ctrl-C handler; returns a function that removes it. */
  onSigint?: (handler: () => void) => () => void;
  /**
   * The running Node's version, for the one-time end-of-life notice (src/cli/node-notice.ts):
   * main() passes process.version; without it (runs inside tests) there is no notice.
   */
  nodeVersion?: string;
}

/** The version, set by the build (scripts/build.mjs); read from package.json when run from source. */
declare const __DYNASTREAM_VERSION__: string | undefined;

function readVersion(): string {
  if (typeof __DYNASTREAM_VERSION__ === "string") return __DYNASTREAM_VERSION__;
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

const USAGE_CODES = new Set([
  "commander.unknownOption",
  "commander.unknownCommand",
  "commander.missingArgument",
  "commander.optionMissingArgument",
  "commander.missingMandatoryOptionValue",
  "commander.invalidArgument",
  "commander.excessArguments",
  "commander.conflictingOption",
  "commander.error",
]);

/** Runs the CLI and resolves to the exit code (does not exit). */
export async function run(argv: string[], deps: MainDeps): Promise<number> {
  // Made on first use: Node loads AbortController lazily, and --help never needs one (start-up).
  let controller: AbortController | undefined;
  const aborter = (): AbortController => {
    controller ??= new AbortController();
    return controller;
  };
  let pipeClosed = false;
  let debug = argv.includes("--debug");
  // chalk is loaded only when a terminal could show colour at all.
  const mayColor = colorWanted({
    isTTY: deps.stdout.isTTY === true || (deps.stderr as { isTTY?: boolean }).isTTY === true,
    env: deps.env,
    noColorFlag: argv.includes("--no-color"),
    json: false,
  });
  const ansiStyle: Style = mayColor ? await loadAnsiStyle() : plainStyle;
  const errStyle = colorWanted({
    isTTY: (deps.stderr as { isTTY?: boolean }).isTTY === true,
    env: deps.env,
    noColorFlag: argv.includes("--no-color"),
    json: false,
  })
    ? ansiStyle
    : plainStyle;

  const onPipeError = (e: NodeJS.ErrnoException): void => {
    if (e.code === "EPIPE" || e.code === "ERR_STREAM_DESTROYED") {
      pipeClosed = true;
      aborter().abort(new InterruptedError("stdout closed"));
    }
  };
  deps.stdout.on("error", onPipeError);

  let interrupts = 0;
  const removeSigint = deps.onSigint?.(() => {
    interrupts++;
    if (interrupts === 1) aborter().abort(new InterruptedError());
    else {
      deps.stderr.write("\n");
      process.exit(ExitCode.interrupted);
    }
  });

  let code = 0;
  let awsCleanup: (() => void) | undefined;
  const makeContext = (globals: GlobalOptions, command: string): Context => {
    debug = globals.debug === true;
    const jsonRequested =
      globals.json === true || (globals.output !== undefined && globals.output !== "pretty");
    const stdoutTTY = deps.stdout.isTTY === true;
    const style = colorWanted({
      isTTY: stdoutTTY,
      env: deps.env,
      noColorFlag: globals.color === false,
      json: jsonRequested,
    })
      ? ansiStyle
      : plainStyle;
    const out = createOutput({
      stdout: deps.stdout,
      stderr: deps.stderr,
      json: jsonRequested,
      quiet: globals.quiet === true,
      debug,
      style,
      errStyle: globals.color === false ? plainStyle : errStyle,
    });
    // Node past its end of life: said once, on a terminal, before the command's own output; not
    // with -q, not by doctor (its `node` line says it), not from completion (Tab in a shell).
    if (
      deps.nodeVersion !== undefined &&
      globals.quiet !== true &&
      (deps.stderr as { isTTY?: boolean }).isTTY === true &&
      command !== "doctor" &&
      command !== "completion"
    ) {
      const note = nodeNoticeDue(deps.env, deps.nodeVersion, Date.now());
      if (note) out.info(`${(globals.color === false ? plainStyle : errStyle).yellow("note:")} ${note}`);
    }
    let awsRun: Promise<import("./aws/streams.js").AwsRun> | undefined;
    const now = (): number => Date.now();
    const sleep = (ms: number): Promise<void> => abortableSleep(ms, aborter().signal);
    return {
      globals,
      out,
      get signal() {
        return aborter().signal;
      },
      get aborted() {
        return controller?.signal.aborted === true;
      },
      env: deps.env,
      // Read on use: process.stdin is created on first access, which loads stream code (start-up).
      get stdin() {
        return deps.stdin;
      },
      get interactive() {
        return deps.stdin.isTTY === true;
      },
      now,
      sleep,
      aws: () => {
        awsRun ??= (async () => {
          const { createAwsClients } = await import("./aws/clients.js");
          let requestTimeoutMs: number | undefined;
          if (globals.timeout !== undefined) {
            requestTimeoutMs = parseDuration(globals.timeout);
            if (requestTimeoutMs === undefined || requestTimeoutMs <= 0) {
              throw new UsageError(
                `invalid --timeout "${globals.timeout}"`,
                "use a duration such as 5s, 500ms or 1m",
              );
            }
          }
          const clients = createAwsClients({
            // --region, then the environment; the SDK reads a profile's region itself (doctor reports
            // the same order).
            region: resolveRegion(globals.region, deps.env, undefined, "")?.region,
            profile: globals.profile,
            endpointUrl: globals.endpointUrl,
            ...(requestTimeoutMs !== undefined
              ? { requestTimeoutMs, connectTimeoutMs: Math.min(5000, requestTimeoutMs) }
              : {}),
            debug: debug ? (line: string) => out.debug(line) : undefined,
          });
          awsCleanup = () => clients.destroy();
          return { clients, signal: aborter().signal, now, sleep };
        })();
        return awsRun;
      },
      confirm: async (question: string) => {
        if (deps.stdin.isTTY !== true) return false;
        const { createInterface } = await import("node:readline/promises");
        const rl = createInterface({
          input: deps.stdin as unknown as NodeJS.ReadableStream,
          output: deps.stderr as unknown as NodeJS.WritableStream,
        });
        try {
          const answer = await rl.question(`${question} [y/N] `, { signal: aborter().signal });
          return /^y(es)?$/i.test(answer.trim());
        } catch {
          throw new InterruptedError();
        } finally {
          rl.close();
        }
      },
    };
  };

  const program = buildProgram(readVersion(), commandSpecs, makeContext, (c) => {
    code = c;
  });
  program.exitOverride();
  // Help's width and colours: commander's own tests, on the streams of the run (its defaults read
  // process.stdout, which would create it: see cli/stdio.ts).
  const output: OutputConfiguration = {
    writeOut: (s) => deps.stdout.write(s),
    writeErr: () => undefined, // errors are printed below, in our format
    outputError: () => undefined,
    // undefined (not a terminal) is commander's own default; its typings say number.
    getOutHelpWidth: () => (deps.stdout.isTTY ? deps.stdout.columns : undefined) as number,
    getErrHelpWidth: () => (deps.stderr.isTTY ? deps.stderr.columns : undefined) as number,
    getOutHasColors: () => helpHasColors(deps.stdout, deps.env),
    getErrHasColors: () => helpHasColors(deps.stderr, deps.env),
  };
  program.configureOutput(output);
  for (const sub of program.commands) {
    sub.exitOverride();
    sub.configureOutput(output);
  }

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    code = report(err, deps, { debug, pipeClosed, errStyle, argv });
  } finally {
    removeSigint?.();
    awsCleanup?.();
    deps.stdout.off("error", onPipeError);
  }
  return code;
}

function report(
  err: unknown,
  deps: MainDeps,
  o: { debug: boolean; pipeClosed: boolean; errStyle: typeof plainStyle; argv: string[] },
): number {
  const write = (s: string): void => {
    deps.stderr.write(s);
  };
  if (o.pipeClosed) return ExitCode.ok; // `| head -1`: the reader has all it wanted
  if (err instanceof CommanderError) {
    if (err.code === "commander.help" && err.exitCode !== 0) {
      // `dynastream` without a command: commander's implicit help goes to writeErr, which is silent.
      write(`${o.errStyle.red("error:")} missing command\n`);
      write("hint: run `dynastream --help` for the commands and examples\n");
      return ExitCode.usage;
    }
    if (
      err.code === "commander.helpDisplayed" ||
      err.code === "commander.version" ||
      err.code === "commander.help"
    ) {
      return ExitCode.ok;
    }
    if (USAGE_CODES.has(err.code)) {
      // commander puts its suggestion on a second line: one line here, `… (did you mean --output?)`.
      const msg = err.message
        .replace(/^error:\s*/i, "")
        .replace(/\n\(Did you mean (.*)\?\)$/, " (did you mean $1?)");
      const sub = o.argv.find((a) => !a.startsWith("-"));
      write(`${o.errStyle.red("error:")} ${sanitize(msg)}\n`);
      write(
        `hint: run \`dynastream ${sub && err.code !== "commander.unknownCommand" ? `${sub} ` : ""}--help\` for usage\n`,
      );
      return ExitCode.usage;
    }
  }
  if (err instanceof DynastreamError) {
    if (err.exitCode === ExitCode.interrupted) {
      if (err.message !== "interrupted" && err.message !== "") write(`${sanitize(err.message)}\n`);
      return ExitCode.interrupted;
    }
    write(`${o.errStyle.red("error:")} ${sanitize(err.message)}\n`);
    if (err.hint) write(`hint: ${sanitize(err.hint)}\n`);
    if (o.debug)
      write(
        sanitizeLines(
          `${err.stack ?? ""}\n${err.cause ? `cause: ${(err.cause as Error).stack ?? String(err.cause)}\n` : ""}`,
        ),
      );
    return err.exitCode;
  }
  if (isAbort(err)) return ExitCode.interrupted;
  const e = err as Error;
  write(`${o.errStyle.red("error:")} internal error: ${sanitize(e?.message ?? String(err))}\n`);
  write("hint: this is a bug in dynastream; rerun with --debug and report it with the output\n");
  if (o.debug) write(sanitizeLines(`${e?.stack ?? ""}\n`));
  return ExitCode.internal;
}

/** commander's colour test for help (NO_COLOR, FORCE_COLOR, CLICOLOR_FORCE, else a colour terminal). */
function helpHasColors(stream: WritableLike, env: Record<string, string | undefined>): boolean {
  if (env.NO_COLOR || env.FORCE_COLOR === "0" || env.FORCE_COLOR === "false") return false;
  if (env.FORCE_COLOR || env.CLICOLOR_FORCE !== undefined) return true;
  return stream.isTTY === true && (stream as { hasColors?: () => boolean }).hasColors?.() === true;
}

/** Stack traces quote error messages (from AWS, from input): escape control characters line by line. */
function sanitizeLines(text: string): string {
  return text.split("\n").map(sanitize).join("\n");
}

/** The real process entry used by bin/dynastream.cjs. */
export async function main(argv: string[]): Promise<void> {
  const stdout = stdio(1);
  const code = await run(argv, {
    stdout,
    stderr: stdio(2),
    get stdin() {
      return process.stdin; // created on first access only: most runs never read it
    },
    env: process.env,
    nodeVersion: process.version,
    onSigint: (handler) => {
      process.on("SIGINT", handler);
      process.on("SIGTERM", handler);
      return () => {
        process.off("SIGINT", handler);
        process.off("SIGTERM", handler);
      };
    },
  });
  // Exit once stdout has flushed; keep-alive sockets or timers must not hold the process open.
  const exit = (): never => process.exit(code);
  if (stdout.writableLength === 0) exit();
  stdout.once("drain", exit);
  stdout.once("error", exit);
  setTimeout(exit, 2000).unref();
}
