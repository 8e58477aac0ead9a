/**
 * KCL consumers without CloudWatch: read the application's lease table (a DynamoDB table) and probe
 * each shard once, sequentially, at the checkpoint. Every probe is a billed GetRecords and one more
 * reader of the shard, so probes stay few and small (Limit 1, a handful of pages while empty on
 * DynamoDB Streams; one page on a Kinesis data stream, whose MillisBehindLatest says the rest).
 */
import type { AttributeValue, ScanCommandOutput } from "@aws-sdk/client-dynamodb";
import { parseKinesisStreamArn } from "../core/arn.js";
import type { KclLease, ProbeOutcome, ProbeStart } from "../core/lag/kcl-probes.js";
import { creationTimeMs, type StreamRecord } from "../core/record.js";
import type { IteratorPosition } from "../core/tail/plan.js";
import { AuthError, InterruptedError, NotFoundError } from "../errors.js";
import { awsErrorName, translateAwsError } from "./errors.js";
import { pages } from "./paging.js";
import type { AwsRun } from "./streams.js";
import type { ShardApi } from "./tail/api.js";

/** Pages of GetRecords a probe reads while they come back empty (empty pages can precede data). */
export const PROBE_MAX_PAGES = 5;

function str(v: AttributeValue | undefined): string | undefined {
  if (!v) return undefined;
  if (typeof v.S === "string") return v.S;
  if (typeof v.N === "string") return v.N;
  return undefined;
}

function strings(v: AttributeValue | undefined): string[] {
  if (!v) return [];
  if (Array.isArray(v.SS)) return v.SS;
  if (typeof v.S === "string") return [v.S];
  if (Array.isArray(v.L)) return v.L.map((x) => x.S).filter((x): x is string => typeof x === "string");
  return [];
}

/** A lease as read from the table, with the multi-stream `streamName` when there is one. */
export type StoredLease = KclLease & { streamName?: string };

/**
 * The stream identifier KCL's multi-stream mode stores in `streamName` for a DynamoDB stream:
 * `region$account$table$label` (':' in the label replaced by '_'), possibly inside
 * `account:<identifier>:<epoch>`.
 */
export function belongsToDynamoDBStream(streamName: string, tableName: string, label: string): boolean {
  return streamName.includes(`$${tableName}$`) && streamName.includes(label.replace(/:/g, "_"));
}

/**
 * Converts one lease-table item; undefined for rows that are not shard leases:
 * - rows without `leaseKey` (KCL 3.x keeps worker metrics and coordinator state in their own rows,
 *   keyed otherwise);
 * - rows tagged with an `entityType` that is not a lease (the single-table format tags every row with
 *   its entity: only lease rows are leases);
 * - a multi-stream lease without `shardId`/`streamName` attributes still names both in its key,
 *   `<stream identifier>:<shardId>` (the DynamoDB Streams Kinesis Adapter's and KCL's multi-stream
 *   form): they are read from there.
 */
export function leaseFromItem(item: Record<string, AttributeValue>): StoredLease | undefined {
  const leaseKey = str(item.leaseKey);
  if (!leaseKey) return undefined;
  const entity = str(item.entityType);
  if (entity !== undefined && !/lease/i.test(entity)) return undefined;
  const cut = leaseKey.lastIndexOf(":shardId-");
  const shardId = str(item.shardId) ?? (cut > 0 ? leaseKey.slice(cut + 1) : leaseKey);
  const streamName = str(item.streamName) ?? (cut > 0 ? leaseKey.slice(0, cut) : undefined);
  return {
    leaseKey,
    shardId,
    checkpoint: str(item.checkpoint),
    leaseOwner: str(item.leaseOwner) || undefined,
    parentShardIds: strings(item.parentShardId),
    ...(streamName !== undefined ? { streamName } : {}),
  };
}

/**
 * The leases of one stream. Single-stream lease tables key leases by shard id (all rows count);
 * multi-stream ones carry `streamName` and `shardId`, and rows of other streams are left out.
 */
export function leasesOfStream(all: readonly StoredLease[], tableName: string, label: string): KclLease[] {
  return splitLeases(all, (id) => belongsToDynamoDBStream(id, tableName, label)).leases;
}

/**
 * True when a multi-stream lease's stream identifier names this Kinesis data stream. KCL serializes
 * it as `<account>:<stream name>:<creation epoch>` (StreamIdentifier.serialize in
 * awslabs/amazon-kinesis-client); the account is compared when the ARN names one.
 */
