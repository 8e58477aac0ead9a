/**
 * KCL lease tables, shard by shard: checkpoints, leases, which shards to probe and from where, and the
 * lag of each shard from what its probe (or the lease alone) tells.
 */
import type { ShardInfo } from "../lineage.js";
import { isClosed } from "../lineage.js";

/** A KCL checkpoint: a sequence number or one of the sentinels. */
export type Checkpoint =
  | { kind: "sequence"; seq: string }
  | { kind: "SHARD_END" | "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP" }
  | { kind: "none" }
  | { kind: "invalid"; raw: string };

/** Parses a lease's `checkpoint` attribute. */
export function parseCheckpoint(raw: string | undefined): Checkpoint {
  if (raw === undefined || raw === "") return { kind: "none" };
  if (raw === "SHARD_END" || raw === "TRIM_HORIZON" || raw === "LATEST" || raw === "AT_TIMESTAMP") {
    return { kind: raw };
  }
  if (/^\d{1,129}$/.test(raw)) return { kind: "sequence", seq: raw };
  return { kind: "invalid", raw };
}

/** One row of a KCL lease table, reduced to what lag needs. */
export interface KclLease {
  leaseKey: string;
  /** The shard the lease is for: `leaseKey` (single-stream mode) or the `shardId` attribute (multi-stream). */
  shardId: string;
  checkpoint: string | undefined;
  leaseOwner: string | undefined;
  parentShardIds: string[];
}

/** Where a probe starts reading a shard. */
export type ProbeStart = { type: "AFTER_SEQUENCE_NUMBER"; seq: string } | { type: "TRIM_HORIZON" };

/** What to do about one shard of the stream. */
export interface KclShardPlan {
  shardId: string;
  open: boolean;
  lease: KclLease | undefined;
  /** Undefined: nothing to read (finished, not started at LATEST, unknown checkpoint). */
  probe: ProbeStart | undefined;
}

/** The state of one shard for one KCL application. */
export type KclShardState =
  /** Records after the checkpoint wait to be processed. */
  | "behind"
  /** Nothing after the checkpoint. */
  | "caught-up"
  /** An open shard without a lease: no worker has picked it up; all its records are lag. */
  | "no-lease"
  /** Checkpointed SHARD_END. */
  | "finished"
  /** Checkpoint TRIM_HORIZON or LATEST: the worker has not processed anything yet. */
  | "not-started"
  /** The checkpoint is older than the stream's trim point: records were lost. */
  | "trimmed"
  /** The lease's shard is no longer in the stream and was not finished: its remaining records were lost. */
  | "lost"
  /** The probe failed. */
  | "error"
  /** A checkpoint the lag cannot be computed from (missing, malformed, AT_TIMESTAMP). */
  | "unknown";

/** One shard's lag for one KCL application. */
export interface KclShardLag {
  shardId: string;
  open: boolean;
  leaseOwner: string | null;
  checkpoint: string | null;
  state: KclShardState;
  /** now − ApproximateCreationDateTime of the first unprocessed record; 0 when caught up; null when unknown. */
  lagMs: number | null;
  /** ApproximateCreationDateTime (epoch ms) of the first unprocessed record. */
  firstUnprocessedAt: number | null;
  message?: string;
}

/**
 * What a probe (GetShardIterator + a few GetRecords) found. `behindMs` is Kinesis's
 * `MillisBehindLatest` of the probe's page (DynamoDB Streams has none): how far the page is from the
 * shard's tip, which an empty page can be too.
 */
export type ProbeOutcome =
  | { kind: "record"; createdAt: number; behindMs?: number }
  | { kind: "empty"; shardEnded: boolean; behindMs?: number }
  | { kind: "trimmed"; message?: string }
  | { kind: "gone"; message?: string }
  | { kind: "error"; message: string };

/**
 * Plans the probes for one lease table and one stream. Every shard with an unfinished lease is
 * probed (open or closed: a consumer stuck on a closed parent is where lag hides), and every open
 * shard without a lease (its whole content is lag). Closed shards without a lease are not probed:
 * KCL removes the leases of finished shards. Leases of shards no longer listed come back in `orphans`.
 */
export function planKclProbes(
  shards: readonly ShardInfo[],
  leases: readonly KclLease[],
): { plans: KclShardPlan[]; orphans: KclLease[] } {
  const byShard = new Map<string, KclLease>();
  for (const l of leases) byShard.set(l.shardId, l);
  const listed = new Set(shards.map((s) => s.shardId));
  const plans: KclShardPlan[] = [];
  for (const s of shards) {
    const lease = byShard.get(s.shardId);
    const open = !isClosed(s);
    if (!lease) {
      if (open) plans.push({ shardId: s.shardId, open, lease, probe: { type: "TRIM_HORIZON" } });
      continue;
    }
    const cp = parseCheckpoint(lease.checkpoint);
    let probe: ProbeStart | undefined;
    if (cp.kind === "sequence") probe = { type: "AFTER_SEQUENCE_NUMBER", seq: cp.seq };
    else if (cp.kind === "TRIM_HORIZON") probe = { type: "TRIM_HORIZON" };
    plans.push({ shardId: s.shardId, open, lease, probe });
  }
  const orphans = leases.filter((l) => !listed.has(l.shardId));
  return { plans, orphans };
}

/**
 * Why a lease table cannot be judged against a stream, if it cannot: it has no lease at all (the
 * application never started), only leases of `otherStreams` (a multi-stream lease table that does not
 * read this stream), or none of its unfinished leases is for a shard of the stream (the lease table
 * of another stream, or every shard was trimmed away: then nothing tells the two apart).
 * Probing is skipped in all cases.
 */
