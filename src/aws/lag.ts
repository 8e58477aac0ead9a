/**
 * `lag`: find a stream's consumers (Lambda event source mappings, KCL lease tables), fetch their
 * metrics in one GetMetricData call, probe KCL checkpoints, and judge them with the pure rules of
 * core/lag.ts. The only I/O of the command; rendering is render/lag.ts.
 */
import { parseStreamArn, streamLabelOf } from "../core/arn.js";
import {
  addStreamWarnings,
  assembleKclConsumer,
  assembleLambdaConsumer,
  countsAsReader,
  EVENT_METRICS,
  type EventCounts,
  type EventKey,
  type KclConsumer,
  type KclLease,
  type KclShardLag,
  kclNoDataReason,
  type LagConsumer,
  type LagReport,
  type LagThresholds,
  type LagWindow,
  type MappingInfo,
  orphanShardLags,
  overallStatus,
  planKclProbes,
  probedShardLag,
  type SeriesPoint,
  sumEvents,
  unprobedShardLag,
} from "../core/lag.js";
import type { ShardInfo } from "../core/lineage.js";
import { NotFoundError } from "../errors.js";
import { getMetricData, type MetricQuery } from "./cloudwatch.js";
import {
  type Env,
  listEventSourceMappings,
  onFailureBacklogs,
  serviceAvailableFor,
  toMappingInfo,
} from "./consumers.js";
import { leasesOfStream, probeShard, readLeases, type StoredLease } from "./kcl.js";
import {
  type AwsRun,
  describeStreamAll,
  describeStreamPage,
  listTableStreams,
  type ResolvedStream,
  resolveStream,
} from "./streams.js";

/** What the user asked `lag` for (flags already validated). */
export interface LagRequest {
  /** A table name or a stream ARN. */
  target: string;
  /** Also cover the table's older streams that are still listed. */
  allStreams: boolean;
  /** Only these functions (names, ARNs or `name:qualifier`); empty = all. */
  functions: string[];
  /** KCL lease tables to read. */
  kclTables: string[];
  sinceMs: number;
  periodSeconds: number;
  thresholds: LagThresholds;
  /** The environment the SDK reads endpoints from. */
  env: Env;
}

/** State kept between refreshes of `--watch`: the resolved stream, KCL history. */
export interface LagSession {
  resolved?: ResolvedStream;
  streamArns?: string[];
  kclHistory: Map<string, SeriesPoint[]>;
}

/** A fresh session. */
export function newLagSession(): LagSession {
  return { kclHistory: new Map() };
}

const LAMBDA_NS = "AWS/Lambda";

/** True when the mapping's function is `wanted`: a name, `name:qualifier`, or a (qualified) ARN. */
function matchesFunction(info: MappingInfo, wanted: string): boolean {
  if (wanted.startsWith("arn:"))
    return info.functionArn === wanted || info.functionArn.startsWith(`${wanted}:`);
  if (wanted.includes(":")) return info.functionArn.endsWith(`:function:${wanted}`);
  return info.functionName === wanted;
}

