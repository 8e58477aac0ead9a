/**
 * `lag`: find a stream's consumers (Lambda event source mappings, KCL lease tables), fetch their
 * metrics in one GetMetricData call, probe KCL checkpoints, and judge them with the pure rules of
 * core/lag.ts. The only I/O of the command; rendering is render/lag.ts.
 */

import type { EventSourceMappingConfiguration } from "@aws-sdk/client-lambda";
import { looksLikeKinesisArn, parseStreamArn, streamLabelOf } from "../core/arn.js";
import { assembleDestinationConsumer } from "../core/lag/destination.js";
import { assembleKclConsumer, type KclConsumer } from "../core/lag/kcl.js";
import {
  type KclShardLag,
  kclNoDataReason,
  orphanShardLags,
  type ProbeOutcome,
  type ProbeStart,
  planKclProbes,
  probedShardLag,
  unprobedShardLag,
} from "../core/lag/kcl-probes.js";
import {
  assembleLambdaConsumer,
  countsAsReader,
  EVENT_METRICS,
  type EventCounts,
  type EventKey,
  type MappingInfo,
  sumEvents,
} from "../core/lag/lambda.js";
import { addStreamWarnings, type LagConsumer, type LagReport } from "../core/lag/report.js";
import type { LagWindow, SeriesPoint } from "../core/lag/series.js";
import { type LagThresholds, overallStatus, RETENTION_MS } from "../core/lag/verdict.js";
import type { ShardInfo } from "../core/lineage.js";
import { InterruptedError, NotFoundError } from "../errors.js";
import { getMetricData, type MetricQuery } from "./cloudwatch.js";
import {
  type Env,
  listEventSourceMappings,
  onFailureBacklogs,
  serviceAvailableFor,
  toMappingInfo,
} from "./consumers.js";
import {
  belongsToDynamoDBStream,
  kinesisStreamOwns,
  probeKinesisShard,
  probeShard,
  readLeases,
  splitLeases,
} from "./kcl.js";
import {
  type AwsRun,
  call,
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
  /** Retention of the Kinesis data streams met (DescribeStreamSummary), by stream ARN. */
  kinesisRetentionMs: Map<string, number>;
}

