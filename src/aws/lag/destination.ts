/**
 * `lag`'s Kinesis side: a table's Kinesis destinations (or a Kinesis stream alone), their Lambda
 * mappings, enhanced fan-out consumers and replication-metric dimensions, and the queries they add to
 * the run's one GetMetricData call.
 */
import type { EventSourceMappingConfiguration } from "@aws-sdk/client-lambda";
import type { MetricQuery } from "../../core/lag/metric-data.js";
import { InterruptedError } from "../../errors.js";
import { listEventSourceMappings, serviceAvailableFor } from "../consumers.js";
import { type AwsRun, listAll, type ResolvedStream } from "../streams.js";
import type { LagRequest } from "./session.js";

/** What `lag` found out about one Kinesis destination (or stream alone) before the metrics call. */
export interface DestinationSetup {
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

/** The ids of a destination's queries in the run's GetMetricData call (undefined: not asked). */
export interface DestinationIds {
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
export async function destinationSetup(
  run: AwsRun,
  req: LagRequest,
  resolved: ResolvedStream,
  notes: string[],
): Promise<DestinationSetup[]> {
  const { describeDestinations } = await import("../kinesis-destination.js");
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
    const efo = await efoConsumers(run, d.streamArn, notes);
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
export async function streamAloneSetup(
  run: AwsRun,
  req: LagRequest,
  streamArn: string,
  notes: string[],
): Promise<DestinationSetup[]> {
  const efo = await efoConsumers(run, streamArn, notes);
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

/**
 * The stream's enhanced fan-out consumers (ListStreamConsumers, every page); none, with a note, when
 * they cannot be listed (they are an addition to the report). Ctrl-C is thrown.
 */
async function efoConsumers(
  run: AwsRun,
  streamArn: string,
  notes: string[],
): Promise<DestinationSetup["efo"]> {
  try {
    const { ListStreamConsumersCommand } = await import("@aws-sdk/client-kinesis");
    const client = await run.clients.kinesis();
    const consumers = await listAll(
      run,
      `consumers of Kinesis stream ${streamArn}`,
      (token, abortSignal) =>
        client.send(new ListStreamConsumersCommand({ StreamARN: streamArn, NextToken: token }), {
          abortSignal,
        }),
      { next: (page) => page.NextToken, items: (page) => page.Consumers },
      1000,
    );
    return consumers.map((c) => ({ name: c.ConsumerName ?? "?", status: c.ConsumerStatus ?? "?" }));
  } catch (e) {
    if (e instanceof InterruptedError) throw e;
    notes.push(`could not list the enhanced fan-out consumers of ${streamArn}: ${(e as Error).message}`);
    return [];
  }
}

/** The `DelegatedOperation` values of the table's metrics (ListMetrics, every page). */
async function delegatedOperations(run: AwsRun, table: string): Promise<string[]> {
  const { ListMetricsCommand } = await import("@aws-sdk/client-cloudwatch");
  const client = await run.clients.cloudwatch();
  const metrics = await listAll(
    run,
    "CloudWatch metrics (cloudwatch:ListMetrics)",
    (token, abortSignal) =>
      client.send(
        new ListMetricsCommand({
          Namespace: DYNAMODB_NS,
          MetricName: "AgeOfOldestUnreplicatedRecord",
          Dimensions: [{ Name: "TableName", Value: table }],
          NextToken: token,
        }),
        { abortSignal },
      ),
    { next: (page) => page.NextToken, items: (page) => page.Metrics },
    100,
  );
  const out = new Set<string>();
  for (const m of metrics) {
    for (const dim of m.Dimensions ?? [])
      if (dim.Name === "DelegatedOperation" && dim.Value) out.add(dim.Value);
  }
  return [...out];
}

/** Adds a destination's queries to the run's one GetMetricData call; returns their ids. */
export function destinationQueries(
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