/** Gathers and judges every consumer; one report per call (one refresh of `--watch`). */
export async function collectLag(
  run: AwsRun,
  req: LagRequest,
  session: LagSession,
  notes: string[] = [],
): Promise<LagReport> {
  if (!session.resolved) {
    const r = await resolveStream(run, req.target);
    // A stream ARN is only parsed by resolveStream: make sure the stream exists (exit 3 otherwise),
    // or a mistyped ARN would read as "no consumers".
    if (!r.table) await describeStreamPage(run, { StreamArn: r.streamArn, Limit: 1 });
    session.resolved = r;
  }
  const resolved = session.resolved;
  if (!session.streamArns) {
    const arns = [resolved.streamArn];
    if (req.allStreams) {
      const table = resolved.tableName;
      for (const s of await listTableStreams(run, table))
        if (!arns.includes(s.streamArn)) arns.push(s.streamArn);
    }
    session.streamArns = arns;
  }
  const streamArns = session.streamArns;
  const nowMs = run.now();
  const window: LagWindow = {
    startMs: nowMs - req.sinceMs,
    endMs: nowMs,
    periodMs: req.periodSeconds * 1000,
  };

  // Lambda consumers: ListEventSourceMappings per stream (all pages), filtered by --function.
  const mappings: MappingInfo[] = [];
  let lambdaSkipped = false;
  for (const arn of streamArns) {
    if (!serviceAvailableFor("LAMBDA", arn, run, req.env)) {
      lambdaSkipped = true;
      continue;
    }
    for (const m of await listEventSourceMappings(run, arn)) mappings.push(toMappingInfo(m, arn));
  }
  if (lambdaSkipped) {
    notes.push(
      "DynamoDB Local has no Lambda: Lambda consumers are not listed (set AWS_ENDPOINT_URL_LAMBDA to ask a Lambda endpoint anyway)",
    );
  }
  let selected = mappings;
  if (req.functions.length > 0) {
    selected = mappings.filter((m) => req.functions.some((f) => matchesFunction(m, f)));
    const missing = req.functions.filter((f) => !mappings.some((m) => matchesFunction(m, f)));
    if (missing.length > 0 && !lambdaSkipped) {
      throw new NotFoundError(
        `no event source mapping of ${missing.join(", ")} reads ${streamArns.length === 1 ? "this stream" : "these streams"}`,
        mappings.length > 0
          ? `the stream's Lambda consumers: ${[...new Set(mappings.map((m) => m.functionName))].join(", ")}`
          : "the stream has no Lambda event source mapping",
      );
    }
  }

  // Failed batches waiting in SQS on-failure destinations (their records expire with the stream's).
  for (const arn of streamArns) {
    const on = selected.filter((m) => m.streamArn === arn);
    const backlog = await onFailureBacklogs(
      run,
      arn,
      on.map((m) => m.settings.onFailureDestination),
      (m) => notes.push(m),
      req.env,
    );
    for (const m of on) {
      const d = m.settings.onFailureDestination;
      if (d !== null && backlog.has(d)) m.onFailureWaiting = backlog.get(d) ?? null;
    }
  }

  // One GetMetricData for all of them: IteratorAge per function, EventCount metrics per mapping.
  const queries: MetricQuery[] = [];
  const ageId = new Map<string, string>();
  const eventIds = new Map<string, Array<[EventKey, string]>>();
  const cwAvailable = selected.filter((m) => serviceAvailableFor("CLOUDWATCH", m.streamArn, run, req.env));
  if (cwAvailable.length < selected.length) {
    notes.push(
      "DynamoDB Local has no CloudWatch: IteratorAge is not fetched (set AWS_ENDPOINT_URL_CLOUDWATCH to ask a CloudWatch endpoint anyway)",
    );
  }
  for (const m of cwAvailable) {
    if (!ageId.has(m.functionName)) {
      const id = `age${ageId.size}`;
      ageId.set(m.functionName, id);
      queries.push({
        id,
        namespace: LAMBDA_NS,
        metricName: "IteratorAge",
        dimensions: { FunctionName: m.functionName },
        stat: "Maximum",
        periodSeconds: req.periodSeconds,
      });
    }
    if (m.settings.eventCountMetrics && !eventIds.has(m.uuid)) {
      const ids: Array<[EventKey, string]> = [];
      const n = eventIds.size;
      EVENT_METRICS.forEach(([key, metricName], k) => {
        const id = `ev${n}_${k}`;
        ids.push([key, id]);
        queries.push({
          id,
          namespace: LAMBDA_NS,
          metricName,
          dimensions: { EventSourceMappingUUID: m.uuid },
          stat: "Sum",
          periodSeconds: req.periodSeconds,
        });
      });
      eventIds.set(m.uuid, ids);
    }
  }
  const metrics = await getMetricData(run, queries, window.startMs, window.endMs);
  for (const msg of metrics.messages) notes.push(`CloudWatch: ${msg}`);

  const consumers: LagConsumer[] = [];
  for (const m of selected) {
    const id = ageId.get(m.functionName);
    const s = id ? metrics.series.get(id) : undefined;
    const series = (s?.points ?? []).map((p) => ({ t: p.t, ms: p.value }));
    let events: EventCounts | null = null;
    const ids = eventIds.get(m.uuid);
    if (ids) {
      const byMetric: Partial<Record<EventKey, number[]>> = {};
      for (const [key, qid] of ids)
        byMetric[key] = (metrics.series.get(qid)?.points ?? []).map((p) => p.value);
      events = sumEvents(byMetric);
    }
    consumers.push(
      assembleLambdaConsumer(
        m,
        { series, complete: id === undefined ? true : (s?.complete ?? true) },
        events,
        req.thresholds,
        window,
        nowMs,
      ),
    );
  }

  // KCL applications: read each lease table, probe each shard once, sequentially.
  if (req.kclTables.length > 0) {
    const shardsByStream = new Map<string, ShardInfo[]>();
    for (const arn of streamArns) shardsByStream.set(arn, (await describeStreamAll(run, arn)).shards);
    for (const leaseTable of req.kclTables) {
      consumers.push(await judgeKclTable(run, req, session, leaseTable, streamArns, shardsByStream, window));
    }
  }

  const globalStreams = new Set<string>();
  if ((resolved.table?.Replicas?.length ?? 0) > 0 || resolved.table?.GlobalTableVersion) {
    globalStreams.add(resolved.streamArn);
  }
  const lambdaReaders = new Map<string, number>();
  for (const m of mappings) {
    if (countsAsReader(m.state ?? undefined))
      lambdaReaders.set(m.streamArn, (lambdaReaders.get(m.streamArn) ?? 0) + 1);
  }
  addStreamWarnings(consumers, globalStreams, lambdaReaders);
  return {
    streamArn: resolved.streamArn,
    streamArns,
    window,
    consumers,
    status: overallStatus(consumers.map((c) => c.verdict.status)),
    notes,
  };
}

