import type { Context } from "../cli/context.js";
import { outputFormat } from "../cli/context.js";
import type { CommandSpec } from "../cli/program.js";
import { shardCounts } from "../core/lineage.js";
import { sanitize } from "../render/sanitize.js";
import { renderFields } from "../render/stream.js";
import { renderTable } from "../render/table.js";

/** JSON shape of `describe` (documented in the README). */
export interface DescribeJson {
  tableName: string;
  streamArn: string;
  streamLabel: string | null;
  status: string | null;
  viewType: string | null;
  createdAt: string | null;
  keySchema: Array<{ name: string; type: string }>;
  shards: { open: number; closed: number; total: number };
  streams: Array<{ streamArn: string; streamLabel: string; latest: boolean }>;
  consumers: Array<{
    uuid: string;
    functionArn: string;
    state: string;
    lastProcessingResult: string | null;
  }> | null;
}

async function run(ctx: Context, [target]: string[]): Promise<number> {
  const format = outputFormat(ctx.globals, ["pretty", "json"], ctx.out.stdoutIsTTY);
  const aws = await ctx.aws();
  const { resolveStream, describeStreamAll, listTableStreams, keySchemaOf } = await import(
    "../aws/streams.js"
  );
  const resolved = await resolveStream(aws, target as string);
  const { description: d, shards } = await describeStreamAll(aws, resolved.streamArn);
  const tableName = d.TableName ?? resolved.tableName;
  const streams = await listTableStreams(aws, tableName);
  const latestArn = resolved.table?.LatestStreamArn ?? resolved.streamArn;
  if (!streams.some((s) => s.streamArn === resolved.streamArn)) {
    streams.unshift({ streamArn: resolved.streamArn, streamLabel: d.StreamLabel ?? "" });
  }
  const { describeConsumers, functionNameOf } = await import("../aws/consumers.js");
  const consumers = await describeConsumers(aws, resolved.streamArn, (m) => ctx.out.warn(m), ctx.env);
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
  };
  if (format === "json") {
    ctx.out.jsonLine(result);
    return 0;
  }
  const s = ctx.out.style;
  const statusText = result.status === "ENABLED" ? s.green(result.status) : s.yellow(result.status ?? "?");
  ctx.out.line(
    renderFields(
      [
        ["table", sanitize(result.tableName)],
        ["stream", sanitize(result.streamArn)],
        ["label", sanitize(result.streamLabel ?? "-")],
        ["status", statusText],
        ["view type", result.viewType ?? "-"],
        ["created", result.createdAt ?? "-"],
        ["key schema", result.keySchema.map((k) => `${sanitize(k.name)} (${k.type})`).join(", ") || "-"],
        ["shards", `${result.shards.open} open, ${result.shards.closed} closed`],
        [
          "consumers",
          result.consumers === null
            ? s.gray(
                result.streamArn.includes(":ddblocal:")
                  ? "none (DynamoDB Local has no Lambda)"
                  : "unknown (Lambda not reachable)",
              )
            : result.consumers.length === 0
              ? "no Lambda event source mappings"
              : `${result.consumers.length} Lambda event source mapping${result.consumers.length === 1 ? "" : "s"} (listed below; lag: dynastream lag ${sanitize(tableName)})`,
        ],
      ],
      s,
    ),
  );
  if (result.consumers && result.consumers.length > 0) {
    ctx.out.line(s.bold("consumers:"));
    const table = renderTable(
      ["FUNCTION", "STATE", "LAST RESULT", "MAPPING UUID"],
      result.consumers.map((c) => [
        sanitize(functionNameOf(c.functionArn)),
        c.state === "Enabled" ? c.state : s.yellow(sanitize(c.state || "?")),
        sanitize(c.lastProcessingResult ?? "-"),
        sanitize(c.uuid),
      ]),
      s,
    );
    for (const l of table.split("\n")) ctx.out.line(`  ${l}`);
  }
  ctx.out.line(s.bold(`streams of ${sanitize(tableName)}:`));
  for (const st of result.streams) {
    ctx.out.line(
      `  ${st.latest ? s.green("* ") : "  "}${sanitize(st.streamArn)}${st.latest ? s.gray(" (latest)") : ""}`,
    );
  }
  return 0;
}

export const describeCommand: CommandSpec = {
  name: "describe",
  summary: "describe a table's stream: status, view type, shards, all streams, consumers",
  args: ["<table|stream-arn>"],
  examples: [
    "dynastream describe Orders",
    "dynastream describe arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2026-01-01T00:00:00.000 --json",
  ],
  run,
};
