/** Lambda event source mappings of a stream (the stream's Lambda consumers). */

import type { EventSourceMappingConfiguration } from "@aws-sdk/client-lambda";
import { functionNameOf } from "../core/arn.js";
import type { DescribedConsumer, MappingInfo } from "../core/lag/lambda.js";
import { type AwsRun, listAll } from "./streams.js";

/** DynamoDB Local's ARNs always carry region `ddblocal`: no Lambda or CloudWatch stands behind them. */
export function isDynamoDBLocalArn(arn: string): boolean {
  return arn.startsWith("arn:aws:dynamodb:ddblocal:");
}

/** Environment variables, as the SDK reads them (`process.env` in the real CLI). */
export type Env = Record<string, string | undefined>;

/**
 * True when the SDK will send this service's calls to an endpoint of the user's own choosing through
 * the service-specific variable (`AWS_ENDPOINT_URL_LAMBDA`, `AWS_ENDPOINT_URL_CLOUDWATCH`): the SDK
 * reads `AWS_ENDPOINT_URL_<SERVICE ID>` before `AWS_ENDPOINT_URL`, unless
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true. `--endpoint-url` overrides every variable.
 */
export function serviceEndpointOverridden(
  service: "LAMBDA" | "CLOUDWATCH" | "SQS",
  env: Env,
  endpointUrlFlag: string | undefined,
): boolean {
  if (endpointUrlFlag) return false;
  if ((env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? "").toLowerCase() === "true") return false;
  return (env[`AWS_ENDPOINT_URL_${service}`] ?? "") !== "";
}

/**
 * Whether Lambda (or CloudWatch) can be asked about this stream. A DynamoDB Local stream (region
 * `ddblocal`) has no Lambda behind it, unless the user pointed the service elsewhere explicitly
 * (a stand-in, LocalStack): then it is asked like any other.
 */
export function serviceAvailableFor(
  service: "LAMBDA" | "CLOUDWATCH" | "SQS",
  streamArn: string,
  run: AwsRun,
  env: Env = process.env,
): boolean {
  return (
    !isDynamoDBLocalArn(streamArn) ||
    serviceEndpointOverridden(service, env, run.clients.settings.endpointUrl)
  );
}

/** A mapping reduced to what `lag` reports (plain values). */
export function toMappingInfo(m: EventSourceMappingConfiguration, streamArn: string): MappingInfo {
  const num = (v: number | undefined): number | null => (v === undefined ? null : v);
  return {
    streamArn: m.EventSourceArn ?? streamArn,
    uuid: m.UUID ?? "",
    functionName: functionNameOf(m.FunctionArn ?? ""),
    functionArn: m.FunctionArn ?? "",
    state: m.State ?? null,
    stateTransitionReason: m.StateTransitionReason ?? null,
    lastProcessingResult: m.LastProcessingResult ?? null,
    settings: {
      batchSize: num(m.BatchSize),
      maximumBatchingWindowSeconds: num(m.MaximumBatchingWindowInSeconds),
      parallelizationFactor: num(m.ParallelizationFactor),
      startingPosition: m.StartingPosition ?? null,
      maximumRetryAttempts: num(m.MaximumRetryAttempts),
      maximumRecordAgeSeconds: num(m.MaximumRecordAgeInSeconds),
      bisectBatchOnFunctionError: m.BisectBatchOnFunctionError ?? null,
      onFailureDestination: m.DestinationConfig?.OnFailure?.Destination || null,
      filterCount: m.FilterCriteria?.Filters?.length ?? 0,
      eventCountMetrics: (m.MetricsConfig?.Metrics ?? []).includes("EventCount"),
      reportBatchItemFailures: (m.FunctionResponseTypes ?? []).includes("ReportBatchItemFailures"),
      tumblingWindowSeconds: num(m.TumblingWindowInSeconds),
    },
    onFailureWaiting: null,
  };
}

/**
 * ListEventSourceMappings, all pages (at most 100 a page), filtered by event source and/or function.
 * `subject` names what is listed, for error messages.
 */
