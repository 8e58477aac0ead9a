/** What the live tail reader yields to its consumer, and why it ends. */
import type { StreamRecord } from "../../core/record.js";

/** A record read from a shard, in shard order. */
export interface RecordEvent {
  kind: "record";
  shardId: string;
  record: StreamRecord;
}

/** Records were lost: the shard was trimmed past the position tail was reading. */
export interface GapEvent {
  kind: "gap";
  shardId: string;
  /** The last record read from the shard before the gap, if any. */
  afterSequenceNumber?: string | undefined;
  /** Short reason: `trimmed`. */
  reason: string;
  /** When the gap was detected (epoch ms, injected clock). */
  at: number;
}

/**
 * A shard finished: `end` (read to its end: its children follow), `not-found` (the shard is gone:
 * treated as its end), `bound` (stopped at --until / --until-end; its descendants are not read).
 */
export interface ShardEndEvent {
  kind: "shard-end";
  shardId: string;
  reason: "end" | "not-found" | "bound";
}

/** What the reader yields. */
export type TailEvent = RecordEvent | GapEvent | ShardEndEvent;

/**
 * Why the reader ended: `bounded` (every shard read up to the bound), `disabled` (the stream was
 * disabled and every record read), `shards-done` (the shards of --shard were all read), `idle`
 * (--idle-timeout), `closed` (close() was called).
 */
export type TailEndReason = "bounded" | "disabled" | "shards-done" | "idle" | "closed";
