/** Writing data to stdout from long-running commands (tail, filter-test) with backpressure. */
import type { Context } from "./context.js";

/** Resolves when the run is aborted (Ctrl-C, closed stdout). */
export function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/**
 * Writes to stdout, waiting (abortably) when the reader of stdout is slower than we are. `written`:
 * see {@link Context.out}'s `write` (called once the text has left the process).
 */
export async function writeOut(ctx: Context, text: string | Uint8Array, written?: () => void): Promise<void> {
  if (text.length === 0) return;
  if (ctx.out.write(text, written)) return;
  const signal = ctx.signal;
  if (signal.aborted) return;
  // The abort listener is removed once drained: a long run waits here many times.
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    await Promise.race([ctx.out.drain(), aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** True when the run was aborted because stdout was closed (`| head -1`): end quietly, exit 0. */
export function pipeClosed(ctx: Context): boolean {
  if (!ctx.aborted) return false;
  const reason = ctx.signal.reason as { message?: unknown } | undefined;
  return reason?.message === "stdout closed";
}
