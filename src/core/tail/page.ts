/**
 * What `tail` keeps of a GetRecords page, record by record, in shard order: records past the bound
 * (`--until`, `--until-end`) end the page and the shard; records created before the start time are
 * read (the position moves past them) but not shown. Pure.
 */
import type { StreamRecord } from "../record.js";
import { creationTimeMs, sequenceOf } from "../record.js";
import type { ReadBounds } from "./bounds.js";
import { isBounded, isPastBound } from "./bounds.js";
import { isBeforeStart } from "./plan.js";

/** What {@link cutPage} kept of a page. */
export interface CutPage {
  /** Records to show, in shard order. */
  shown: StreamRecord[];
  /** Sequence number of the last record read (shown or skipped): where an iterator is renewed. */
  lastSeq: string | undefined;
  /** A record past the bound ended the page: the shard is finished (its children are not read). */
  pastBound: boolean;
}

/**
 * Splits a page: the records shown, the last one read, and whether the bound was reached. A record past
 * the bound is not read at all (nor anything after it), so `lastSeq` stays before it.
 */
export function cutPage(
  records: readonly StreamRecord[],
  bounds: ReadBounds,
  skipBeforeMs: number | undefined,
): CutPage {
  const bounded = isBounded(bounds);
  const shown: StreamRecord[] = [];
  let lastSeq: string | undefined;
  for (const rec of records) {
    const ms = creationTimeMs(rec);
    if (bounded && isPastBound(ms, bounds)) return { shown, lastSeq, pastBound: true };
    const seq = sequenceOf(rec);
    if (seq !== undefined) lastSeq = seq;
    // A Kinesis record that is no change record is read, not shown (the consumer warns about it).
    if (!isBeforeStart(ms, skipBeforeMs) || rec.decodeError !== undefined) shown.push(rec);
  }
  return { shown, lastSeq, pastBound: false };
}
