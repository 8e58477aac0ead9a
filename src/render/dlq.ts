/**
 * What `dlq` writes per failed batch: a header (pretty) or a `"type":"failure"` line (JSON), then the
 * batch's records exactly as `tail` writes them (./tail-output.ts), each JSON record line carrying the
 * batch's id; a one-line summary per batch (`--summary`); a `"type":"skipped"` line for a message that
 * is not an on-failure record. Pure: text builders only.
 *
 * Failure line: `{"type":"failure","batchId","function","functionArn","condition","conditionMeaning",
 * "functionError","statusCode","executedVersion","approximateInvokeCount","requestId","timestamp",
 * "table","streamArn","shardId","startSequenceNumber","endSequenceNumber","batchSize",
 * "approximateArrivalOfFirstRecord","approximateArrivalOfLastRecord","expiresAt","status","reason",
 * "records","filteredOut","source"}`.
 */
import { functionNameOf } from "../core/arn.js";
import { expiryMs, type FailedBatch } from "../core/dlq/batch.js";
import { conditionMeaning } from "../core/dlq/message.js";
import { tableFromStreamArn } from "../core/record.js";
import { sanitize } from "./sanitize.js";
import type { Style } from "./style.js";

function iso(ms: number | undefined): string | null {
  return ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

/** How many records the batch carries (fetched, from its payload, or read before it stopped). */
function recordCount(b: FailedBatch): number | null {
  return b.outcome.status === "expired" ? null : b.outcome.records.length;
}

/** The source of a batch's message, as JSON (`kind`, `label`, and what names the message there). */
function sourceJson(b: FailedBatch): Record<string, string> {
  const o = b.origin;
  if (o.kind === "sqs") return { kind: o.kind, label: o.label, queueUrl: o.queueUrl, messageId: o.messageId };
  if (o.kind === "s3") return { kind: o.kind, label: o.label, bucket: o.bucket, key: o.key };
  return { kind: o.kind, label: o.label };
}

/** The `"type":"failure"` object of a batch. */
export function failureJson(b: FailedBatch): Record<string, unknown> {
  const f = b.failure;
  const out = b.outcome;
  return {
    type: "failure",
    batchId: b.id,
    function: f.functionArn === undefined ? null : functionNameOf(f.functionArn),
    functionArn: f.functionArn ?? null,
    condition: f.condition ?? null,
    conditionMeaning: conditionMeaning(f.condition) ?? null,
    functionError: f.response?.functionError ?? null,
    statusCode: f.response?.statusCode ?? null,
    executedVersion: f.response?.executedVersion ?? null,
    approximateInvokeCount: f.approximateInvokeCount ?? null,
    requestId: f.requestId ?? null,
    timestamp: f.timestamp ?? null,
    table: tableFromStreamArn(f.batch.streamArn) ?? null,
    streamArn: f.batch.streamArn,
    shardId: f.batch.shardId,
    startSequenceNumber: f.batch.startSequenceNumber,
    endSequenceNumber: f.batch.endSequenceNumber,
    batchSize: f.batch.batchSize ?? null,
    approximateArrivalOfFirstRecord: f.batch.approximateArrivalOfFirstRecord ?? null,
    approximateArrivalOfLastRecord: f.batch.approximateArrivalOfLastRecord ?? null,
    expiresAt: iso(expiryMs(f)),
    status: out.status,
    reason: out.status === "expired" || out.status === "incomplete" ? out.reason : null,
    records: recordCount(b),
    filteredOut: out.status === "fetched" ? out.filteredOut : null,
    source: sourceJson(b),
  };
}

/** The failure line of a batch (no newline). */
export function failureJsonLine(b: FailedBatch): string {
  return JSON.stringify(failureJson(b));
}

/** A `tail --output json` record line (no newline) with the batch's id added as its last field. */
export function withBatchId(recordLine: string, id: string): string {
  return `${recordLine.slice(0, -1)},"batchId":${JSON.stringify(id)}}`;
}

/** The line of a message that is not an on-failure record (no newline). */
export function skippedJsonLine(where: string, reason: string): string {
  return JSON.stringify({ type: "skipped", source: where, reason });
}

function shortSeq(seq: string): string {
  return seq.length > 12 ? `…${seq.slice(-8)}` : seq;
}

function shardSuffix(shardId: string): string {
  const i = shardId.lastIndexOf("-");
  return i >= 0 && i < shardId.length - 1 ? shardId.slice(i + 1) : shardId;
}

/** What the fetch gave, in words. */
function outcomeText(b: FailedBatch, style: Style): string {
  const out = b.outcome;
  const size = b.failure.batch.batchSize;
  switch (out.status) {
    case "fetched": {
      let t = `${out.records.length} record${out.records.length === 1 ? "" : "s"}`;
      if (out.filteredOut > 0) t += ` (${out.filteredOut} in the range filtered out by the mapping)`;
      if (size !== undefined && size !== out.records.length)
        t += style.yellow(
          ` — the batch had ${size}${out.filterApplied ? "" : " (the mapping's filter is not known)"}`,
        );
      return t;
    }
    case "payload":
      return `${out.records.length} record${out.records.length === 1 ? "" : "s"} (from the message's payload)`;
    case "incomplete":
      return style.yellow(
        `${out.records.length} record${out.records.length === 1 ? "" : "s"}, incomplete: ${sanitize(out.reason)}`,
      );
    case "expired":
      return style.red(
        `records gone${out.expiredAtMs === undefined ? "" : ` (expired ${iso(out.expiredAtMs)})`}: ${sanitize(out.reason)}`,
      );
  }
}

/**
 * The pretty header of a batch: what failed and why, where its records lie, what was fetched, and
 * where its message came from. Two lines, no trailing newline.
 */
export function failureHeaderPretty(b: FailedBatch, style: Style): string {
  const f = b.failure;
  const fn = f.functionArn === undefined ? "(unknown function)" : functionNameOf(f.functionArn);
  const meaning = conditionMeaning(f.condition);
  const parts = [
    style.bold(sanitize(fn)),
    f.condition === undefined
      ? "(no condition)"
      : style.red(sanitize(f.condition)) + (meaning ? style.dim(` (${meaning})`) : ""),
  ];
  if (f.response?.functionError) parts.push(`error: ${sanitize(f.response.functionError)}`);
  if (f.approximateInvokeCount !== undefined)
    parts.push(`${f.approximateInvokeCount} attempt${f.approximateInvokeCount === 1 ? "" : "s"}`);
  if (f.timestamp) parts.push(`at ${sanitize(f.timestamp)}`);
  const table = tableFromStreamArn(f.batch.streamArn) ?? f.batch.streamArn;
  const range =
    f.batch.startSequenceNumber === f.batch.endSequenceNumber
      ? `sequence ${f.batch.startSequenceNumber}`
      : `sequence ${f.batch.startSequenceNumber} … ${f.batch.endSequenceNumber}`;
  const second = [
    `${sanitize(table)} shard:${sanitize(shardSuffix(f.batch.shardId))}`,
    range,
    f.batch.batchSize === undefined ? undefined : `batch of ${f.batch.batchSize}`,
    outcomeText(b, style),
    `from ${sanitize(b.origin.label)}`,
  ].filter((x): x is string => x !== undefined);
  return `${style.bold("FAILED BATCH")} ${parts.join(" · ")}\n  ${second.join(" · ")}`;
}

/** One line per batch (`--summary`, pretty). */
export function failureSummaryPretty(b: FailedBatch, style: Style): string {
  const f = b.failure;
  const fn = f.functionArn === undefined ? "?" : functionNameOf(f.functionArn);
  const table = tableFromStreamArn(f.batch.streamArn) ?? f.batch.streamArn;
  const n = recordCount(b);
  const status =
    b.outcome.status === "expired"
      ? style.red("expired")
      : b.outcome.status === "incomplete"
        ? style.yellow(`incomplete ${n}`)
        : `${n} record${n === 1 ? "" : "s"}`;
  return [
    sanitize(f.timestamp ?? "-"),
    sanitize(fn),
    sanitize(f.condition ?? "-"),
    `${sanitize(table)} shard:${sanitize(shardSuffix(f.batch.shardId))}`,
    `${shortSeq(f.batch.startSequenceNumber)}-${shortSeq(f.batch.endSequenceNumber)}`,
    status,
    sanitize(b.origin.label),
  ].join("  ");
}

/** How the redrive of one batch ended (`dlq --redrive`). */
export interface RedriveView {
  batchId: string;
  /** The function redriven to (undefined when the record names none). */
  functionName: string | undefined;
  /** A local handler (`--handler`), or the deployed function. */
  local: boolean;
  result: "succeeded" | "failed" | "not-redriven";
  records: number;
  delivered: number;
  invocations: number;
  /** Why it did not succeed: what Lambda would do with it now. */
  reason: string | undefined;
}

/**
 * The `"type":"redrive"` line of a batch: `{"type":"redrive","batchId","function","target"
 * ("deployed"|"local"),"result" ("succeeded"|"failed"|"not-redriven"),"records","delivered",
 * "invocations","reason"}`.
 */
export function redriveJson(v: RedriveView): Record<string, unknown> {
  return {
    type: "redrive",
    batchId: v.batchId,
    function: v.functionName ?? null,
    target: v.local ? "local" : "deployed",
    result: v.result,
    records: v.records,
    delivered: v.delivered,
    invocations: v.invocations,
    reason: v.reason ?? null,
  };
}

/** The pretty line of a batch's redrive (stderr). */
export function redriveLine(v: RedriveView, s: Style): string {
  const to =
    v.functionName === undefined ? "" : ` to ${v.local ? "a local handler as " : ""}${v.functionName}`;
  const n = (x: number, w: string): string => `${x} ${w}${x === 1 ? "" : "s"}`;
  if (v.result === "succeeded")
    return sanitize(
      `${s.green("redriven")} batch ${v.batchId}${to}: ${n(v.delivered, "record")} delivered in ${n(v.invocations, "invocation")}`,
    );
  const head = v.result === "failed" ? s.red("failed again") : s.yellow("not redriven");
  return sanitize(
    `${head} batch ${v.batchId}${to}: ${v.delivered} of ${n(v.records, "record")} delivered in ${n(v.invocations, "invocation")}${v.reason === undefined ? "" : `; ${v.reason}`}; its message is kept`,
  );
}
