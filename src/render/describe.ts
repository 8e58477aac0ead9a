/** The pretty output of `dynastream describe`: the stream's fields, its consumers, the table's streams. */
import { functionNameOf } from "../core/arn.js";
import type { KinesisControlResult, KinesisDestination } from "../core/kinesis-destination.js";
import type { DescribedConsumer } from "../core/lag/lambda.js";
import { sanitize } from "./sanitize.js";
import { renderFields } from "./stream.js";
import type { Style } from "./style.js";
import { renderTable } from "./table.js";

/** JSON shape of `describe` (documented in the README). */
export interface DescribeJson {
  tableName: string;
  /** null: the table has no DynamoDB stream (shown for its Kinesis destinations). */
  streamArn: string | null;
  streamLabel: string | null;
  status: string | null;
  viewType: string | null;
  createdAt: string | null;
  keySchema: Array<{ name: string; type: string }>;
  shards: { open: number; closed: number; total: number };
  streams: Array<{ streamArn: string; streamLabel: string; latest: boolean }>;
  consumers: DescribedConsumer[] | null;
  /** The table's Kinesis Data Streams destinations; null when the endpoint has none (DynamoDB Local). */
  kinesisDestinations: KinesisDestination[] | null;
}

function destinationStatus(status: string, s: Style): string {
  if (status === "ACTIVE") return s.green(status);
  if (status === "ENABLE_FAILED") return s.red(status);
  return s.yellow(sanitize(status));
}

/** The text of `enable --kinesis` / `disable --kinesis` for a terminal. */
export function renderKinesisControl(
  r: KinesisControlResult,
  verb: "enable" | "disable",
  s: Style,
): string[] {
  const done =
    verb === "enable"
      ? r.changed
        ? s.green("enabled")
        : "already enabled"
      : r.changed
        ? s.red("disabled")
        : "unchanged";
  const lines = [
    `${done}: ${sanitize(r.table)} → Kinesis ${sanitize(r.kinesisStreamArn)} (${destinationStatus(r.status, s)}, ${r.precision.toLowerCase()} precision)`,
  ];
  if (r.statusDescription) lines.push(`status: ${sanitize(r.statusDescription)}`);
  return lines;
}

/** A consumer's on-failure destination (its last ARN part) and the failed batches waiting there. */
function onFailureText(
  c: { onFailureDestination: string | null; onFailureWaiting: number | null },
  s: Style,
): string {
  if (c.onFailureDestination === null) return s.gray("none");
  const name = sanitize(c.onFailureDestination.split(":").pop() ?? c.onFailureDestination);
  if (c.onFailureWaiting === null) return name;
  return c.onFailureWaiting > 0 ? s.yellow(`${name} (${c.onFailureWaiting} waiting)`) : `${name} (0 waiting)`;
}

/** The table's Kinesis destinations (a heading and a table, or one line). */
function destinationLines(destinations: KinesisDestination[] | null, s: Style): string[] {
  const lines: string[] = [];
  if (destinations === null) {
    lines.push(
      `${s.bold("kinesis destinations:")} ${s.gray("unknown (the endpoint has no Kinesis destination API)")}`,
    );
  } else if (destinations.length === 0) {
    lines.push(`${s.bold("kinesis destinations:")} none`);
  } else {
    lines.push(s.bold("kinesis destinations:"));
    const table = renderTable(
      ["KINESIS STREAM", "STATUS", "PRECISION", "DESCRIPTION"],
      destinations.map((d) => [
        sanitize(d.streamArn),
        destinationStatus(d.status, s),
        d.precision.toLowerCase(),
        sanitize(d.statusDescription ?? "-"),
      ]),
      s,
    );
    for (const l of table.split("\n")) lines.push(`  ${l}`);
  }
  return lines;
}

/** The text of `describe` for a terminal (lines, each without its newline). */
export function renderDescribe(result: DescribeJson, s: Style): string[] {
  const lines: string[] = [];
  if (result.streamArn === null) {
    lines.push(
      renderFields(
        [
          ["table", sanitize(result.tableName)],
          [
            "stream",
            `${s.yellow("off")} ${s.gray(`(no DynamoDB stream; enable one: dynastream enable ${sanitize(result.tableName)})`)}`,
          ],
          ["key schema", result.keySchema.map((k) => `${sanitize(k.name)} (${k.type})`).join(", ") || "-"],
        ],
        s,
      ),
    );
    lines.push(...destinationLines(result.kinesisDestinations, s));
    return lines;
  }
  const streamArn = result.streamArn;
  const statusText = result.status === "ENABLED" ? s.green(result.status) : s.yellow(result.status ?? "?");
  lines.push(
    renderFields(
      [
        ["table", sanitize(result.tableName)],
        ["stream", sanitize(streamArn)],
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
                streamArn.includes(":ddblocal:")
                  ? "none (DynamoDB Local has no Lambda)"
                  : "unknown (Lambda not reachable)",
              )
            : result.consumers.length === 0
              ? "no Lambda event source mappings"
              : `${result.consumers.length} Lambda event source mapping${result.consumers.length === 1 ? "" : "s"} (listed below; lag: dynastream lag ${sanitize(result.tableName)})`,
        ],
      ],
      s,
    ),
  );
  if (result.consumers && result.consumers.length > 0) {
    lines.push(s.bold("consumers:"));
    const table = renderTable(
      ["FUNCTION", "STATE", "LAST RESULT", "ON-FAILURE", "MAPPING UUID"],
      result.consumers.map((c) => [
        sanitize(functionNameOf(c.functionArn)),
        c.state === "Enabled" ? c.state : s.yellow(sanitize(c.state || "?")),
        sanitize(c.lastProcessingResult ?? "-"),
        onFailureText(c, s),
        sanitize(c.uuid),
      ]),
      s,
    );
    for (const l of table.split("\n")) lines.push(`  ${l}`);
  }
  lines.push(...destinationLines(result.kinesisDestinations, s));
  lines.push(s.bold(`streams of ${sanitize(result.tableName)}:`));
  for (const st of result.streams) {
    lines.push(
      `  ${st.latest ? s.green("* ") : "  "}${sanitize(st.streamArn)}${st.latest ? s.gray(" (latest)") : ""}`,
    );
  }
  return lines;
}
