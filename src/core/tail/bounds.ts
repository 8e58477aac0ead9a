/**
 * Bounded reads of `tail` for scripts: `--until-end` (a snapshot of the stream at start: every shard
 * read up to where it stood then), `--until <time>`, and when a shard counts as caught up. Pure.
 *
 * There is no API that tells where an open shard stood at a given moment, so an open shard counts as
 * read "up to where it stood" when either
 * - it answered {@link CAUGHT_UP_EMPTY_PAGES} empty pages in a row (nothing more to read), or
 * - it returned a record created after the bound (that record and the rest of the shard are newer
 *   than the snapshot; they are not shown).
 * A closed shard is simply read to its end, and its children after it, even those listed late (they
 * existed at the snapshot; see tracker.ts), a split's children possibly one by one (discovery.ts
 * lists the stream once more when the child look-up span has passed). Shards that appear after the
 * snapshot as children of a shard that closed meanwhile hold only newer records and are not read.
 */

/** What bounds a read. Both may be set; the earlier one wins. */
export interface ReadBounds {
  /** `--until-end`: when the snapshot was taken (epoch ms). */
  snapshotMs?: number | undefined;
  /** `--until`: the end time (epoch ms). */
  untilMs?: number | undefined;
}

/**
 * Slack added to the snapshot time before a record counts as "after the snapshot": record times are
 * rounded down to the second by AWS and come from AWS's clock, not ours.
 */
export const UNTIL_END_SLACK_MS = 1000;

/** Empty pages in a row after which an open shard counts as caught up (one empty page is not proof, §1.5). */
export const CAUGHT_UP_EMPTY_PAGES = 2;

/** True when some bound applies. */
export function isBounded(b: ReadBounds): boolean {
  return b.snapshotMs !== undefined || b.untilMs !== undefined;
}

/** Records created after this time (epoch ms) are past the bound; undefined when unbounded. */
export function recordLimitMs(b: ReadBounds): number | undefined {
  const a = b.snapshotMs === undefined ? undefined : b.snapshotMs + UNTIL_END_SLACK_MS;
  if (a === undefined) return b.untilMs;
  if (b.untilMs === undefined) return a;
  return Math.min(a, b.untilMs);
}

/** True when a record created at `recordMs` lies past the bound (it is not shown; the shard is finished). */
export function isPastBound(recordMs: number | undefined, b: ReadBounds): boolean {
  const limit = recordLimitMs(b);
  return limit !== undefined && recordMs !== undefined && recordMs > limit;
}

/**
 * True when an open shard that returned `emptyInARow` empty pages is finished under the bounds: for
 * `--until-end` at once; for `--until` only once the clock has passed the end time (records may
 * still arrive until then).
 */
export function isCaughtUp(emptyInARow: number, nowMs: number, b: ReadBounds): boolean {
  if (emptyInARow < CAUGHT_UP_EMPTY_PAGES) return false;
  if (b.snapshotMs !== undefined) return true;
  if (b.untilMs !== undefined) return nowMs >= b.untilMs;
  return false;
}

/** For `--until`: true once the clock has passed the end time (the whole run may stop when idle). */
export function isPastUntil(nowMs: number, b: ReadBounds): boolean {
  return b.untilMs !== undefined && nowMs >= b.untilMs;
}
