/**
 * In-process terminals for tests of TTY behaviour (prompts, refresh in place): fake stdout/stderr
 * that record what is written, a stdin that answers prompts, and a Ctrl-C trigger, all shaped as the
 * `MainDeps` of src/cli.ts.
 */
import { EventEmitter } from "node:events";
import { PassThrough } from "node:stream";
import type { MainDeps } from "../../src/cli.js";

/** A writable "terminal" that keeps everything written to it. */
export class FakeTerminal extends EventEmitter {
  text = "";
  readonly columns = 120;
  private readonly watchers: Array<{ test: (s: string) => boolean; resolve: () => void }> = [];
  constructor(readonly isTTY: boolean) {
    super();
  }
  write(chunk: string, cb?: (err?: Error | null) => void): boolean {
    this.text += chunk;
    cb?.();
    for (const w of [...this.watchers]) {
      if (w.test(this.text)) {
        this.watchers.splice(this.watchers.indexOf(w), 1);
        w.resolve();
      }
    }
    return true;
  }
  /** Resolves once the text written so far satisfies `test` (rejects after timeoutMs). */
  until(test: (s: string) => boolean, timeoutMs = 60_000): Promise<void> {
    if (test(this.text)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out; written so far:\n${this.text}`)),
        timeoutMs,
      );
      this.watchers.push({
        test,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }
}

/** Terminals, a stdin and a Ctrl-C trigger for `run(argv, deps)`. */
export function fakeTerminal(env: Record<string, string | undefined>): {
  deps: MainDeps;
  stdout: FakeTerminal;
  stderr: FakeTerminal;
  stdin: PassThrough & { isTTY: boolean };
  ctrlC: () => void;
} {
  const stdout = new FakeTerminal(true);
  const stderr = new FakeTerminal(true);
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  stdin.setEncoding("utf8");
  let handler: (() => void) | undefined;
  return {
    deps: {
      stdout,
      stderr,
      stdin,
      env,
      onSigint: (h) => {
        handler = h;
        return () => {
          handler = undefined;
        };
      },
    },
    stdout,
    stderr,
    stdin,
    ctrlC: () => handler?.(),
  };
}
