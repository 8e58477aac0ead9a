/**
 * doctor's Kinesis probes: the table's Kinesis Data Streams destination and, on each live destination
 * stream, one read-only call per action `tail --kinesis`, `shards --kinesis` and `invoke --kinesis` need.
 */
import type { Check } from "../../core/doctor/check.js";
import { type PermissionAction, permissionResource } from "../../core/doctor/permissions.js";
import { type KinesisDestination, liveDestinations } from "../../core/kinesis-destination.js";
import { describeDestinations, resolveKinesisStream } from "../kinesis-destination.js";
import { attempt, type ProbeContext, probeLine, shardReadChecks, skipped } from "./probe.js";

/**
 * The table's Kinesis Data Streams destination, what `tail --kinesis` and `shards --kinesis` read:
 * DescribeKinesisStreamingDestination on the table, then the probes of each live destination stream
 * (kinesisStreamChecks). All read-only. An endpoint without the destination operations (DynamoDB
 * Local answers UnknownOperationException) is skipped with the reason.
 */
export async function kinesisChecks(
  ctx: ProbeContext,
  tableName: string,
  tableRes: string,
): Promise<Check[]> {
  const { run } = ctx;
  const out: Check[] = [];
  const action = "dynamodb:DescribeKinesisStreamingDestination";
  if (!ctx.reachable("DYNAMODB")) {
    out.push(skipped(action, "the DynamoDB endpoint does not answer"));
    return out;
  }
  const got = await describeDestinations(run, tableName, { optional: true }).then(
    (list) => ({ list, err: undefined as unknown }),
    (e: unknown) => ({ list: [] as KinesisDestination[], err: e ?? new Error("failed") }),
  );
  const err = got.err;
  if (got.list === null) {
    out.push(
      skipped(
        action,
        "the DynamoDB endpoint has no Kinesis destination operations (DynamoDB Local): no Kinesis stream to probe",
      ),
    );
    return out;
  }
  const live = liveDestinations(got.list);
  const found =
    err !== undefined
      ? ""
      : live.length === 0
        ? `: table ${tableName} has no active Kinesis destination`
        : `: ${live.map((d) => `${d.streamArn} ${d.status}`).join(", ")}`;
  out.push(
    probeLine(
      ctx,
      action,
      err,
      `Kinesis destinations of ${tableName}${found}`,
      permissionResource(action, tableRes),
    ),
  );
  if (err !== undefined || live.length === 0) return out;
  for (const d of live) out.push(...(await kinesisStreamChecks(ctx, tableRes, d.streamArn)));
  return out;
}

/**
 * One Kinesis stream's probes: DescribeStreamSummary, ListShards (one page of one shard),
 * GetShardIterator (LATEST) and GetRecords (Limit 1) on that shard.
 */
async function kinesisStreamChecks(ctx: ProbeContext, tableRes: string, arn: string): Promise<Check[]> {
  const { run } = ctx;
  const line = (a: PermissionAction, e: unknown, what: string): Check =>
    probeLine(ctx, a, e, what, permissionResource(a, tableRes, arn));
  if (!ctx.reachable("KINESIS")) {
    return (
      [
        "kinesis:DescribeStreamSummary",
        "kinesis:ListShards",
        "kinesis:GetShardIterator",
        "kinesis:GetRecords",
      ] as const
    ).map((a) => skipped(a, "the Kinesis endpoint does not answer"));
  }
  const { ListShardsCommand, GetShardIteratorCommand, GetRecordsCommand } = await import(
    "@aws-sdk/client-kinesis"
  );
  const opts = { abortSignal: run.signal };
  const out: Check[] = [
    line(
      "kinesis:DescribeStreamSummary",
      await attempt(() => resolveKinesisStream(run, arn)),
      `Kinesis stream ${arn}`,
    ),
  ];
  const kinesis = await run.clients.kinesis();
  out.push(
    ...(await shardReadChecks(line, {
      find: {
        action: "kinesis:ListShards",
        what: `shards of ${arn}`,
        listing: "ListShards",
        noShard: "the Kinesis stream has no shard",
      },
      findShard: async () =>
        (
          await kinesis.send(new ListShardsCommand({ StreamARN: arn, MaxResults: 1 }), opts)
        ).Shards?.[0]?.ShardId,
      actions: ["kinesis:GetShardIterator", "kinesis:GetRecords"],
      iterator: async (ShardId) =>
        (
          await kinesis.send(
            new GetShardIteratorCommand({ StreamARN: arn, ShardId, ShardIteratorType: "LATEST" }),
            opts,
          )
        ).ShardIterator,
      records: (ShardIterator) =>
        kinesis.send(new GetRecordsCommand({ ShardIterator, StreamARN: arn, Limit: 1 }), opts),
      shardWhat: (shardId) => `Kinesis shard ${shardId}`,
    })),
  );
  return out;
}