async function judgeKclTable(
  run: AwsRun,
  req: LagRequest,
  session: LagSession,
  leaseTable: string,
  streamArns: string[],
  shardsByStream: Map<string, ShardInfo[]>,
  window: LagWindow,
): Promise<KclConsumer> {
  const all = await readLeases(run, leaseTable);
  // A lease table belongs to one stream: the one whose shards most of its leases name (the first
  // stream when none does, so that the report can say so).
  let streamArn = streamArns[0] as string;
  let leases = leasesFor(all, streamArn);
  let best = countMatches(leases, shardsByStream.get(streamArn) ?? []);
  for (const arn of streamArns.slice(1)) {
    const l = leasesFor(all, arn);
    const n = countMatches(l, shardsByStream.get(arn) ?? []);
    if (n > best) {
      best = n;
      streamArn = arn;
      leases = l;
    }
  }
  const shards = shardsByStream.get(streamArn) ?? [];
  const key = `${leaseTable}\u0000${streamArn}`;
  const history = session.kclHistory.get(key) ?? [];
  const noDataReason = kclNoDataReason(leaseTable, leases, shards);
  const lags: KclShardLag[] = [];
  if (noDataReason === undefined) {
    const { plans, orphans } = planKclProbes(shards, leases);
    for (const plan of plans) {
      if (!plan.probe) {
        lags.push(unprobedShardLag(plan));
        continue;
      }
      const outcome = await probeShard(run, streamArn, plan.shardId, plan.probe);
      lags.push(probedShardLag(plan, outcome, run.now()));
    }
    lags.push(...orphanShardLags(orphans));
  }
  const consumer = assembleKclConsumer(
    { streamArn, leaseTable, probedAt: run.now(), shards: lags, history, noDataReason },
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

function leasesFor(all: readonly StoredLease[], streamArn: string): KclLease[] {
  const parts = parseStreamArn(streamArn);
  return leasesOfStream(all, parts?.tableName ?? "", parts?.label ?? streamLabelOf(streamArn));
}