export function kclNoDataReason(
  leaseTable: string,
  leases: readonly KclLease[],
  shards: readonly ShardInfo[],
  otherStreams: readonly string[] = [],
): string | undefined {
  if (leases.length === 0 && otherStreams.length > 0) {
    return `lease table ${leaseTable} has no lease of this stream, only of ${otherStreams.length === 1 ? "another stream" : `${otherStreams.length} other streams`} (${otherStreams.slice(0, 3).join(", ")}${otherStreams.length > 3 ? ", …" : ""}): is it the lease table of another application?`;
  }
  if (leases.length === 0) return `lease table ${leaseTable} has no leases (has the application started?)`;
  const listed = new Set(shards.map((s) => s.shardId));
  if (leases.some((l) => listed.has(l.shardId))) return undefined;
  const unfinished = leases.filter((l) => {
    const k = parseCheckpoint(l.checkpoint).kind;
    return k !== "SHARD_END" && k !== "LATEST";
  });
  if (unfinished.length === 0) return undefined;
  return `none of the ${leases.length} leases of ${leaseTable} is for a shard of this stream: is it the lease table of another stream, or were all its shards trimmed (records lost)?`;
}

function base(plan: KclShardPlan): Pick<KclShardLag, "shardId" | "open" | "leaseOwner" | "checkpoint"> {
  return {
    shardId: plan.shardId,
    open: plan.open,
    leaseOwner: plan.lease?.leaseOwner ?? null,
    checkpoint: plan.lease?.checkpoint ?? null,
  };
}

/** The lag of a shard that needs no probe (finished, LATEST, unknown checkpoint). */
export function unprobedShardLag(plan: KclShardPlan): KclShardLag {
  const cp = parseCheckpoint(plan.lease?.checkpoint);
  const b = base(plan);
  switch (cp.kind) {
    case "SHARD_END":
      return { ...b, state: "finished", lagMs: 0, firstUnprocessedAt: null };
    case "LATEST":
      return {
        ...b,
        state: "not-started",
        lagMs: 0,
        firstUnprocessedAt: null,
        message: "starts at LATEST: older records are skipped by design",
      };
    case "AT_TIMESTAMP":
      return {
        ...b,
        state: "unknown",
        lagMs: null,
        firstUnprocessedAt: null,
        message:
          "checkpoint AT_TIMESTAMP: the start time is in the application's configuration, not in the lease",
      };
    case "invalid":
      return {
        ...b,
        state: "unknown",
        lagMs: null,
        firstUnprocessedAt: null,
        message: `checkpoint ${JSON.stringify(cp.raw)} is neither a sequence number nor a sentinel`,
      };
    default:
      return {
        ...b,
        state: "unknown",
        lagMs: null,
        firstUnprocessedAt: null,
        message: "lease has no checkpoint",
      };
  }
}

/**
 * The lag of a probed shard: `nowMs` − ApproximateCreationDateTime of the first record after the
 * checkpoint (never negative: clocks and the one-second/one-minute rounding can disagree), 0 when
 * there is none.
 */
export function probedShardLag(plan: KclShardPlan, outcome: ProbeOutcome, nowMs: number): KclShardLag {
  const b = base(plan);
  const notStarted =
    plan.lease !== undefined && parseCheckpoint(plan.lease.checkpoint).kind === "TRIM_HORIZON";
  switch (outcome.kind) {
    case "record":
      return {
        ...b,
        state: !plan.lease ? "no-lease" : notStarted ? "not-started" : "behind",
        lagMs: Math.max(0, nowMs - outcome.createdAt, outcome.behindMs ?? 0),
        firstUnprocessedAt: outcome.createdAt,
      };
    case "empty": {
      // An empty Kinesis page can still be behind the tip (MillisBehindLatest > 0): records follow.
      const behind = outcome.behindMs ?? 0;
      return {
        ...b,
        state: !plan.lease ? "no-lease" : notStarted ? "not-started" : behind > 0 ? "behind" : "caught-up",
        lagMs: behind,
        firstUnprocessedAt: null,
        ...(outcome.shardEnded && plan.lease && !notStarted
          ? { message: "shard ended; the checkpoint is not SHARD_END yet" }
          : {}),
      };
    }
    case "trimmed":
      return {
        ...b,
        state: "trimmed",
        lagMs: null,
        firstUnprocessedAt: null,
        message:
          outcome.message ?? "the checkpoint is older than the stream's 24 h retention: records were lost",
      };
    case "gone":
      return {
        ...b,
        state: plan.lease ? "lost" : "error",
        lagMs: null,
        firstUnprocessedAt: null,
        message: outcome.message ?? "the shard no longer exists",
      };
    case "error":
      return { ...b, state: "error", lagMs: null, firstUnprocessedAt: null, message: outcome.message };
  }
}

/**
 * Leases of shards the stream no longer lists. A finished (SHARD_END) or LATEST one is harmless; any
 * other was trimmed away before the application finished it, so its remaining records were lost.
 */
export function orphanShardLags(orphans: readonly KclLease[]): KclShardLag[] {
  const out: KclShardLag[] = [];
  for (const l of orphans) {
    const cp = parseCheckpoint(l.checkpoint);
    if (cp.kind === "SHARD_END" || cp.kind === "LATEST") continue;
    out.push({
      shardId: l.shardId,
      open: false,
      leaseOwner: l.leaseOwner ?? null,
      checkpoint: l.checkpoint ?? null,
      state: "lost",
      lagMs: null,
      firstUnprocessedAt: null,
      message:
        "the shard is no longer in the stream (trimmed after the retention period) and was not finished: its remaining records were lost",
    });
  }
  return out;
}
