/** `dynastream describe <table|stream-arn>`: the stream, its shards' counts, consumers and the table's streams. */
import type { Context } from "../cli/context.js";
import { outputFormat } from "../cli/context.js";
import type { CommandSpec } from "../cli/program.js";
import { looksLikeArn } from "../core/arn.js";
import { shardCounts } from "../core/lineage.js";
import { NotFoundError } from "../errors.js";
import type { DescribeJson } from "../render/describe.js";
import { renderDescribe } from "../render/describe.js";

async function run(ctx: Context, [target]: string[]): Promise<number> {
  const format = outputFormat(ctx.globals, ["pretty", "json"], ctx.out.stdoutIsTTY);
  const aws = await ctx.aws();
  const { resolveStream, describeStreamAll, listTableStreams, keySchemaOf } = await import(
    "../aws/streams.js"
  );
  let resolved: Awaited<ReturnType<typeof resolveStream>>;
  try {
    resolved = await resolveStream(aws, target as string);
  } catch (e) {
    // A table without a DynamoDB stream may still replicate to Kinesis: show its destinations.
    const off = await streamOffResult(ctx, e, target as string);
    if (off === undefined) throw e;
    if (format === "json") ctx.out.jsonLine(off);
    else for (const l of renderDescribe(off, ctx.out.style)) ctx.out.line(l);
    return 0;
  }
  const { description: d, shards } = await describeStreamAll(aws, resolved.streamArn);
  const tableName = d.TableName ?? resolved.tableName;
  const streams = await listTableStreams(aws, tableName);
  const latestArn = resolved.table?.LatestStreamArn ?? resolved.streamArn;
  if (!streams.some((s) => s.streamArn === resolved.streamArn)) {
    streams.unshift({ streamArn: resolved.streamArn, streamLabel: d.StreamLabel ?? "" });
  }
  const { describeConsumers } = await import("../aws/consumers.js");
  const consumers = await describeConsumers(aws, resolved.streamArn, (m) => ctx.out.warn(m), ctx.env);
  const { describeDestinations } = await import("../aws/kinesis-destination.js");
  const kinesisDestinations = await describeDestinations(aws, tableName, { optional: true });
  const result: DescribeJson = {
    tableName,
    streamArn: resolved.streamArn,
    streamLabel: d.StreamLabel ?? null,
    status: d.StreamStatus ?? null,
    viewType: d.StreamViewType ?? null,
    createdAt: d.CreationRequestDateTime ? d.CreationRequestDateTime.toISOString() : null,
    keySchema: keySchemaOf(d.KeySchema),
    shards: shardCounts(shards),
    streams: streams.map((s) => ({ ...s, latest: s.streamArn === latestArn })),
    consumers,
    kinesisDestinations,
  };
  if (format === "json") ctx.out.jsonLine(result);
  else for (const l of renderDescribe(result, ctx.out.style)) ctx.out.line(l);
  return 0;
}

/**
 * `describe <table>` of a table without a DynamoDB stream (resolveStream's "has no stream") that has
 * Kinesis destinations: the table with its stream off and its destinations. Undefined otherwise (the
 * error stands: exit 3 with the enable hint).
 */
async function streamOffResult(ctx: Context, e: unknown, target: string): Promise<DescribeJson | undefined> {
  if (!(e instanceof NotFoundError) || looksLikeArn(target)) return undefined;
  const aws = await ctx.aws();
  const { describeTable, keySchemaOf } = await import("../aws/streams.js");
  const table = await describeTable(aws, target);
  if (table.LatestStreamArn) return undefined;
  const { describeDestinations } = await import("../aws/kinesis-destination.js");
  const kinesisDestinations = await describeDestinations(aws, target, { optional: true });
  if (kinesisDestinations === null || kinesisDestinations.length === 0) return undefined;
  return {
    tableName: target,
    streamArn: null,
    streamLabel: null,
    status: null,
    viewType: null,
    createdAt: null,
    keySchema: keySchemaOf(table.KeySchema),
    shards: { open: 0, closed: 0, total: 0 },
    streams: [],
    consumers: [],
    kinesisDestinations,
  };
}

export const command: CommandSpec = {
  examples: [
    "dynastream describe Orders",
    "dynastream describe arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2026-01-01T00:00:00.000 --json",
  ],
  run,
};