export function kinesisStreamOwns(streamArn: string): (streamName: string) => boolean {
  const arn = parseKinesisStreamArn(streamArn);
  return (id) => {
    const m = /^(\d+):([^:]+):(\d+)$/.exec(id);
    if (!m || !arn) return false;
    return m[2] === arn.streamName && m[1] === arn.account;
  };
}

/**
 * Splits a lease table's leases into this stream's (single-stream leases, and multi-stream ones
 * whose identifier `owns` accepts) and the identifiers of the other streams it holds leases of.
 */
export function splitLeases(
  all: readonly StoredLease[],
  owns: (streamName: string) => boolean,
): { leases: KclLease[]; otherStreams: string[] } {
  const leases: KclLease[] = [];
  const others = new Set<string>();
  for (const l of all) {
    if (l.streamName === undefined || owns(l.streamName)) leases.push(l);
    else others.add(l.streamName);
  }
  return { leases, otherStreams: [...others] };
}

/** Every lease of the table (Scan, all pages). A missing table is "not found" (exit 3). */
export async function readLeases(run: AwsRun, leaseTable: string): Promise<StoredLease[]> {
  const { ScanCommand } = await import("@aws-sdk/client-dynamodb");
  const ddb = await run.clients.dynamodb();
  const out: StoredLease[] = [];
  const scan = async (start: Record<string, AttributeValue> | undefined) => {
    try {
      const input = { TableName: leaseTable, ...(start ? { ExclusiveStartKey: start } : {}) };
      return await ddb.send(new ScanCommand(input), { abortSignal: run.signal });
    } catch (e) {
      if (awsErrorName(e) === "ResourceNotFoundException") {
        throw new NotFoundError(
          `KCL lease table ${leaseTable} not found`,
          "pass the lease table's name (by default the KCL application name) with --kcl-table",
          e,
        );
      }
      throw translateAwsError(
        e,
        `KCL lease table ${leaseTable} (dynamodb:Scan)`,
        run.clients.settings.endpointUrl,
      );
    }
  };
  const lastKey = (page: ScanCommandOutput) =>
    page.LastEvaluatedKey && Object.keys(page.LastEvaluatedKey).length > 0
      ? page.LastEvaluatedKey
      : undefined;
  for await (const page of pages(scan, lastKey)) {
    for (const item of page.Items ?? []) {
      const lease = leaseFromItem(item);
      if (lease) out.push(lease);
    }
  }
  return out;
}

/**
 * How a probe reads one kind of stream: through the live tail reader's shard calls ({@link ShardApi}),
 * GetShardIterator at the checkpoint, then GetRecords (Limit 1) while pages come back empty, at most
 * `maxPages` pages. The first record after the checkpoint dates the lag, or there is none.
 */
interface ProbeRules {
  /** The shard calls of one stream. */
  api: (run: AwsRun, streamArn: string) => Promise<ShardApi>;
  /** Pages of GetRecords read while they come back empty. */
  maxPages: number;
  /** Whether a page says how far it is from the shard's tip (`millisBehindLatest`, Kinesis only). */
  tip: boolean;
  /** When the record was written (epoch ms), and that time's name for a record without it. */
  writtenAt: (rec: StreamRecord) => number | undefined;
  writtenAtName: string;
  /** What a checkpoint behind the trim point (TrimmedDataAccessException) means. */
  trimmed: string;
  /** The error a checkpoint the stream rejects raises, and what it says. */
  rejected: { error: string; says: string };
}

/**
 * DynamoDB Streams: a handful of pages while empty (empty pages can precede data); the record's
 * ApproximateCreationDateTime dates it.
 */
const DYNAMODB_PROBE: ProbeRules = {
  api: async (run, streamArn) => (await import("./tail/api.js")).sdkTailApi(run, streamArn),
  maxPages: PROBE_MAX_PAGES,
  tip: false,
  writtenAt: creationTimeMs,
  writtenAtName: "ApproximateCreationDateTime",
  trimmed: "the checkpoint is behind the stream's trim point (older than 24 h): records were lost",
  rejected: { error: "ValidationException", says: "the stream rejected the checkpoint" },
};

