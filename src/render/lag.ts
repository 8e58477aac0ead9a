/**
 * Output of `lag`: the JSON document (shape documented in the README) and the human report (the
 * consumer table, per-consumer details, warnings).
 */
import { formatDuration } from "../core/duration.js";
import type { DestinationConsumer } from "../core/lag/destination.js";
import { type KclConsumer, kclMaxLag } from "../core/lag/kcl.js";
import type { KclShardLag } from "../core/lag/kcl-probes.js";
import type { EventCounts, LambdaConsumer, MappingSettings } from "../core/lag/lambda.js";
import type { LagConsumer, LagReport } from "../core/lag/report.js";
import { latestPoint, sparkline, windowMax } from "../core/lag/series.js";
import type { LagStatus } from "../core/lag/verdict.js";
import { sanitize } from "./sanitize.js";
import type { Style } from "./style.js";
import { renderTable } from "./table.js";

const iso = (ms: number): string => new Date(ms).toISOString();

/** `iteratorAge` in the JSON output. */
export interface IteratorAgeJson {
  latestMs: number | null;
  latestAt: string | null;
  maxMs: number | null;
  series: Array<{ t: string; ms: number }>;
}

/** One Lambda consumer in the JSON output. */
export interface LambdaConsumerJson {
  kind: "lambda";
  uuid: string;
  functionName: string;
  functionArn: string;
  state: string | null;
  lastProcessingResult: string | null;
  iteratorAge: IteratorAgeJson;
  events: EventCounts | null;
  status: LagStatus;
  warnings: string[];
  reasons: string[];
  streamArn: string;
  stateTransitionReason: string | null;
  settings: MappingSettings;
  /** Messages waiting in the SQS on-failure destination, or null (not a queue, or not known). */
  onFailureWaiting: number | null;
}

/** One shard of a KCL consumer in the JSON output. */
export interface KclShardJson {
  shardId: string;
  open: boolean;
  leaseOwner: string | null;
  checkpoint: string | null;
  state: KclShardLag["state"];
  lagMs: number | null;
  firstUnprocessedAt: string | null;
  message: string | null;
}

/** One KCL consumer in the JSON output. */
export interface KclConsumerJson {
  kind: "kcl";
  leaseTable: string;
  iteratorAge: IteratorAgeJson;
  status: LagStatus;
  warnings: string[];
  reasons: string[];
  streamArn: string;
  shards: KclShardJson[];
}

/**
 * A table's Kinesis destination in the JSON output; `kind` "kinesis-stream" (table, destination
 * status and replication fields null) for `lag <kinesis-stream-arn>`.
 */
export interface DestinationConsumerJson {
  kind: "kinesis-destination" | "kinesis-stream";
  table: string | null;
  streamArn: string;
  destinationStatus: string | null;
  /** AgeOfOldestUnreplicatedRecord: the replication's lag. */
  iteratorAge: IteratorAgeJson | null;
  failedToReplicateRecords: number | null;
  throttledPutRecords: number | null;
  streamIteratorAge: IteratorAgeJson | null;
  efoConsumers: Array<{ name: string; status: string; millisBehindLatest: number | null }>;
  status: LagStatus;
  warnings: string[];
  reasons: string[];
}

/** The JSON document of `lag`. */
export interface LagJson {
  streamArn: string;
  window: { start: string; end: string; periodSeconds: number };
  consumers: Array<LambdaConsumerJson | KclConsumerJson | DestinationConsumerJson>;
  status: LagStatus;
}

function ageJson(a: { series: Array<{ t: number; ms: number }> } | null): IteratorAgeJson | null {
  if (a === null) return null;
  const latest = latestPoint(a.series);
  return {
    latestMs: latest?.ms ?? null,
    latestAt: latest ? iso(latest.t) : null,
    maxMs: windowMax(a.series) ?? null,
    series: a.series.map((p) => ({ t: iso(p.t), ms: p.ms })),
  };
}

function destinationJson(c: DestinationConsumer): DestinationConsumerJson {
  return {
    kind: c.table === null ? "kinesis-stream" : "kinesis-destination",
    table: c.table,
    streamArn: c.streamArn,
    destinationStatus: c.destinationStatus,
    iteratorAge: ageJson(c.replicationAge),
    failedToReplicateRecords: c.failedToReplicate,
    throttledPutRecords: c.throttledPutRecord,
    streamIteratorAge: ageJson(c.streamIteratorAge),
    efoConsumers: c.efoConsumers.map((e) => ({
      name: e.name,
      status: e.status,
      millisBehindLatest: latestPoint(e.series)?.ms ?? null,
    })),
    status: c.verdict.status,
    warnings: c.warnings,
    reasons: c.verdict.reasons,
  };
}

