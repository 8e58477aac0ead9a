/**
 * A handler's execution environment: one Node process (./bootstrap) that loads the handler once (a
 * cold start) and is reused while it behaves; a timeout kills it and a crash ends it, and the next
 * invocation starts a new one (cold again), as Lambda replaces an execution environment.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
 *
 * Its stdout and stderr are handed line by line to `log` with the label of the invocation running
 * (or `init`), for the command to print on dynastream's stderr.
 */
import type { ChildProcess } from "node:child_process";
import type { Outcome } from "../core/delivery/engine.js";
import { BOOTSTRAP } from "./bootstrap.js";
import type { HandlerSpec } from "./handler-spec.js";

/** Lambda's limit for the init phase of an execution environment. */
export const INIT_TIMEOUT_MS = 10_000;

/** The `context` fields the handler receives (besides `getRemainingTimeInMillis()`). */
export interface InvokeContext {
  awsRequestId: string;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
}

/** One invocation as the environment ran it. */
export interface LocalInvocation {
  outcome: Outcome;
  /** Whether this invocation started the process (a cold start), and the init time. */
  cold: boolean;
  initMs: number | undefined;
  /** Time in the handler (ms). */
  durationMs: number;
  /** A synchronous handler without a callback returned a value, which Lambda ignores. */
  ignoredReturn: boolean;
  /** The init failed (the module did not load, or the export is not a function). */
  initError: { errorType: string; errorMessage: string } | undefined;
}

/** How the process is started. */
export interface EnvironmentOptions {
  spec: HandlerSpec;
  /** The complete environment of the process. */
  env: Record<string, string>;
  cwd: string;
  /** A line the handler wrote: `label` is the invocation's (or `init`). */
  log: (label: string, stream: "stdout" | "stderr", line: string) => void;
}

type Message =
  | { type: "log"; stream: "stdout" | "stderr"; text: string }
  | { type: "ready"; initMs: number }
  | { type: "init-error"; errorType: string; errorMessage: string }
  | { type: "result"; id: number; response: unknown; ignoredReturn: boolean }
  | { type: "error"; id: number; errorType: string; errorMessage: string };

/** Splits a stream into lines for `onLine` (a last line without newline is flushed at the end). */
function lines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (stream === null) return;
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop() ?? "";
    for (const p of parts) onLine(p.endsWith("\r") ? p.slice(0, -1) : p);
  });
  stream.on("end", () => {
    if (rest !== "") onLine(rest);
    rest = "";
  });
}

/** One execution environment; {@link invoke} one event at a time. */
export class HandlerEnvironment {
  readonly #opts: EnvironmentOptions;
  #child: ChildProcess | undefined;
  #label = "init";
  #onMessage: ((m: Message) => void) | undefined;
  #onExit: ((why: string) => void) | undefined;
  #nextId = 1;
  /** Processes started so far (cold starts). */
  starts = 0;

  constructor(opts: EnvironmentOptions) {
    this.#opts = opts;
  }

