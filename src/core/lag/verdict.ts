/**
 * The verdict rules of `dynastream lag`, shared by every kind of consumer: statuses, thresholds, the
 * stream retention, the reasons an age level and series give, and how reasons combine. No clock of
 * its own: every function that needs "now" takes it as an argument, so the rules are unit-tested
 * with a fixed clock.
 *
 * The rules, in the spirit of Burrow's (a lagging consumer is judged on the trend, not only the level):
 * - `fail`: latest age over the fail threshold; age within 25% of the 24 h retention (records are
 *   about to be trimmed); a Lambda mapping that is not `Enabled` or whose LastProcessingResult reports
 *   a problem; a KCL checkpoint that was trimmed (records lost).
 * - `warn`: latest age over the warn threshold; the age rose across the whole window.
 * - `no-data`: nothing to judge the age on (an idle Lambda mapping emits no IteratorAge: never 0).
 * - `ok` otherwise.
 */
import { formatDuration } from "../duration.js";
import { type LagWindow, risesAcrossWindow, type SeriesPoint, sortSeries } from "./series.js";

/** The verdict on one consumer (and, worst-first, on all of them). */
export type LagStatus = "ok" | "warn" | "fail" | "no-data";

/** DynamoDB Streams keeps records for 24 hours, then trims them. */
export const RETENTION_MS = 86_400_000;

/** Ages at or above this are within 25% of the retention: records are about to be trimmed unread. */
export const RETENTION_DANGER_MS = RETENTION_MS * 0.75;

/** Thresholds of the verdict (`--warn`, `--fail`, `--fail-on-no-data`). */
export interface LagThresholds {
  warnMs: number;
  failMs: number;
  /** Turns `no-data` into `fail` (for CI jobs that expect traffic). */
  failOnNoData: boolean;
}

/** The defaults: warn over 1 minute, fail over 10 minutes. */
export const DEFAULT_THRESHOLDS: LagThresholds = { warnMs: 60_000, failMs: 600_000, failOnNoData: false };

/** A status and the reasons for it (empty for `ok`). */
export interface Verdict {
  status: LagStatus;
  reasons: string[];
}

/**
 * The fail and warn reasons that come from an age level and an age series. `retentionMs` is the
 * stream's retention: 24 h for DynamoDB Streams; a Kinesis data stream's own (24 h to 365 days).
 */
export function ageReasons(
  latestMs: number,
  series: readonly SeriesPoint[],
  window: LagWindow,
  th: LagThresholds,
  retentionMs: number = RETENTION_MS,
): { fail: string[]; warn: string[] } {
  const fail: string[] = [];
  const warn: string[] = [];
  if (latestMs >= retentionMs * 0.75) {
    fail.push(
      `age ${formatDuration(latestMs)} is within 25% of the ${retentionMs % 3_600_000 === 0 ? `${retentionMs / 3_600_000} h` : formatDuration(retentionMs)} stream retention: records are about to be trimmed unread`,
    );
  } else if (latestMs > th.failMs) {
    fail.push(`age ${formatDuration(latestMs)} is over the fail threshold ${formatDuration(th.failMs)}`);
  } else if (latestMs > th.warnMs) {
    warn.push(`age ${formatDuration(latestMs)} is over the warn threshold ${formatDuration(th.warnMs)}`);
  }
  if (risesAcrossWindow(series, window)) {
    const s = sortSeries(series);
    warn.push(
      `age rose across the whole window, from ${formatDuration((s[0] as SeriesPoint).ms)} to ${formatDuration((s[s.length - 1] as SeriesPoint).ms)}`,
    );
  }
  return { fail, warn };
}

/** Combines reasons into a verdict: any fail reason fails; no data is `no-data` (or fails); then warn. */
export function combineVerdict(
  fail: readonly string[],
  warn: readonly string[],
  noDataReason: string | undefined,
  th: LagThresholds,
): Verdict {
  if (fail.length > 0) return { status: "fail", reasons: [...fail, ...warn] };
  if (noDataReason !== undefined) {
    if (th.failOnNoData) return { status: "fail", reasons: [`${noDataReason} (--fail-on-no-data)`, ...warn] };
    return { status: "no-data", reasons: [noDataReason, ...warn] };
  }
  if (warn.length > 0) return { status: "warn", reasons: [...warn] };
  return { status: "ok", reasons: [] };
}

/** Worst status first: fail, warn, no-data, ok. An empty list is `ok`. */
export function overallStatus(statuses: readonly LagStatus[]): LagStatus {
  const rank: Record<LagStatus, number> = { ok: 0, "no-data": 1, warn: 2, fail: 3 };
  let worst: LagStatus = "ok";
  for (const s of statuses) if (rank[s] > rank[worst]) worst = s;
  return worst;
}

/** Exit code of a report: 1 when the overall status is `fail`, else 0. */
export function lagExitCode(status: LagStatus): 0 | 1 {
  return status === "fail" ? 1 : 0;
}