function lambdaJson(c: LambdaConsumer): LambdaConsumerJson {
  const latest = latestPoint(c.iteratorAge.series);
  return {
    kind: "lambda",
    uuid: c.uuid,
    functionName: c.functionName,
    functionArn: c.functionArn,
    state: c.state,
    lastProcessingResult: c.lastProcessingResult,
    iteratorAge: {
      latestMs: latest?.ms ?? null,
      latestAt: latest ? iso(latest.t) : null,
      maxMs: windowMax(c.iteratorAge.series) ?? null,
      series: c.iteratorAge.series.map((p) => ({ t: iso(p.t), ms: p.ms })),
    },
    events: c.events,
    status: c.verdict.status,
    warnings: c.warnings,
    reasons: c.verdict.reasons,
    streamArn: c.streamArn,
    stateTransitionReason: c.stateTransitionReason,
    settings: c.settings,
    onFailureWaiting: c.onFailureWaiting ?? null,
  };
}

function kclJson(c: KclConsumer): KclConsumerJson {
  const latest = kclMaxLag(c.shards);
  return {
    kind: "kcl",
    leaseTable: c.leaseTable,
    iteratorAge: {
      latestMs: latest ?? null,
      latestAt: latest === undefined ? null : iso(c.probedAt),
      maxMs: windowMax(c.history) ?? null,
      series: c.history.map((p) => ({ t: iso(p.t), ms: p.ms })),
    },
    status: c.verdict.status,
    warnings: c.warnings,
    reasons: c.verdict.reasons,
    streamArn: c.streamArn,
    shards: c.shards.map((s) => ({
      shardId: s.shardId,
      open: s.open,
      leaseOwner: s.leaseOwner,
      checkpoint: s.checkpoint,
      state: s.state,
      lagMs: s.lagMs,
      firstUnprocessedAt: s.firstUnprocessedAt === null ? null : iso(s.firstUnprocessedAt),
      message: s.message ?? null,
    })),
  };
}

/** The report as the documented JSON document. */
export function lagJson(r: LagReport): LagJson {
  return {
    streamArn: r.streamArn,
    window: {
      start: iso(r.window.startMs),
      end: iso(r.window.endMs),
      periodSeconds: r.window.periodMs / 1000,
    },
    consumers: r.consumers.map((c) =>
      c.kind === "lambda" ? lambdaJson(c) : c.kind === "kcl" ? kclJson(c) : destinationJson(c),
    ),
    status: r.status,
  };
}

