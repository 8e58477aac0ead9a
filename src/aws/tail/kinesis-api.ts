/**
 * The tail reader's calls ({@link TailApi}) on a Kinesis data stream that a table's Kinesis
 * destination writes into: the same reader, lineage rules, bounds and checkpoints as a DynamoDB
 * stream, with Kinesis's calls underneath.
 *
 * - listShards: ListShards, every page (kinesis-streams.ts); the stream's status from
 *   DescribeStreamSummary is not needed (a Kinesis stream is never "disabled").
 * - childShards: the children GetRecords named at the shard's end (`ChildShards`), when it did; else
 *   the shards listed whose parents (`ParentShardId` or `AdjacentParentShardId`) include the shard.
 * - shardIterator: GetShardIterator, AT_TIMESTAMP included (a real seek; StreamARN names the stream).
 * - records: GetRecords; each record's data is decoded as a DynamoDB change record into the one
 *   record model (core/record.ts `decodeKinesisChange`), the Kinesis envelope kept beside it. The body
 *   is parsed with JSON.parse (as for DynamoDB Streams, get-records.ts): `Data` stays the base64 text
 *   the wire carried, which is what Lambda hands a function.
 * Errors are the SDK's own (ExpiredIteratorException, ProvisionedThroughputExceededException, …):
 * the shard reader branches on their names.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html
 */
import { parentsOf, type ShardInfo } from "../../core/lineage.js";
import { decodeKinesisChange } from "../../core/normalize-record.js";
import type { KinesisEnvelope, StreamRecord } from "../../core/record.js";
import { awsErrorName } from "../errors.js";
import { listKinesisShards } from "../kinesis-streams.js";
import type { AwsRun } from "../streams.js";
import type { TailApi } from "./api.js";
import { type RecordsPage, sendTakingJson } from "./get-records.js";

/** The GetRecords answer as the wire carries it (AWS JSON 1.1). */
interface WireRecord {
  SequenceNumber?: unknown;
  ApproximateArrivalTimestamp?: unknown;
  Data?: unknown;
  PartitionKey?: unknown;
  EncryptionType?: unknown;
}

interface WireChildShard {
  ShardId?: unknown;
  ParentShards?: unknown;
  HashKeyRange?: { StartingHashKey?: unknown; EndingHashKey?: unknown };
}

/** A Kinesis record of GetRecords as a change record (or one with `decodeError`). */
export function kinesisRecordOf(w: WireRecord, shardId: string, streamArn: string): StreamRecord {
  const env: KinesisEnvelope = {
    sequenceNumber: typeof w.SequenceNumber === "string" ? w.SequenceNumber : "",
    partitionKey: typeof w.PartitionKey === "string" ? w.PartitionKey : "",
    data: typeof w.Data === "string" ? w.Data : "",
    shardId,
    streamArn,
  };
  // The wire gives epoch seconds with a fraction (milliseconds).
  if (typeof w.ApproximateArrivalTimestamp === "number")
    env.arrivalMs = Math.round(w.ApproximateArrivalTimestamp * 1000);
  if (typeof w.EncryptionType === "string") env.encryptionType = w.EncryptionType;
  return decodeKinesisChange(env);
}

/** ChildShards of a GetRecords answer as shards (first parent, adjacent parent). */
function childShardsOf(list: unknown): ShardInfo[] | undefined {
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const out: ShardInfo[] = [];
  for (const c of list as WireChildShard[]) {
    if (typeof c?.ShardId !== "string") continue;
    const parents = Array.isArray(c.ParentShards)
      ? (c.ParentShards as unknown[]).filter((p) => typeof p === "string")
      : [];
    const info: ShardInfo = { shardId: c.ShardId };
    if (parents[0] !== undefined) info.parentShardId = parents[0] as string;
    if (parents[1] !== undefined) info.adjacentParentShardId = parents[1] as string;
    const h = c.HashKeyRange;
    if (typeof h?.StartingHashKey === "string" && typeof h.EndingHashKey === "string") {
      info.hashKeyRange = { startingHashKey: h.StartingHashKey, endingHashKey: h.EndingHashKey };
    }
    out.push(info);
  }
  return out;
}

/**
 * A GetShardIterator refusal of a sequence number past the stream's retention. Kinesis has no
 * TrimmedDataAccessException: its API reference lists only InvalidArgumentException ("A specified
 * parameter exceeds its restrictions, is not supported, or can't be used") for GetShardIterator
 * (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetShardIterator.html#API_GetShardIterator_Errors),
 * and the answer for a trimmed AT/AFTER_SEQUENCE_NUMBER is not documented further. Consumers see an
 * InvalidArgumentException whose message names the StartingSequenceNumber ("StartingSequenceNumber …
 * used in GetShardIterator on shard … is invalid."). The same exception for a sequence number of
 * another stream or shard says so ("did not come from this stream", "It encodes shardId-…"): that one
 * stays an error (a wrong checkpoint is not lost data).
 */
