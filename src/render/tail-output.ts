/**
 * The text `tail` writes to stdout per record and per gap, in each output format. Pure: the line
 * builders live in record-json.ts and record-pretty.ts; this picks one and adds newlines.
 */
import type { InputRecord, StreamRecord } from "../core/record.js";
import { tableFromStreamArn } from "../core/record.js";
import type { GapInfo, RecordContext } from "./record-json.js";
import { gapJsonLine, recordJsonLine } from "./record-json.js";
import { formatDay, renderGapPretty, renderPretty } from "./record-pretty.js";
import type { Style } from "./style.js";

/** `tail --output` formats. */
export type TailFormat = "pretty" | "json" | "dynamodb-json" | "raw";

/** Every `--output` tail accepts. */
export const TAIL_FORMATS: readonly TailFormat[] = ["pretty", "json", "dynamodb-json", "raw"];

/** Formats records and gaps for one run. */
export interface TailFormatter {
  /** The record's text including its trailing newline. */
  record(rec: StreamRecord, where: RecordContext): string;
  /** The gap's text including its newline, or "" when the format shows no gaps on stdout (raw). */
  gap(gap: GapInfo): string;
  /** Call once per batch with the clock: pretty headers show the date only for other days. */
  setNow(nowMs: number): void;
}

/** A formatter for `format`. */
export function createTailFormatter(
  format: TailFormat,
  opts: { style: Style; full: boolean; tz: "utc" | "local" },
): TailFormatter {
  let today: string | undefined;
  if (format === "pretty") {
    return {
      record: (rec, where) =>
        `${renderPretty(rec, { style: opts.style, full: opts.full, table: where.table, shardId: where.shardId, tz: opts.tz, today })}\n`,
      gap: (gap) => `${renderGapPretty(gap, { style: opts.style, tz: opts.tz, today })}\n`,
      setNow: (nowMs) => {
        today = formatDay(nowMs, opts.tz);
      },
    };
  }
  return {
    record: (rec, where) => `${recordJsonLine(rec, where, format)}\n`,
    gap: (gap) => (format === "raw" ? "" : `${gapJsonLine(gap)}\n`),
    setNow: () => undefined,
  };
}

/** The stream ARN a `tail --input` record names (its line's, else the record's own). */
export function inputStreamArn(r: InputRecord): string | undefined {
  return r.streamArn ?? r.record.kinesis?.streamArn ?? r.record.eventSourceARN;
}

/**
 * Renders `tail --input` records with `formatter`: where a record's line named no table, the table
 * of its stream ARN (looked up once per ARN: a file's records usually all name the same one).
 */
export function createInputRenderer(formatter: TailFormatter): (r: InputRecord) => string {
  let lastArn: string | undefined;
  let lastTable: string | undefined;
  return (r) => {
    const streamArn = inputStreamArn(r);
    if (streamArn !== lastArn) {
      lastArn = streamArn;
      lastTable = tableFromStreamArn(streamArn);
    }
    return formatter.record(r.record, {
      streamArn,
      shardId: r.shardId ?? r.record.kinesis?.shardId,
      table: r.table ?? r.record.tableName ?? lastTable,
    });
  };
}
