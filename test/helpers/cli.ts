/** Runs the built binary (bin/dynastream.cjs → dist/cli.cjs) and captures stdout, stderr and the exit code. */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../../bin/dynastream.cjs", import.meta.url));

/**
 * XDG_CACHE_HOME for the binary's runs in this test process: the launcher's code cache goes to a
 * temporary directory (removed at exit), never to ~/.cache. runCli, startCli and ddb.ts's cliEnv set
 * it; an env given with its own XDG_CACHE_HOME keeps that.
 */
export const CODE_CACHE_HOME = mkdtempSync(join(tmpdir(), "dynastream-test-cache-"));
process.on("exit", () => rmSync(CODE_CACHE_HOME, { recursive: true, force: true }));

/**
 * The environment of a run: `env` (default: PATH only) with the test code cache, and without the
 * one-time Node end-of-life notice (DYNASTREAM_NO_NODE_NOTICE=1: tests assert exact stderr; an env
 * with DYNASTREAM_NO_NODE_NOTICE "" asks for it).
 */
function runEnv(env: Record<string, string> | undefined): Record<string, string> {
  return {
    XDG_CACHE_HOME: CODE_CACHE_HOME,
    DYNASTREAM_NO_NODE_NOTICE: "1",
    ...(env ?? { PATH: process.env.PATH ?? "" }),
  };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `dynastream ...args` to completion (killed after timeoutMs); `bin`: another launcher than BIN;
 * `cwd`: the working directory (relative file names in args, as a user types them).
 */
export function runCli(
  args: string[],
  opts: {
    env?: Record<string, string>;
    input?: string | Buffer;
    timeoutMs?: number;
    bin?: string;
    cwd?: string;
  } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [opts.bin ?? BIN, ...args], {
      env: runEnv(opts.env),
      stdio: ["pipe", "pipe", "pipe"],
      ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    // A run that fails early stops reading its stdin: what is left is not its business.
    child.stdin.on("error", () => undefined);
    child.stdin.end(opts.input ?? "");
  });
}

/** A long-running CLI process (tail): read its output as it comes, signal it, await its end. */
export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout has at least `n` lines (rejects after timeoutMs). */
  waitForLines(n: number, timeoutMs?: number): Promise<string[]>;
  /** Resolves when stderr contains `text`. */
  waitForStderr(text: string | RegExp, timeoutMs?: number): Promise<void>;
  done: Promise<CliResult>;
}

/** Starts `dynastream ...args` in the background. */
export function startCli(args: string[], opts: { env?: Record<string, string> } = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: runEnv(opts.env),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const waiters: Array<() => void> = [];
  const notify = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    notify();
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    err += d;
    notify();
  });
  const done = new Promise<CliResult>((resolve) => {
    child.on("close", (code, signal) => {
      notify();
      resolve({ code, signal, stdout: out, stderr: err });
    });
  });
  const until = (pred: () => boolean, timeoutMs: number, what: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${what}; stdout=${out} stderr=${err}`)),
        timeoutMs,
      );
      const check = (): void => {
        if (pred()) {
          clearTimeout(timer);
          resolve();
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          reject(new Error(`process ended while waiting for ${what}; stdout=${out} stderr=${err}`));
        } else waiters.push(check);
      };
      check();
    });
  const lines = (): string[] => out.split("\n").filter((l) => l !== "");
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitForLines: async (n, timeoutMs = 30_000) => {
      await until(() => lines().length >= n, timeoutMs, `${n} lines`);
      return lines();
    },
    waitForStderr: (text, timeoutMs = 30_000) =>
      until(
        () => (typeof text === "string" ? err.includes(text) : text.test(err)),
        timeoutMs,
        `stderr ${String(text)}`,
      ),
    done,
  };
}

/** The JSON values of NDJSON output, one per non-empty line. */
export function jsonLines<T = Record<string, unknown>>(stdout: string): T[] {
  return stdout
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as T);
}
