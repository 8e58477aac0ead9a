/**
 * When large input files are read on worker threads (`tail --input`, `filter-test --records`; see
 * io/parallel-chunks.ts): the size from which it pays, how many threads, and where their scripts are.
 * Kept apart from the thread machinery so that the commands can ask without loading it.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * Files smaller than this are read the sequential way; from this size `tail --input` renders them in
 * pieces (on the main thread, or on worker threads: {@link inputThreads}), and `filter-test` may use
 * worker threads.
 */
export const PARALLEL_MIN_BYTES = 8 * 1024 * 1024;

/** The environment variable that sets the number of threads (0 turns them off). */
export const THREADS_VARIABLE = "DYNASTREAM_INPUT_THREADS";

/**
 * The number of threads DYNASTREAM_INPUT_THREADS asks for (0 turns them off), or undefined when it
 * is not set; a value that is not a number from 0 to 64 is warned about and counts as not set.
 */
export function threadsSetting(
  env: Record<string, string | undefined>,
  warn: (message: string) => void,
): number | undefined {
  const v = env[THREADS_VARIABLE];
  if (v !== undefined && v !== "") {
    if (/^\d+$/.test(v) && Number(v) <= 64) return Number(v);
    warn(`${THREADS_VARIABLE}=${v} is not a number of threads (0-64): using the default`);
  }
  return undefined;
}

/**
 * Without DYNASTREAM_INPUT_THREADS, the size (bytes) from which worker threads are used. Each thread
 * costs ~0.08 s to start and ~0.17 s more to run its first pieces cold (V8 compiling the optimised
 * code), so on two cores they pay only for files larger than this: measured crossovers on two
 * shared vCPUs, ~87 MB for `tail --input` (its pieces go on the main thread below it, with the same
 * fast path) and ~18 MB for `filter-test --records` (the sequential reader below it), once the
 * threads no longer lost their optimised code after their first piece (see MemoryPool in
 * io/parallel-chunks.ts; before that, ~145 MB and ~24 MB).
 */
export const THREADS_MIN_BYTES = { tail: 96 * 1024 * 1024, "filter-test": 20 * 1024 * 1024 } as const;

/**
 * Worker threads for an input file of `size` bytes read by `command`: {@link threadsSetting}, else
 * none below {@link THREADS_MIN_BYTES}, else one per processor, at most 4, and none on a single
 * processor. (`node:os` is loaded only here: start-up of small runs skips it.)
 */
export async function inputThreads(
  env: Record<string, string | undefined>,
  warn: (message: string) => void,
  size: number,
  command: keyof typeof THREADS_MIN_BYTES,
): Promise<number> {
  const set = threadsSetting(env, warn);
  if (set !== undefined) return set;
  if (size < THREADS_MIN_BYTES[command]) return 0;
  const { availableParallelism } = await import("node:os");
  const n = availableParallelism();
  return n >= 2 ? Math.min(4, n) : 0;
}

/**
 * The worker script `name` (e.g. `input-worker.cjs`) beside the bundle (dist/), when it is there:
 * undefined when running from source (no bundle, so no worker scripts either).
 */
export function workerScript(name: string): string | undefined {
  if (typeof __dirname !== "string") return undefined;
  const file = join(__dirname, name);
  return existsSync(file) ? file : undefined;
}

/**
 * The size of a regular file; 0 for anything else (stdin, a directory, a file that is not there).
 * Synchronous: a stat does not block, and an asynchronous one would start libuv's thread pool.
 */
export function fileSize(path: string): number {
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    return st?.isFile() ? st.size : 0;
  } catch {
    return 0;
  }
}
