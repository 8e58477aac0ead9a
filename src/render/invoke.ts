/**
 * `dynastream invoke` output: one line per invocation and per discarded batch (pretty, on stderr),
 * the same as NDJSON objects (`--json`, on stdout: `"type":"invoke"`, `"type":"failure"`,
 * `"type":"summary"`), the handler's own output prefixed with its invocation, and the summary.
 */
import type { DeliverySettings, DeliveryStats, OnFailureRecord } from "../core/delivery/index.js";
import { batchInfoOf } from "../core/delivery/index.js";
import { sanitize } from "./sanitize.js";
import type { Style } from "./style.js";
import { plural } from "./words.js";

/** One invocation as shown. */
export interface InvocationView {
  invocation: number;
  shardId: string;
  records: number;
  firstSequenceNumber: string | undefined;
  lastSequenceNumber: string | undefined;
  /** 1 for the first invocation of these records. */
  attempt: number;
  origin: "new" | "retry" | "bisected" | "checkpoint";
  durationMs: number;
  cold: boolean;
  initMs: number | undefined;
  requestId: string;
  result: "ok" | "partial" | "error" | "timeout" | "failed-response";
  error: { type: string; message: string } | undefined;
  failedItems: string[] | undefined;
  /** What Lambda does next. */
  next: "done" | "retry" | "bisect" | "checkpoint" | "on-failure" | "blocked";
  /** Partial: where the retry starts. */
  retryFrom: string | undefined;
  /** `--show-records`: the event the function received. */
  event?: unknown;
  /** With a tumbling window: the window (ISO times) and whether this is its final invocation. */
  window?: { start: string; end: string; final: boolean } | undefined;
}

/** The short form of a shard id: its last part (`shardId-000…-0c730edc` → `0c730edc`). */
export function shortShard(id: string): string {
  const i = id.lastIndexOf("-");
  return i >= 0 && i < id.length - 1 ? id.slice(i + 1) : id;
}

function seqRange(first: string | undefined, last: string | undefined): string {
  if (first === undefined) return "";
  return first === last || last === undefined ? ` ${first}` : ` ${first}…${last}`;
}

const NEXT_TEXT: Record<InvocationView["next"], string> = {
  done: "",
  retry: " → retry",
  bisect: " → bisect in two",
  checkpoint: " → retry from",
  "on-failure": " → on-failure",
  blocked: " → shard blocked",
};

/** The pretty line of an invocation. */
export function invocationLine(v: InvocationView, s: Style): string {
  const start = v.cold ? s.yellow(`cold ${Math.round(v.initMs ?? 0)}ms`) : "warm";
  const head = `#${v.invocation} shard ${shortShard(v.shardId)} · ${v.records} record${v.records === 1 ? "" : "s"}${seqRange(v.firstSequenceNumber, v.lastSequenceNumber)} · attempt ${v.attempt}${v.origin === "bisected" ? " (bisected)" : ""} · ${Math.round(v.durationMs)}ms · ${start}`;
  let result: string;
  switch (v.result) {
    case "ok":
      result = s.green("ok");
      break;
    case "partial":
      result = s.yellow(`partial: failed ${(v.failedItems ?? []).join(", ")}`);
      break;
    case "timeout":
      result = s.red("timeout");
      break;
    case "error":
      result = s.red(`error ${v.error?.type ?? ""}: ${v.error?.message ?? ""}`);
      break;
    case "failed-response":
      result = s.red(`failed (response): ${v.error?.message ?? ""}`);
      break;
  }
  const next = v.next === "checkpoint" ? `${NEXT_TEXT.checkpoint} ${v.retryFrom ?? "?"}` : NEXT_TEXT[v.next];
  const w =
    v.window === undefined
      ? ""
      : ` · window ${v.window.start}–${v.window.end}${v.window.final ? " (final)" : ""}`;
  return sanitize(`${head}${w} · ${result}${next}`);
}

