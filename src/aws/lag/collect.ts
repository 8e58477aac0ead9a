/**
 * `lag`: find a stream's consumers (Lambda event source mappings, KCL lease tables, Kinesis
 * destinations), fetch their metrics in one GetMetricData call, probe KCL checkpoints (kcl.ts), and
 * judge them with the pure rules of core/lag/. The only I/O of the command; rendering is render/lag.ts.
 */
import { looksLikeKinesisArn } from "../../core/arn.js";
import { assembleDestinationConsumer } from "../../core/lag/destination.js";
import {
  assembleLambdaConsumer,
  countsAsReader,
  EVENT_METRICS,
  type EventCounts,
  type EventKey,
  type MappingInfo,
  sumEvents,
} from "../../core/lag/lambda.js";
import type { MetricQuery } from "../../core/lag/metric-data.js";
import { addStreamWarnings, type LagConsumer, type LagReport } from "../../core/lag/report.js";
import type { LagWindow } from "../../core/lag/series.js";
import { overallStatus } from "../../core/lag/verdict.js";
import { NotFoundError } from "../../errors.js";
import { getMetricData } from "../cloudwatch.js";
import {
  listEventSourceMappings,
  onFailureBacklogs,
  serviceAvailableFor,
  toMappingInfo,
} from "../consumers.js";
import { type AwsRun, describeStreamPage, listTableStreams, resolveStream } from "../streams.js";
import {
  type DestinationIds,
  destinationQueries,
  destinationSetup,
  streamAloneSetup,
} from "./destination.js";
import { judgeKclTable, kclCandidates } from "./kcl.js";
import type { LagRequest, LagSession } from "./session.js";

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
    const { resolveKinesisStream } = await import("../kinesis-destination.js");
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
    if (missing.length > 0 && lambdaSkipped) {
      // Nothing the user gave is ignored: a --function nobody could look up is not "all fine".
      throw new NotFoundError(
        `no event source mapping of ${missing.join(", ")} is known: DynamoDB Local has no Lambda to list them`,
        "set AWS_ENDPOINT_URL_LAMBDA to ask a Lambda endpoint for the stream's mappings, or drop --function",
      );
    }
    if (missing.length > 0) {
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