function isTrimmedSequence(e: unknown): boolean {
  if (awsErrorName(e) !== "InvalidArgumentException") return false;
  const message = String((e as { message?: unknown }).message ?? "");
  if (!/StartingSequenceNumber/i.test(message)) return false;
  return !/did not come from this stream|encodes shardId|Invalid StartingSequenceNumber/i.test(message);
}

/** The refusal under the name the shard reader turns into a gap (as DynamoDB Streams names it). */
function trimmedError(e: unknown): Error {
  const err = new Error((e as { message?: string }).message ?? "trimmed", { cause: e });
  err.name = "TrimmedDataAccessException";
  return err;
}

/** The SDK-backed calls for one Kinesis stream (the run's abort signal aborts calls in flight). */
export async function kinesisTailApi(run: AwsRun, streamArn: string): Promise<TailApi> {
  const client = await run.clients.kinesis();
  const sdk = await import("@aws-sdk/client-kinesis");
  const options = { abortSignal: run.signal };
  /** Shard of each iterator handed out (records are tagged with it); children seen at shard ends. */
  const shardOfIterator = new Map<string, string>();
  const childrenSeen = new Map<string, ShardInfo[]>();
  return {
    async listShards() {
      return { shards: await listKinesisShards(run, streamArn), status: undefined, viewType: undefined };
    },
    async childShards(parentShardId) {
      const seen = childrenSeen.get(parentShardId);
      if (seen && seen.length > 0) return { children: seen };
      const all = await listKinesisShards(run, streamArn);
      return { children: all.filter((s) => parentsOf(s).includes(parentShardId)) };
    },
    async shardIterator(shardId, position) {
      let out: { ShardIterator?: string | undefined };
      try {
        out = await client.send(
          new sdk.GetShardIteratorCommand({
            StreamARN: streamArn,
            ShardId: shardId,
            ShardIteratorType: position.type,
            ...("sequenceNumber" in position ? { StartingSequenceNumber: position.sequenceNumber } : {}),
            ...(position.type === "AT_TIMESTAMP" ? { Timestamp: new Date(position.timestampMs) } : {}),
          }),
          options,
        );
      } catch (e) {
        if ("sequenceNumber" in position && isTrimmedSequence(e)) throw trimmedError(e);
        throw e;
      }
      const it = out.ShardIterator || undefined;
      if (it !== undefined) shardOfIterator.set(it, shardId);
      return it;
    },
    async records(iterator, limit): Promise<RecordsPage> {
      const shardId = shardOfIterator.get(iterator) ?? "";
      const { parsed, out } = await sendTakingJson<{
        Records?: Array<{
          SequenceNumber?: string;
          Data?: Uint8Array;
          PartitionKey?: string;
          ApproximateArrivalTimestamp?: Date;
        }>;
        NextShardIterator?: string;
        MillisBehindLatest?: number;
        ChildShards?: unknown;
      }>(client, new sdk.GetRecordsCommand({ ShardIterator: iterator, Limit: limit }), options);
      let wire: {
        Records?: unknown;
        NextShardIterator?: unknown;
        MillisBehindLatest?: unknown;
        ChildShards?: unknown;
      };
      if (parsed !== undefined) {
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
          throw new SyntaxError("GetRecords response is not a JSON object");
        }
        wire = parsed as typeof wire;
      } else {
        // Another HTTP handler: the SDK's own reading (Data as bytes, times as Dates).
        wire = {
          ...out,
          Records: (out.Records ?? []).map((r) => ({
            ...r,
            Data: Buffer.from(r.Data ?? new Uint8Array()).toString("base64"),
            ApproximateArrivalTimestamp: r.ApproximateArrivalTimestamp
              ? r.ApproximateArrivalTimestamp.getTime() / 1000
              : undefined,
          })),
        };
      }
      shardOfIterator.delete(iterator); // used: a retry of a failed call keeps it
      const list = Array.isArray(wire.Records) ? (wire.Records as WireRecord[]) : [];
      const records = list.map((w) => kinesisRecordOf(w, shardId, streamArn));
      const next = typeof wire.NextShardIterator === "string" ? wire.NextShardIterator : undefined;
      if (next !== undefined) shardOfIterator.set(next, shardId);
      const children = childShardsOf(wire.ChildShards);
      if (children && shardId !== "") childrenSeen.set(shardId, children);
      return {
        Records: records,
        NextShardIterator: next,
        millisBehindLatest: typeof wire.MillisBehindLatest === "number" ? wire.MillisBehindLatest : undefined,
        childShards: children,
      };
    },
  };
}