  /** Starts the process and loads the handler; resolves with the init time or the init error. */
  async #start(): Promise<{ initMs: number } | { errorType: string; errorMessage: string }> {
    const { spawn } = await import("node:child_process");
    const { spec } = this.#opts;
    const child = spawn(process.execPath, [...spec.nodeArgs, "-e", BOOTSTRAP], {
      cwd: this.#opts.cwd,
      env: this.#opts.env,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      // Its own process group: Ctrl-C on the terminal stops dynastream, which lets invocations in
      // flight finish (or time out) before it ends them.
      detached: true,
      serialization: "json",
    });
    this.#child = child;
    this.starts++;
    this.#label = "init";
    lines(child.stdout, (l) => this.#opts.log(this.#label, "stdout", l));
    lines(child.stderr, (l) => this.#opts.log(this.#label, "stderr", l));
    const partial = { stdout: "", stderr: "" };
    child.on("message", (m: Message) => {
      if (m.type === "log") {
        const parts = (partial[m.stream] + m.text).split("\n");
        partial[m.stream] = parts.pop() ?? "";
        for (const p of parts) this.#opts.log(this.#label, m.stream, p);
        return;
      }
      // A result ends the invocation's output: an unfinished line is shown with it.
      for (const stream of ["stdout", "stderr"] as const) {
        if (partial[stream] !== "") this.#opts.log(this.#label, stream, partial[stream]);
        partial[stream] = "";
      }
      this.#onMessage?.(m);
    });
    // A process killed after a timeout is no longer current: its end concerns no invocation.
    child.on("exit", (code, signal) => {
      if (this.#child !== child) return;
      this.#child = undefined;
      this.#onExit?.(signal ? `signal ${signal}` : `exit status ${code}`);
    });
    child.on("error", (e) => {
      if (this.#child === child) this.#onExit?.(e.message);
    });
    const pending = this.#await<{ initMs: number } | { errorType: string; errorMessage: string }>(
      INIT_TIMEOUT_MS,
      (m, done) => {
        if (m.type === "ready") done({ initMs: m.initMs });
        else if (m.type === "init-error") done({ errorType: m.errorType, errorMessage: m.errorMessage });
      },
      (why) => ({ errorType: "Runtime.ExitError", errorMessage: `Runtime exited during init: ${why}` }),
      () => ({
        errorType: "Sandbox.Timedout",
        errorMessage: `init did not finish within ${INIT_TIMEOUT_MS / 1000}s`,
      }),
    );
    child.send({ type: "init", file: spec.file, name: spec.exportName }, (err) => {
      if (err) this.#onExit?.(err.message);
    });
    const r = await pending;
    if (!("initMs" in r)) this.#kill();
    return r;
  }

  /**
   * Waits for a message `pick` accepts, the process's end (`exited`), or `timeoutMs` (`timedOut`,
   * after which the process is killed).
   */
  #await<T>(
    timeoutMs: number,
    pick: (m: Message, done: (v: T) => void) => void,
    exited: (why: string) => T,
    timedOut: () => T,
  ): Promise<T> {
    return new Promise<T>((resolve) => {
      let finished = false;
      const done = (v: T): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        this.#onMessage = undefined;
        this.#onExit = undefined;
        resolve(v);
      };
      const timer = setTimeout(() => {
        this.#kill();
        done(timedOut());
      }, timeoutMs);
      this.#onMessage = (m) => pick(m, done);
      this.#onExit = (why) => done(exited(why));
    });
  }

  #kill(): void {
    const c = this.#child;
    this.#child = undefined;
    if (c !== undefined && c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  }

  /**
   * Invokes the handler with `event`: starts the process first when there is none (cold). A
   * timeout kills the process; a crash ends it; either way the next invocation is cold.
   */
  async invoke(
    event: unknown,
    context: InvokeContext,
    timeoutMs: number,
    label: string,
  ): Promise<LocalInvocation> {
    let cold = false;
    let initMs: number | undefined;
    if (this.#child === undefined) {
      cold = true;
      const started = await this.#start();
      if (!("initMs" in started)) {
        return {
          outcome: { kind: "error", ...started, requestId: context.awsRequestId },
          cold,
          initMs: undefined,
          durationMs: 0,
          ignoredReturn: false,
          initError: started,
        };
      }
      initMs = started.initMs;
    }
    const child = this.#child as ChildProcess;
    const id = this.#nextId++;
    this.#label = label;
    const t0 = performance.now();
    const requestId = context.awsRequestId;
    const res = this.#await<{ outcome: Outcome; ignoredReturn: boolean }>(
      timeoutMs,
      (m, done) => {
        if (m.type === "result" && m.id === id) {
          done({
            outcome: { kind: "returned", response: m.response, requestId },
            ignoredReturn: m.ignoredReturn,
          });
        } else if (m.type === "error" && m.id === id) {
          done({
            outcome: { kind: "error", errorType: m.errorType, errorMessage: m.errorMessage, requestId },
            ignoredReturn: false,
          });
        }
      },
      (why) => ({
        outcome: {
          kind: "error",
          errorType: "Runtime.ExitError",
          errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${why}`,
          requestId,
        },
        ignoredReturn: false,
      }),
      () => ({ outcome: { kind: "timeout", requestId }, ignoredReturn: false }),
    );
    child.send({ type: "invoke", id, event, context, deadline: Date.now() + timeoutMs }, (err) => {
      if (err) this.#onExit?.(err.message);
    });
    const out = await res;
    return {
      outcome: out.outcome,
      cold,
      initMs,
      durationMs: performance.now() - t0,
      ignoredReturn: out.ignoredReturn,
      initError: undefined,
    };
  }

  /** Ends the process (if any). */
  close(): void {
    this.#kill();
  }
}