/** A status word in its colour. */
export function statusText(s: LagStatus, style: Style): string {
  switch (s) {
    case "ok":
      return style.green(s);
    case "warn":
      return style.yellow(s);
    case "fail":
      return style.red(style.bold(s));
    case "no-data":
      return style.gray(s);
  }
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

function kclSummary(c: KclConsumer): string {
  if (c.shards.length === 0) return "-";
  const counts = new Map<string, number>();
  for (const s of c.shards) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  return [...counts.entries()].map(([k, n]) => `${n} ${k}`).join(", ");
}

function row(c: LagConsumer, r: LagReport, style: Style): string[] {
  if (c.kind === "lambda") {
    const latest = latestPoint(c.iteratorAge.series);
    const max = windowMax(c.iteratorAge.series);
    const state = c.state ?? "?";
    return [
      sanitize(c.functionName),
      state === "Enabled" ? state : style.red(sanitize(state)),
      sanitize(truncate(c.lastProcessingResult ?? "-", 32)),
      latest ? formatDuration(latest.ms) : style.gray("no data (idle)"),
      max === undefined ? "-" : formatDuration(max),
      sparkline(c.iteratorAge.series, r.window) || "-",
      statusText(c.verdict.status, style),
    ];
  }
  if (c.kind === "kinesis-destination") {
    // The stream alone: its polling readers' age stands where a destination's replication age does.
    const alone = c.destinationStatus === null;
    const ages = alone ? c.streamIteratorAge : c.replicationAge;
    const series = ages?.series ?? [];
    const latest = latestPoint(series);
    const max = windowMax(series);
    return [
      `kinesis:${sanitize(c.streamArn.slice(c.streamArn.lastIndexOf("/") + 1))}`,
      c.destinationStatus === null
        ? "stream"
        : c.destinationStatus === "ACTIVE"
          ? c.destinationStatus
          : style.red(sanitize(c.destinationStatus)),
      alone
        ? `${c.efoConsumers.length} enhanced fan-out`
        : `failed ${c.failedToReplicate ?? "-"} · throttled ${c.throttledPutRecord ?? "-"}`,
      latest ? formatDuration(latest.ms) : style.gray(ages === null ? "not asked" : "no data"),
      max === undefined ? "-" : formatDuration(max),
      sparkline(series, r.window) || "-",
      statusText(c.verdict.status, style),
    ];
  }
  const latest = kclMaxLag(c.shards);
  const max = windowMax(c.history);
  const leases = c.shards.filter((s) => s.checkpoint !== null).length;
  return [
    `kcl:${sanitize(c.leaseTable)}`,
    `${leases} lease${leases === 1 ? "" : "s"}`,
    sanitize(truncate(kclSummary(c), 32)),
    latest === undefined ? style.gray("no data") : formatDuration(latest),
    max === undefined ? "-" : formatDuration(max),
    c.history.length > 1 ? sparkline(c.history, r.window) : "-",
    statusText(c.verdict.status, style),
  ];
}

function seconds(v: number | null): string {
  if (v === null) return "?";
  if (v < 0) return "∞";
  return v === 0 ? "0s" : formatDuration(v * 1000);
}

function settingsLine(s: MappingSettings, waiting?: number | null): string {
  return [
    `batch ${s.batchSize ?? "?"}`,
    `window ${seconds(s.maximumBatchingWindowSeconds)}`,
    `parallelization ${s.parallelizationFactor ?? "?"}`,
    `from ${s.startingPosition ?? "?"}`,
    `retries ${s.maximumRetryAttempts === null ? "?" : s.maximumRetryAttempts < 0 ? "∞" : s.maximumRetryAttempts}`,
    `max age ${seconds(s.maximumRecordAgeSeconds)}`,
    `bisect ${s.bisectBatchOnFunctionError ? "on" : "off"}`,
    `on-failure ${s.onFailureDestination ? sanitize(s.onFailureDestination) : "none"}${typeof waiting === "number" ? ` (${waiting} waiting)` : ""}`,
    `filters ${s.filterCount}`,
    ...(s.reportBatchItemFailures ? ["ReportBatchItemFailures"] : []),
  ].join(" · ");
}

function eventsLine(c: LambdaConsumer): string {
  if (!c.events) {
    return `not enabled; enable them with: aws lambda update-event-source-mapping --uuid ${sanitize(c.uuid)} --metrics-config Metrics=EventCount`;
  }
  const e = c.events;
  const n = (v: number | null): string => (v === null ? "-" : String(v));
  return `polled ${n(e.polled)} · filtered out ${n(e.filteredOut)} · invoked ${n(e.invoked)} · failed ${n(e.failedInvoke)} · dropped ${n(e.dropped)} · to on-failure destination ${n(e.onFailureDestinationDelivered)}`;
}

function details(c: LagConsumer, r: LagReport, style: Style): string[] {
  const lines: string[] = [];
  const multiStream = r.streamArns.length > 1;
  if (c.kind === "lambda") {
    lines.push(
      `${style.bold(sanitize(c.functionName))} ${style.gray(`(mapping ${sanitize(c.uuid)})`)}${multiStream ? ` on ${sanitize(c.streamArn)}` : ""}`,
    );
    lines.push(
      `  state: ${sanitize(c.state ?? "?")}${c.stateTransitionReason ? ` (${sanitize(c.stateTransitionReason)})` : ""} · last result: ${sanitize(c.lastProcessingResult ?? "-")}`,
    );
    const latest = latestPoint(c.iteratorAge.series);
    const max = windowMax(c.iteratorAge.series);
    lines.push(
      latest
        ? `  IteratorAge: ${formatDuration(latest.ms)} at ${iso(latest.t)} · max ${formatDuration(max ?? 0)} · ${c.iteratorAge.series.length} datapoint${c.iteratorAge.series.length === 1 ? "" : "s"}`
        : "  IteratorAge: no data (idle: Lambda publishes IteratorAge only when it processes a batch)",
    );
    lines.push(`  settings: ${settingsLine(c.settings, c.onFailureWaiting)}`);
    lines.push(`  events: ${eventsLine(c)}`);
  } else if (c.kind === "kinesis-destination") {
    lines.push(
      `${style.bold(`kinesis:${sanitize(c.streamArn)}`)} ${style.gray(c.table === null ? "(Kinesis stream)" : `(Kinesis destination of ${sanitize(c.table)})`)}`,
    );
    if (c.destinationStatus !== null) {
      const age = c.replicationAge ? latestPoint(c.replicationAge.series) : undefined;
      lines.push(
        `  replication: ${sanitize(c.destinationStatus)} · AgeOfOldestUnreplicatedRecord ${age ? `${formatDuration(age.ms)} at ${iso(age.t)}` : "no data"} · failed ${c.failedToReplicate ?? "-"} · throttled ${c.throttledPutRecord ?? "-"}`,
      );
    }
    const sa = c.streamIteratorAge ? latestPoint(c.streamIteratorAge.series) : undefined;
    lines.push(
      `  stream readers: GetRecords.IteratorAgeMilliseconds ${sa ? formatDuration(sa.ms) : "no data"}`,
    );
    for (const e of c.efoConsumers) {
      const l = latestPoint(e.series);
      lines.push(
        `  enhanced fan-out: ${sanitize(e.name)} (${sanitize(e.status)}) · MillisBehindLatest ${l ? formatDuration(l.ms) : "no data"}`,
      );
    }
  } else {
    lines.push(
      `${style.bold(`kcl:${sanitize(c.leaseTable)}`)} ${style.gray("(KCL lease table)")}${multiStream ? ` on ${sanitize(c.streamArn)}` : ""}`,
    );
    if (c.shards.length > 0) {
      const table = renderTable(
        ["SHARD", "OWNER", "CHECKPOINT", "STATE", "LAG"],
        c.shards.map((s) => [
          sanitize(s.shardId),
          sanitize(s.leaseOwner ?? "-"),
          sanitize(s.checkpoint ?? "-"),
          s.state === "trimmed" || s.state === "lost" ? style.red(s.state) : s.state,
          s.lagMs === null ? "-" : formatDuration(s.lagMs),
        ]),
        style,
      );
      for (const l of table.split("\n")) lines.push(`  ${l}`);
      for (const s of c.shards) {
        if (s.message) lines.push(`  ${style.gray(`${sanitize(s.shardId)}: ${sanitize(s.message)}`)}`);
      }
    }
  }
  if (c.verdict.status !== "ok") {
    for (const why of c.verdict.reasons)
      lines.push(`  ${statusText(c.verdict.status, style)}: ${sanitize(why)}`);
  }
  for (const w of c.warnings) lines.push(`  ${style.yellow("warning:")} ${sanitize(w)}`);
  return lines;
}

/** The human report: a header, the consumer table, then each consumer's details and warnings. */
export function renderLag(r: LagReport, style: Style): string {
  const lines: string[] = [];
  const minutes = formatDuration(r.window.endMs - r.window.startMs);
  lines.push(
    `${style.bold("stream")} ${sanitize(r.streamArn)}${r.streamArns.length > 1 ? style.gray(` (+${r.streamArns.length - 1} older)`) : ""}`,
  );
  lines.push(
    style.gray(
      `window ${minutes} (${iso(r.window.startMs)} – ${iso(r.window.endMs)}), ${r.window.periodMs / 1000} s periods`,
    ),
  );
  if (r.consumers.length === 0) {
    lines.push(
      "no consumers found: no Lambda event source mapping reads this stream (pass --kcl-table for KCL applications)",
    );
    return lines.join("\n");
  }
  lines.push("");
  lines.push(
    renderTable(
      ["FUNCTION", "STATE", "LAST RESULT", "AGE NOW", "MAX", "TREND", "STATUS"],
      r.consumers.map((c) => row(c, r, style)),
      style,
    ),
  );
  for (const c of r.consumers) {
    lines.push("");
    lines.push(...details(c, r, style));
  }
  lines.push("");
  const counts = new Map<LagStatus, number>();
  for (const c of r.consumers) counts.set(c.verdict.status, (counts.get(c.verdict.status) ?? 0) + 1);
  const parts = (["fail", "warn", "no-data", "ok"] as const)
    .filter((s) => counts.has(s))
    .map((s) => `${counts.get(s)} ${s}`);
  lines.push(
    `${style.bold("status:")} ${statusText(r.status, style)} (${r.consumers.length} consumer${r.consumers.length === 1 ? "" : "s"}: ${parts.join(", ")})`,
  );
  return lines.join("\n");
}
