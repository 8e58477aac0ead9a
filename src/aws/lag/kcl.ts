/**
 * `lag --kcl-table`: the streams a lease table may be for (DynamoDB streams, Kinesis data streams),
 * and each lease table read, matched to its stream, probed shard by shard and judged.
 */
import { parseStreamArn, streamLabelOf } from "../../core/arn.js";
import { assembleKclConsumer, type KclConsumer } from "../../core/lag/kcl.js";
import {
  type KclShardLag,
  kclNoDataReason,
  orphanShardLags,
  type ProbeOutcome,
  type ProbeStart,
  planKclProbes,
  probedShardLag,
  unprobedShardLag,
} from "../../core/lag/kcl-probes.js";
import type { LagWindow } from "../../core/lag/series.js";
import { RETENTION_MS } from "../../core/lag/verdict.js";
import type { ShardInfo } from "../../core/lineage.js";
import { InterruptedError } from "../../errors.js";
import {
  belongsToDynamoDBStream,
  kinesisStreamOwns,
  probeKinesisShard,
  probeShard,
  readLeases,
  splitLeases,
} from "../kcl.js";
import { type AwsRun, describeStreamAll } from "../streams.js";
import type { DestinationSetup } from "./destination.js";
import type { LagRequest, LagSession } from "./session.js";

/**
 * A stream a KCL lease table may be for: a DynamoDB stream (KCL with the DynamoDB Streams Kinesis
 * Adapter) or a Kinesis data stream (`lag <kinesis-stream-arn>`, or a table's Kinesis destination),
 * with what judging its leases takes: its shards, its retention, which multi-stream lease identifiers
 * name it, and how a shard is probed.
 */
export interface KclCandidate {
  streamArn: string;
  shards: ShardInfo[];
  retentionMs: number;
  owns: (streamName: string) => boolean;
  probe: (shardId: string, start: ProbeStart) => Promise<ProbeOutcome>;
}

/**
 * The streams a lease table is matched against: the Kinesis stream of `lag <kinesis-stream-arn>`;
 * else the table's DynamoDB stream(s), then its Kinesis destinations (a destination that cannot be
 * listed is left out with a note: the DynamoDB streams are still judged).
 */
export async function kclCandidates(
  run: AwsRun,
  session: LagSession,
  kinesisTarget: boolean,
  streamArns: string[],
  destinations: readonly DestinationSetup[],
  notes: string[],
): Promise<KclCandidate[]> {
  const { listKinesisShards } = await import("../kinesis-streams.js");
  const kinesis = async (streamArn: string): Promise<KclCandidate> => {
    let retentionMs = session.kinesisRetentionMs.get(streamArn);
    if (retentionMs === undefined) {
      const { resolveKinesisStream } = await import("../kinesis-destination.js");
      retentionMs = (await resolveKinesisStream(run, streamArn)).retentionHours * 3_600_000;
      session.kinesisRetentionMs.set(streamArn, retentionMs);
    }
    return {
      streamArn,
      shards: await listKinesisShards(run, streamArn),
      retentionMs,
      owns: kinesisStreamOwns(streamArn),
      probe: (shardId, start) => probeKinesisShard(run, streamArn, shardId, start),
    };
  };
  if (kinesisTarget) return Promise.all(streamArns.map(kinesis));
  const out: KclCandidate[] = [];
  for (const streamArn of streamArns) {
    const parts = parseStreamArn(streamArn);
    const table = parts?.tableName ?? "";
    const label = parts?.label ?? streamLabelOf(streamArn);
    out.push({
      streamArn,
      shards: (await describeStreamAll(run, streamArn)).shards,
      retentionMs: RETENTION_MS,
      owns: (id) => belongsToDynamoDBStream(id, table, label),
      probe: (shardId, start) => probeShard(run, streamArn, shardId, start),
    });
  }
  for (const d of destinations) {
    try {
      out.push(await kinesis(d.streamArn));
    } catch (e) {
      if (e instanceof InterruptedError) throw e;
      notes.push(
        `KCL leases not matched against Kinesis destination ${d.streamArn}: ${(e as Error).message}`,
      );
    }
  }
  return out;
}

/**
 * Judges one lease table: it belongs to the candidate stream whose shards most of its leases name
 * (the first candidate when none does, so that the report can say so); leases of other streams in a
 * multi-stream lease table are left out, with a note. Each shard is probed once, sequentially.
 */
export async function judgeKclTable(
  run: AwsRun,
  req: LagRequest,
  session: LagSession,
  leaseTable: string,
  candidates: readonly KclCandidate[],
  window: LagWindow,
  notes: string[],
): Promise<KclConsumer> {
  const all = await readLeases(run, leaseTable);
  let chosen = candidates[0] as KclCandidate;
  let split = splitLeases(all, chosen.owns);
  let best = countMatches(split.leases, chosen.shards);
  for (const c of candidates.slice(1)) {
    const sp = splitLeases(all, c.owns);
    const n = countMatches(sp.leases, c.shards);
    if (n > best) {
      best = n;
      chosen = c;
      split = sp;
    }
  }
  const { streamArn, shards } = chosen;
  const { leases, otherStreams } = split;
  if (leases.length > 0 && otherStreams.length > 0) {
    const skipped = all.length - leases.length;
    notes.push(
      `lease table ${leaseTable}: ${skipped} lease${skipped === 1 ? "" : "s"} of ${otherStreams.length === 1 ? "another stream" : `${otherStreams.length} other streams`} left out (${otherStreams.join(", ")})`,
    );
  }
  const key = `${leaseTable}\u0000${streamArn}`;
  const history = session.kclHistory.get(key) ?? [];
  const noDataReason = kclNoDataReason(leaseTable, leases, shards, otherStreams);
  const lags: KclShardLag[] = [];
  if (noDataReason === undefined) {
    const { plans, orphans } = planKclProbes(shards, leases);
    for (const plan of plans) {
      if (!plan.probe) {
        lags.push(unprobedShardLag(plan));
        continue;
      }
      const outcome = await chosen.probe(plan.shardId, plan.probe);
      lags.push(probedShardLag(plan, outcome, run.now()));
    }
    lags.push(...orphanShardLags(orphans));
  }
  const consumer = assembleKclConsumer(
    {
      streamArn,
      leaseTable,
      probedAt: run.now(),
      shards: lags,
      history,
      noDataReason,
      retentionMs: chosen.retentionMs,
    },
    req.thresholds,
    window,
  );
  session.kclHistory.set(key, consumer.history);
  return consumer;
}

function countMatches(leases: readonly { shardId: string }[], shards: readonly ShardInfo[]): number {
  const ids = new Set(shards.map((s) => s.shardId));
  return leases.filter((l) => ids.has(l.shardId)).length;
}
