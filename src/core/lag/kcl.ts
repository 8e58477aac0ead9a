/**
 * A KCL application (one lease table) as a consumer: its lag is the largest shard lag (kcl-probes.ts),
 * judged with the shared rules and the history `--watch` keeps; its warnings; the consumer `lag`
 * reports for it.
 */
import type { KclShardLag } from "./kcl-probes.js";
import { type LagWindow, type SeriesPoint, sortSeries } from "./series.js";
import { ageReasons, combineVerdict, type LagThresholds, RETENTION_MS, type Verdict } from "./verdict.js";

/** The largest known shard lag, or undefined when no shard's lag is known. */
export function kclMaxLag(shards: readonly KclShardLag[]): number | undefined {
  let max: number | undefined;
  for (const s of shards) if (s.lagMs !== null && (max === undefined || s.lagMs > max)) max = s.lagMs;
  return max;
}

/**
 * The verdict on one KCL application: its lag is the largest shard lag; lost records fail it; probe
 * errors warn. `history` holds earlier measurements (from `--watch`) for the rising-trend rule.
 */
export function judgeKcl(
  shards: readonly KclShardLag[],
  th: LagThresholds,
  window: LagWindow,
  history: readonly SeriesPoint[] = [],
  retentionMs: number = RETENTION_MS,
): Verdict {
  const fail: string[] = [];
  const warn: string[] = [];
  for (const s of shards) {
    if (s.state === "trimmed") fail.push(`records lost on ${s.shardId}: its checkpoint was trimmed`);
    else if (s.state === "lost")
      fail.push(`records lost on ${s.shardId}: the shard was trimmed before it was finished`);
    else if (s.state === "error") warn.push(`could not probe ${s.shardId}: ${s.message ?? "error"}`);
  }
  const max = kclMaxLag(shards);
  if (max === undefined) {
    return combineVerdict(fail, warn, "no shard's lag could be measured", th);
  }
  const age = ageReasons(max, history, window, th, retentionMs);
  return combineVerdict([...fail, ...age.fail], [...warn, ...age.warn], undefined, th);
}

/** Configuration warnings of a KCL application: open shards nobody leased, leases nobody owns. */
export function kclWarnings(shards: readonly KclShardLag[]): string[] {
  const out: string[] = [];
  const noLease = shards.filter((s) => s.state === "no-lease");
  if (noLease.length > 0) {
    out.push(
      `${noLease.length} open shard${noLease.length === 1 ? " has" : "s have"} no lease yet: ${noLease.map((s) => s.shardId).join(", ")}`,
    );
  }
  const unowned = shards.filter(
    (s) => s.checkpoint !== null && s.leaseOwner === null && s.state !== "finished" && s.state !== "lost",
  );
  if (unowned.length > 0) {
    out.push(
      `${unowned.length} unfinished lease${unowned.length === 1 ? " has" : "s have"} no owner (no worker is processing ${unowned.length === 1 ? "it" : "them"}): ${unowned.map((s) => s.shardId).join(", ")}`,
    );
  }
  return out;
}

/** One KCL application (one lease table), judged. */
export interface KclConsumer {
  kind: "kcl";
  streamArn: string;
  leaseTable: string;
  /** When the shards were probed (epoch ms). */
  probedAt: number;
  shards: KclShardLag[];
  /** Earlier measurements of the largest shard lag (`--watch`), oldest first, this one last. */
  history: SeriesPoint[];
  verdict: Verdict;
  warnings: string[];
}

/** Judges one KCL application from its probed shards. */
export function assembleKclConsumer(
  input: {
    streamArn: string;
    leaseTable: string;
    probedAt: number;
    shards: KclShardLag[];
    history: readonly SeriesPoint[];
    noDataReason?: string | undefined;
    /** The stream's retention (default: DynamoDB Streams' 24 h). */
    retentionMs?: number | undefined;
  },
  th: LagThresholds,
  window: LagWindow,
): KclConsumer {
  const max = kclMaxLag(input.shards);
  const history = sortSeries([
    ...input.history.filter((p) => p.t >= window.startMs && p.t < input.probedAt),
    ...(max === undefined ? [] : [{ t: input.probedAt, ms: max }]),
  ]);
  const verdict =
    input.noDataReason !== undefined
      ? combineVerdict([], [], input.noDataReason, th)
      : judgeKcl(input.shards, th, window, history, input.retentionMs);
  return {
    kind: "kcl",
    streamArn: input.streamArn,
    leaseTable: input.leaseTable,
    probedAt: input.probedAt,
    shards: input.shards,
    history,
    verdict,
    warnings: kclWarnings(input.shards),
  };
}