/** The `--json` object of an invocation. */
export function invocationJson(v: InvocationView): Record<string, unknown> {
  const o: Record<string, unknown> = {
    type: "invoke",
    invocation: v.invocation,
    shardId: v.shardId,
    records: v.records,
    firstSequenceNumber: v.firstSequenceNumber ?? null,
    lastSequenceNumber: v.lastSequenceNumber ?? null,
    attempt: v.attempt,
    origin: v.origin,
    durationMs: Math.round(v.durationMs * 100) / 100,
    cold: v.cold,
    requestId: v.requestId,
    result: v.result,
    next: v.next,
  };
  if (v.cold && v.initMs !== undefined) o.initMs = Math.round(v.initMs);
  if (v.error !== undefined) o.error = v.error;
  if (v.failedItems !== undefined) o.failedItems = v.failedItems;
  if (v.retryFrom !== undefined) o.retryFrom = v.retryFrom;
  if (v.window !== undefined) o.window = v.window;
  if (v.event !== undefined) o.event = v.event;
  return o;
}

/** The pretty line of a batch sent to the on-failure destination. */
export function failureLine(r: OnFailureRecord, s: Style, destination: string | undefined): string {
  const b = batchInfoOf(r);
  const where =
    destination === undefined
      ? "no --on-failure file: Lambda's destination would receive it"
      : `written to ${destination}`;
  return sanitize(
    `${s.red("on-failure")} shard ${shortShard(b.shardId)} · ${b.batchSize} record${b.batchSize === 1 ? "" : "s"}${seqRange(b.startSequenceNumber, b.endSequenceNumber)} · ${r.requestContext.condition} after ${r.requestContext.approximateInvokeCount} invocation${r.requestContext.approximateInvokeCount === 1 ? "" : "s"} (${where}); the shard moves on`,
  );
}

/** The `--json` object of a batch sent to the on-failure destination: the record Lambda sends. */
export function failureJson(r: OnFailureRecord): Record<string, unknown> {
  return { type: "failure", condition: r.requestContext.condition, record: r };
}

/** A line the handler wrote, prefixed with its invocation (`#3 │ …`). */
export function handlerLogLine(label: string, line: string, s: Style): string {
  return `${s.gray(`${label} │`)} ${sanitize(line)}`;
}

/** How the run ended, for the summary. */
export interface RunSummary {
  stats: DeliveryStats;
  settings: DeliverySettings;
  /** Shards stuck on a record Lambda would keep retrying, with the records held. */
  blocked: Array<[string, number]>;
  /** Cold starts of local execution environments (undefined for the deployed function). */
  coldStarts: number | undefined;
  /** Whether the records came from a Kinesis data stream (their retention is the stream's). */
  kinesis?: boolean;
}

/** The summary: what was delivered, and what Lambda would have done. */
export function summaryLines(r: RunSummary): string[] {
  const s = r.stats;
  const n = plural;
  const lines = [
    `${n(s.invocations, "invocation")}${r.coldStarts === undefined ? "" : ` (${n(r.coldStarts, "cold start")})`}: ${n(s.delivered, "record")} delivered, ${s.filtered} filtered out, ${s.discarded} sent to on-failure in ${n(s.discardedBatches, "batch")}; ${n(s.retries, "retry")}, ${n(s.bisections, "bisection")}`,
  ];
  if (s.discardedBatches > 0) {
    lines.push(
      `Lambda would have skipped ${n(s.discarded, "record")} (described in the on-failure destination; the records themselves are not sent there) and moved on.`,
    );
  }
  for (const [shard, held] of r.blocked) {
    const until =
      r.settings.maxRetryAttempts < 0 && r.settings.maxRecordAgeSeconds < 0
        ? r.kinesis === true
          ? "until the failing records expire (the Kinesis stream's retention period: 24 h by default, up to 365 days)"
          : "until the failing records expire (up to 24 h after they were written)"
        : "until its retries or the records' maximum age run out";
    lines.push(
      `shard ${shard} is blocked: Lambda would keep retrying it ${until}, holding back ${n(held, "record")}; dynastream stopped after --max-local-retries ${r.settings.localRetryLimit}.`,
    );
  }
  return lines.map(sanitize);
}

/** The `--json` summary object. */
export function summaryJson(r: RunSummary): Record<string, unknown> {
  return {
    type: "summary",
    ...r.stats,
    ...(r.coldStarts === undefined ? {} : { coldStarts: r.coldStarts }),
    blockedShards: r.blocked.map(([shardId, records]) => ({ shardId, records })),
  };
}