export async function pageEventSourceMappings(
  run: AwsRun,
  filter: { eventSourceArn?: string | undefined; functionName?: string | undefined },
  subject: string,
): Promise<EventSourceMappingConfiguration[]> {
  const { ListEventSourceMappingsCommand } = await import("@aws-sdk/client-lambda");
  const lambda = await run.clients.lambda();
  return listAll(
    run,
    subject,
    (marker, abortSignal) =>
      lambda.send(
        new ListEventSourceMappingsCommand({
          MaxItems: 100,
          ...(filter.eventSourceArn ? { EventSourceArn: filter.eventSourceArn } : {}),
          ...(filter.functionName ? { FunctionName: filter.functionName } : {}),
          Marker: marker,
        }),
        { abortSignal },
      ),
    { next: (page) => page.NextMarker, items: (page) => page.EventSourceMappings },
    10_000,
  );
}

/** Every event source mapping on the stream (ListEventSourceMappings, all pages). */
export function listEventSourceMappings(
  run: AwsRun,
  streamArn: string,
  functionName?: string,
): Promise<EventSourceMappingConfiguration[]> {
  return pageEventSourceMappings(
    run,
    { eventSourceArn: streamArn, functionName },
    `event source mappings of ${streamArn}`,
  );
}

/** Short names of the consumers (`function (uuid, State)`), for warnings. */
export async function consumerNames(
  run: AwsRun,
  streamArn: string,
  env: Env = process.env,
): Promise<string[]> {
  if (!serviceAvailableFor("LAMBDA", streamArn, run, env)) return []; // DynamoDB Local has no Lambda
  const list = await listEventSourceMappings(run, streamArn);
  return list.map(
    (m) => `${functionNameOf(m.FunctionArn ?? "?")} (${m.UUID ?? "?"}${m.State ? `, ${m.State}` : ""})`,
  );
}

/**
 * Consumers for `describe`: the mappings on the stream, or null when Lambda can't be asked
 * (DynamoDB Local, no permission): describe must not fail for that.
 */
export async function describeConsumers(
  run: AwsRun,
  streamArn: string,
  warn: (m: string) => void,
  env: Env = process.env,
): Promise<DescribedConsumer[] | null> {
  if (!serviceAvailableFor("LAMBDA", streamArn, run, env)) return null;
  let list: EventSourceMappingConfiguration[];
  try {
    list = await listEventSourceMappings(run, streamArn);
  } catch (e) {
    warn(`could not list Lambda consumers: ${(e as Error).message}`);
    return null;
  }
  const waiting = await onFailureBacklogs(
    run,
    streamArn,
    list.map((m) => m.DestinationConfig?.OnFailure?.Destination || null),
    warn,
    env,
  );
  return list.map((m) => {
    const dest = m.DestinationConfig?.OnFailure?.Destination || null;
    return {
      uuid: m.UUID ?? "",
      functionArn: m.FunctionArn ?? "",
      state: m.State ?? "",
      lastProcessingResult: m.LastProcessingResult ?? null,
      onFailureDestination: dest,
      onFailureWaiting: dest === null ? null : (waiting.get(dest) ?? null),
    };
  });
}

/**
 * How many messages wait in each SQS on-failure destination (ApproximateNumberOfMessages), by
 * destination ARN; destinations that are not queues, or that could not be asked (said through
 * `warn`), are left out. A DynamoDB Local stream's mappings are asked about only when
 * AWS_ENDPOINT_URL_SQS points somewhere explicitly.
 */
export async function onFailureBacklogs(
  run: AwsRun,
  streamArn: string,
  destinations: ReadonlyArray<string | null>,
  warn: (m: string) => void,
  env: Env = process.env,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const { isQueueArn, queueBacklog } = await import("./dlq/sqs.js");
  const queues = [...new Set(destinations.filter((d): d is string => d !== null && isQueueArn(d)))];
  if (queues.length === 0 || !serviceAvailableFor("SQS", streamArn, run, env)) return out;
  for (const q of queues) {
    try {
      out.set(q, await queueBacklog(run, q));
    } catch (e) {
      warn(`could not count the messages of the on-failure queue ${q}: ${(e as Error).message}`);
    }
  }
  return out;
}
