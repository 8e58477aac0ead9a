/**
 * A failed batch as `dlq` handles it: the on-failure record, where its message came from (and the
 * handle to delete it by), and what fetching its records gave. This is the seam for redrive: a batch
 * whose `outcome` holds records carries them in stream order, with the function that failed
 * (`failure.functionArn`) and its message's handle (`origin`). Pure: no I/O.
 */
import type { StreamRecord } from "../record.js";
import { compareSequence } from "../sequence.js";
import type { FailureRecord } from "./message.js";

/** DynamoDB Streams keeps records for 24 hours. */
export const RETENTION_MS = 24 * 60 * 60 * 1000;

/** A batch whose records expire within this long gets a warning. */
export const EXPIRY_WARNING_MS = 60 * 60 * 1000;

/** Where a message came from, with what deleting it takes. */
export type MessageOrigin =
  | { kind: "sqs"; label: string; queueUrl: string; messageId: string; receiptHandle: string }
  | { kind: "s3"; label: string; bucket: string; key: string }
  | { kind: "file"; label: string };

/** What fetching a batch's records gave. */
export type FetchOutcome =
  /** The records of the range, read from the stream (after the mapping's filter, when known). */
  | {
      status: "fetched";
      records: StreamRecord[];
      /** Records inside the range the mapping's filter criteria dropped (0 without criteria). */
      filteredOut: number;
      /** Whether the mapping's criteria were known and applied. */
      filterApplied: boolean;
    }
  /** The records came with the message (S3 destinations carry the invocation payload). */
  | { status: "payload"; records: StreamRecord[] }
  /** Gone from the stream: trimmed (older than 24 h) or the shard/stream no longer exists. */
  | { status: "expired"; reason: string; expiredAtMs: number | undefined }
  /** Only part of the range could be read (the stream stopped answering records before its end). */
  | { status: "incomplete"; records: StreamRecord[]; reason: string };

/** One failed batch. */
export interface FailedBatch {
  /** Stable id of the batch: shard and sequence range (the same batch reported twice has one id). */
  id: string;
  failure: FailureRecord;
  origin: MessageOrigin;
  outcome: FetchOutcome;
}

/** The id of a batch: `<shardId>:<first>-<last>`. */
export function batchId(f: FailureRecord): string {
  return `${f.batch.shardId}:${f.batch.startSequenceNumber}-${f.batch.endSequenceNumber}`;
}

/** Whether a sequence number lies in the batch's range (inclusive, compared as integers). */
export function inRange(f: FailureRecord, sequenceNumber: string): boolean {
  return (
    compareSequence(sequenceNumber, f.batch.startSequenceNumber) >= 0 &&
    compareSequence(sequenceNumber, f.batch.endSequenceNumber) <= 0
  );
}

/**
 * When the batch's first record leaves the stream: its approximate arrival plus the 24 h retention
 * (epoch ms), or undefined when the record does not say when it arrived.
 */
export function expiryMs(f: FailureRecord): number | undefined {
  const t = f.batch.approximateArrivalOfFirstRecord;
  if (t === undefined) return undefined;
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms + RETENTION_MS : undefined;
}

/** Whether the batch's records expire within the next hour (and have not yet). */
export function expiresSoon(f: FailureRecord, nowMs: number): boolean {
  const at = expiryMs(f);
  return at !== undefined && at > nowMs && at - nowMs <= EXPIRY_WARNING_MS;
}

/** The records a batch carries (fetched, from its payload, or the part read), else undefined. */
export function batchRecords(b: FailedBatch): StreamRecord[] | undefined {
  return b.outcome.status === "expired" ? undefined : b.outcome.records;
}