/**
 * A Kinesis data stream: ONE page. Its `MillisBehindLatest` is how far the page is from the shard's
 * tip ("A value of zero indicates that record processing is caught up"), empty page or not; the record
 * it returns (the first after the checkpoint) dates the lag by its ApproximateArrivalTimestamp, since
 * the page that holds the last record is already at the tip.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html
 * A checkpoint past the stream's retention is trimmed (kinesisTailApi names that refusal
 * TrimmedDataAccessException); one the stream rejects otherwise (InvalidArgumentException: a
 * sequence number of another stream or shard) is a probe error.
 */
const KINESIS_PROBE: ProbeRules = {
  api: async (run, streamArn) => (await import("./tail/kinesis-api.js")).kinesisTailApi(run, streamArn),
  maxPages: 1,
  tip: true,
  writtenAt: (rec) => rec.kinesis?.arrivalMs,
  writtenAtName: "ApproximateArrivalTimestamp",
  trimmed: "the checkpoint is behind the stream's trim point (older than its retention): records were lost",
  rejected: {
    error: "InvalidArgumentException",
    says: "the stream rejected the checkpoint (a sequence number of another stream?)",
  },
};

/** Probes one shard of a DynamoDB stream at `start` ({@link DYNAMODB_PROBE}). */
export function probeShard(
  run: AwsRun,
  streamArn: string,
  shardId: string,
  start: ProbeStart,
): Promise<ProbeOutcome> {
  return probe(run, DYNAMODB_PROBE, streamArn, shardId, start);
}

/** Probes one shard of a Kinesis data stream at `start` ({@link KINESIS_PROBE}). */
export function probeKinesisShard(
  run: AwsRun,
  streamArn: string,
  shardId: string,
  start: ProbeStart,
): Promise<ProbeOutcome> {
  return probe(run, KINESIS_PROBE, streamArn, shardId, start);
}

/**
 * Probes one shard by `rules`. Trimmed data and vanished shards are outcomes, not errors;
 * credentials problems are thrown.
 */
function probe(
  run: AwsRun,
  rules: ProbeRules,
  streamArn: string,
  shardId: string,
  start: ProbeStart,
): Promise<ProbeOutcome> {
  return probeOutcome(run, shardId, rules, async () => {
    const api = await rules.api(run, streamArn);
    const position: IteratorPosition =
      start.type === "AFTER_SEQUENCE_NUMBER" ? { type: start.type, sequenceNumber: start.seq } : start;
    let iterator = await api.shardIterator(shardId, position);
    let tip: { behindMs?: number } = {};
    for (let page = 0; iterator && page < rules.maxPages; page++) {
      const out = await api.records(iterator, 1);
      if (rules.tip) tip = { behindMs: out.millisBehindLatest ?? 0 };
      const first = out.Records[0];
      if (first) {
        const at = rules.writtenAt(first);
        if (at !== undefined) return { kind: "record", createdAt: at, ...tip };
        return { kind: "error", message: `the first unprocessed record has no ${rules.writtenAtName}` };
      }
      if (!out.NextShardIterator) return { kind: "empty", shardEnded: true, ...tip };
      iterator = out.NextShardIterator;
    }
    return { kind: "empty", shardEnded: !iterator, ...tip };
  });
}

/**
 * A shard probe's failures as outcomes: data past the trim point (TrimmedDataAccessException), a
 * vanished shard, a checkpoint the stream rejects (`rules.rejected.error`), any other error;
 * credentials problems and Ctrl-C are thrown.
 */
async function probeOutcome(
  run: AwsRun,
  shardId: string,
  rules: Pick<ProbeRules, "trimmed" | "rejected">,
  probe: () => Promise<ProbeOutcome>,
): Promise<ProbeOutcome> {
  const { rejected } = rules;
  try {
    return await probe();
  } catch (e) {
    const name = awsErrorName(e);
    if (name === "TrimmedDataAccessException") return { kind: "trimmed", message: rules.trimmed };
    if (name === "ResourceNotFoundException") return { kind: "gone", message: "the shard no longer exists" };
    const err = translateAwsError(e, `shard ${shardId}`, run.clients.settings.endpointUrl);
    if (err instanceof AuthError || err instanceof InterruptedError) throw err;
    if (name === rejected.error)
      return { kind: "error", message: `${rejected.says}: ${(e as Error).message}` };
    return { kind: "error", message: err.message };
  }
}