/** A fresh session. */
export function newLagSession(): LagSession {
  return { kclHistory: new Map(), kinesisRetentionMs: new Map() };
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
  // `lag <kinesis-stream-arn>`: the stream alone (its Lambda mappings, its polling readers' and
  // enhanced fan-out consumers' metrics), without a table or a replication to judge.
  const kinesisTarget = looksLikeKinesisArn(req.target);
  if (!session.resolved && kinesisTarget) {
    const { resolveKinesisStream } = await import("./kinesis-destination.js");
    const s = await resolveKinesisStream(run, req.target); // exit 3 when the stream does not exist
    session.resolved = { tableName: "", streamArn: s.streamArn };
    session.kinesisRetentionMs.set(s.streamArn, s.retentionHours * 3_600_000);
  }
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
  // The table's Kinesis destinations: their Lambda mappings join the Lambda consumers.
  const destinations = kinesisTarget
    ? await streamAloneSetup(run, req, resolved.streamArn, notes)
    : await destinationSetup(run, req, resolved, notes);
  for (const d of destinations) for (const m of d.mappings) mappings.push(toMappingInfo(m, d.streamArn));
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

  // One GetMetricData for all of them: IteratorAge per function, EventCount metrics per mapping,
  // and each destination's replication and Kinesis-stream metrics.
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
  const destinationIds = destinations.map((d, i) => destinationQueries(d, i, req.periodSeconds, queries));
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

  destinations.forEach((d, i) => {
    const ids = destinationIds[i] as DestinationIds;
    const series = (id: string | undefined) => {
      const sr = id === undefined ? undefined : metrics.series.get(id);
      return sr === undefined
        ? null
        : { series: sr.points.map((p) => ({ t: p.t, ms: p.value })), complete: sr.complete };
    };
    const sum = (id: string | undefined): number | null => {
      const sr = id === undefined ? undefined : metrics.series.get(id);
      return sr === undefined ? null : sr.points.reduce((a, p) => a + p.value, 0);
    };
    // The replication is asked about (CloudWatch) for a destination, never for a stream alone.
    const replicated = d.cloudwatch && d.table !== null;
    consumers.push(
      assembleDestinationConsumer(
        {
          streamArn: d.streamArn,
          table: d.table,
          destinationStatus: d.status,
          replicationAge: replicated ? (series(ids.age) ?? { series: [], complete: true }) : null,
          failedToReplicate: replicated ? (sum(ids.failed) ?? 0) : null,
          throttledPutRecord: replicated ? (sum(ids.throttled) ?? 0) : null,
          streamIteratorAge: series(ids.streamAge),
          efoConsumers: d.efo.map((e, k) => ({
            name: e.name,
            status: e.status,
            series: series(ids.efo[k])?.series ?? [],
          })),
        },
        req.thresholds,
        window,
      ),
    );
  });

  // KCL applications: read each lease table, probe each shard once, sequentially.
  if (req.kclTables.length > 0) {
    const candidates = await kclCandidates(run, session, kinesisTarget, streamArns, destinations, notes);
    for (const leaseTable of req.kclTables) {
      consumers.push(await judgeKclTable(run, req, session, leaseTable, candidates, window, notes));
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

/** What `lag` found out about one Kinesis destination (or stream alone) before the metrics call. */
interface DestinationSetup {
  /** null: the stream alone (`lag <kinesis-stream-arn>`). */
  table: string | null;
  streamArn: string;
  streamName: string;
  /** null: the stream alone. */
  status: string | null;
  /** Lambda event source mappings on the Kinesis stream. */
  mappings: EventSourceMappingConfiguration[];
  /** Enhanced fan-out consumers (ListStreamConsumers). */
  efo: Array<{ name: string; status: string }>;
  /** Whether CloudWatch is asked (not on DynamoDB Local unless pointed elsewhere). */
  cloudwatch: boolean;
  /** `DelegatedOperation` values CloudWatch lists for the table's replication metrics. */
  delegatedOperations: string[];
}

interface DestinationIds {
  age?: string;
  failed?: string;
  throttled?: string;
  streamAge?: string;
  efo: Array<string | undefined>;
}

const DYNAMODB_NS = "AWS/DynamoDB";
const KINESIS_NS = "AWS/Kinesis";

/**
 * The table's Kinesis destinations (all but DISABLED ones), with their Lambda mappings, enhanced
 * fan-out consumers and the `DelegatedOperation` dimension values of the replication metrics
 * (ListMetrics: AWS documents the dimension, not its values). Nothing when the target is a stream
 * ARN of another table's stream, or the endpoint has no destination API (DynamoDB Local).
 */
async function destinationSetup(
  run: AwsRun,
  req: LagRequest,
  resolved: ResolvedStream,
  notes: string[],
): Promise<DestinationSetup[]> {
  const { describeDestinations } = await import("./kinesis-destination.js");
  let all: Awaited<ReturnType<typeof describeDestinations>>;
  try {
    all = await describeDestinations(run, resolved.tableName, { optional: true });
  } catch (e) {
    // The Kinesis destinations are an addition to the stream's consumers: without permission
    // (dynamodb:DescribeKinesisStreamingDestination) or on an endpoint without the API, lag goes on.
    if (e instanceof InterruptedError) throw e;
    notes.push(`Kinesis destinations of ${resolved.tableName} not checked: ${(e as Error).message}`);
    return [];
  }
  if (all === null) return [];
  const out: DestinationSetup[] = [];
  const lambda = serviceAvailableFor("LAMBDA", resolved.streamArn, run, req.env);
  const cloudwatch = serviceAvailableFor("CLOUDWATCH", resolved.streamArn, run, req.env);
  let delegated: string[] | undefined;
  for (const d of all) {
    if (d.status === "DISABLED") continue;
    const streamName = d.streamArn.slice(d.streamArn.lastIndexOf("/") + 1);
    const mappings = lambda ? await listEventSourceMappings(run, d.streamArn) : [];
    let efo: Array<{ name: string; status: string }> = [];
    try {
      efo = await listStreamConsumers(run, d.streamArn);
    } catch (e) {
      notes.push(`could not list the enhanced fan-out consumers of ${d.streamArn}: ${(e as Error).message}`);
    }
    if (cloudwatch && delegated === undefined) delegated = await delegatedOperations(run, resolved.tableName);
    out.push({
      table: resolved.tableName,
      streamArn: d.streamArn,
      streamName,
      status: d.status,
      mappings,
      efo,
      cloudwatch,
      delegatedOperations: delegated ?? [],
    });
  }
  return out;
}

/**
 * The Kinesis stream alone, as a destination without a table: its enhanced fan-out consumers (its
 * Lambda mappings are listed with the stream's, by collectLag). No replication metrics are asked.
 */
async function streamAloneSetup(
  run: AwsRun,
  req: LagRequest,
  streamArn: string,
  notes: string[],
): Promise<DestinationSetup[]> {
  let efo: Array<{ name: string; status: string }> = [];
  try {
    efo = await listStreamConsumers(run, streamArn);
  } catch (e) {
    if (e instanceof InterruptedError) throw e;
    notes.push(`could not list the enhanced fan-out consumers of ${streamArn}: ${(e as Error).message}`);
  }
  return [
    {
      table: null,
      streamArn,
      streamName: streamArn.slice(streamArn.lastIndexOf("/") + 1),
      status: null,
      mappings: [],
      efo,
      cloudwatch: serviceAvailableFor("CLOUDWATCH", streamArn, run, req.env),
      delegatedOperations: [],
    },
  ];
}

/** ListStreamConsumers, every page. */
async function listStreamConsumers(
  run: AwsRun,
  streamArn: string,
): Promise<Array<{ name: string; status: string }>> {
  const { ListStreamConsumersCommand } = await import("@aws-sdk/client-kinesis");
  const client = await run.clients.kinesis();
  const out: Array<{ name: string; status: string }> = [];
  let token: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await call(run, `consumers of Kinesis stream ${streamArn}`, (abortSignal) =>
      client.send(
        new ListStreamConsumersCommand(
          token ? { StreamARN: streamArn, NextToken: token } : { StreamARN: streamArn },
        ),
        { abortSignal },
      ),
    );
    for (const c of page.Consumers ?? [])
      out.push({ name: c.ConsumerName ?? "?", status: c.ConsumerStatus ?? "?" });
    if (!page.NextToken || page.NextToken === token) break;
    token = page.NextToken;
  }
  return out;
}

/** The `DelegatedOperation` values of the table's metrics (ListMetrics, every page). */
async function delegatedOperations(run: AwsRun, table: string): Promise<string[]> {
  const { ListMetricsCommand } = await import("@aws-sdk/client-cloudwatch");
  const client = await run.clients.cloudwatch();
  const out = new Set<string>();
  let token: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const input = {
      Namespace: DYNAMODB_NS,
      MetricName: "AgeOfOldestUnreplicatedRecord",
      Dimensions: [{ Name: "TableName", Value: table }],
      ...(token ? { NextToken: token } : {}),
    };
    const page = await call(run, "CloudWatch metrics (cloudwatch:ListMetrics)", (abortSignal) =>
      client.send(new ListMetricsCommand(input), { abortSignal }),
    );
    for (const m of page.Metrics ?? []) {
      for (const dim of m.Dimensions ?? [])
        if (dim.Name === "DelegatedOperation" && dim.Value) out.add(dim.Value);
    }
    if (!page.NextToken || page.NextToken === token) break;
    token = page.NextToken;
  }
  return [...out];
}

/** Adds a destination's queries to the run's one GetMetricData call; returns their ids. */
function destinationQueries(
  d: DestinationSetup,
  i: number,
  periodSeconds: number,
  queries: MetricQuery[],
): DestinationIds {
  const ids: DestinationIds = { efo: [] };
  if (!d.cloudwatch) return ids;
  const op = d.delegatedOperations[0];
  if (op !== undefined && d.table !== null) {
    const dims = { TableName: d.table, DelegatedOperation: op };
    ids.age = `kd${i}_age`;
    ids.failed = `kd${i}_failed`;
    ids.throttled = `kd${i}_throttled`;
    queries.push(
      {
        id: ids.age,
        namespace: DYNAMODB_NS,
        metricName: "AgeOfOldestUnreplicatedRecord",
        dimensions: dims,
        stat: "Maximum",
        periodSeconds,
      },
      {
        id: ids.failed,
        namespace: DYNAMODB_NS,
        metricName: "FailedToReplicateRecordCount",
        dimensions: dims,
        stat: "Sum",
        periodSeconds,
      },
      {
        id: ids.throttled,
        namespace: DYNAMODB_NS,
        metricName: "ThrottledPutRecordCount",
        dimensions: dims,
        stat: "Sum",
        periodSeconds,
      },
    );
  }
  ids.streamAge = `kd${i}_stream`;
  queries.push({
    id: ids.streamAge,
    namespace: KINESIS_NS,
    metricName: "GetRecords.IteratorAgeMilliseconds",
    dimensions: { StreamName: d.streamName },
    stat: "Maximum",
    periodSeconds,
  });
  d.efo.forEach((e, k) => {
    const id = `kd${i}_efo${k}`;
    ids.efo.push(id);
    queries.push({
      id,
      namespace: KINESIS_NS,
      metricName: "SubscribeToShardEvent.MillisBehindLatest",
      dimensions: { StreamName: d.streamName, ConsumerName: e.name },
      stat: "Maximum",
      periodSeconds,
    });
  });
  return ids;
}

/**
 * A stream a KCL lease table may be for: a DynamoDB stream (KCL with the DynamoDB Streams Kinesis
 * Adapter) or a Kinesis data stream (`lag <kinesis-stream-arn>`, or a table's Kinesis destination),
 * with what judging its leases takes: its shards, its retention, which multi-stream lease identifiers
 * name it, and how a shard is probed.
 */
interface KclCandidate {
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
async function kclCandidates(
  run: AwsRun,
  session: LagSession,
  kinesisTarget: boolean,
  streamArns: string[],
  destinations: readonly DestinationSetup[],
  notes: string[],
): Promise<KclCandidate[]> {
  const { listKinesisShards } = await import("./kinesis-streams.js");
  const kinesis = async (streamArn: string): Promise<KclCandidate> => {
    let retentionMs = session.kinesisRetentionMs.get(streamArn);
    if (retentionMs === undefined) {
      const { resolveKinesisStream } = await import("./kinesis-destination.js");
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
async function judgeKclTable(
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
