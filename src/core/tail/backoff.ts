/**
 * The waiting schedules of `tail`, as pure functions of the attempt number and an injected random
 * source (so tests are deterministic). See /work/shared/reference/streams-api-and-lag.md §1.6, §1.7
 * and Appendix A.
 */

/** Consecutive failures of one call (throttling, 5xx, network) before tail gives up (exit 5). */
export const MAX_CALL_RETRIES = 10;

/** Attempts to find the children of an ended shard before waiting for the periodic re-listing. */
export const CHILD_LOOKUP_ATTEMPTS = 10;

/** Minimum spacing of GetRecords calls on one shard: at most 5 calls/s (the Kinesis per-shard limit; Lambda polls 4/s). */
export const MIN_GET_RECORDS_INTERVAL_MS = 200;

/** Longest wait after empty pages (the KCL adapter waits 1 s after an empty read). */
export const MAX_EMPTY_POLL_MS = 1000;

/** Full re-listing of the stream as a safety net for children that were never found. */
export const RELIST_INTERVAL_MS = 30_000;

/** Re-listing when no shard is being read (waiting for new shards of an enabled stream). */
export const IDLE_RELIST_INTERVAL_MS = 10_000;

/**
 * Delay before retrying a throttled or failed call: exponential from 200 ms, capped at 10 s, with
 * "equal jitter" (half fixed, half random) so that many shards backing off together spread out.
 *
 * @param attempt 0 for the first retry
 * @param random a source of numbers in [0, 1)
 */
export function retryDelayMs(attempt: number, random: () => number): number {
  const exp = Math.min(10_000, 200 * 2 ** Math.max(0, Math.min(attempt, 20)));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/**
 * Delay after the `emptyInARow`-th consecutive empty page (1-based): 250 ms, 500 ms, then 1 s,
 * ±10 % jitter, never above {@link MAX_EMPTY_POLL_MS}. A non-empty page is followed at once (subject
 * only to {@link MIN_GET_RECORDS_INTERVAL_MS}).
 */
export function emptyPollDelayMs(emptyInARow: number, random: () => number): number {
  if (emptyInARow <= 0) return 0;
  const base = Math.min(MAX_EMPTY_POLL_MS, 250 * 2 ** Math.min(emptyInARow - 1, 10));
  const jittered = base * (0.9 + 0.2 * random());
  return Math.round(Math.min(MAX_EMPTY_POLL_MS, jittered));
}

/**
 * Delay before the next look-up of an ended shard's children (children can appear slightly after
 * their parent closes): 50 ms doubling to 1 s, ±20 % jitter, as the DynamoDB Streams Kinesis adapter.
 *
 * @param attempt 0 for the first retry
 */
export function childLookupDelayMs(attempt: number, random: () => number): number {
  const base = Math.min(1000, 50 * 2 ** Math.max(0, Math.min(attempt, 10)));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * How long the child look-up schedule lasts: its {@link CHILD_LOOKUP_ATTEMPTS} look-ups without jitter
 * span 5.55 s. Tail takes this as how late DynamoDB may list a child after its parent closed, so a
 * listing made this long after a shard closed shows all of its children.
 */
export const CHILD_LOOKUP_SPAN_MS = Array.from({ length: CHILD_LOOKUP_ATTEMPTS - 1 }, (_, i) =>
  childLookupDelayMs(i, () => 0.5),
).reduce((a, b) => a + b, 0);

/** Milliseconds to wait before the next GetRecords on a shard whose previous call started at `lastStart`. */
export function pacingDelayMs(lastStartMs: number | undefined, nowMs: number): number {
  if (lastStartMs === undefined) return 0;
  return Math.max(0, lastStartMs + MIN_GET_RECORDS_INTERVAL_MS - nowMs);
}
