/**
 * doctor's permission probes, given a table: one read-only call per IAM action the commands need, in
 * this order, each service's in its own module: DynamoDB (the table, its stream), Lambda (the
 * stream's mappings), CloudWatch (metrics), the table's Kinesis destination, the mappings' SQS
 * on-failure queues. A probe that cannot run (no stream, a service DynamoDB Local lacks, an endpoint
 * that does not answer) is skipped with the reason.
 */
import type { Check } from "../../core/doctor/check.js";
import { metricsCheck } from "./cloudwatch.js";
import { describeTableCheck, streamChecks } from "./dynamodb.js";
import { kinesisChecks } from "./kinesis.js";
import { eventSourceMappingsCheck } from "./lambda.js";
import type { ProbeContext } from "./probe.js";
import { onFailureQueueChecks } from "./sqs.js";

/** The permission lines of `target`, a table name or a stream ARN. Stops after a table that does not exist. */
export async function permissionChecks(ctx: ProbeContext, target: string): Promise<Check[]> {
  const described = await describeTableCheck(ctx, target);
  if (!described.table) return [described.check];
  const { tableName, tableRes, streamArn } = described.table;
  const out: Check[] = [described.check];
  out.push(...(await streamChecks(ctx, described.table)));
  const lambda = await eventSourceMappingsCheck(ctx, streamArn);
  out.push(lambda.check);
  out.push(await metricsCheck(ctx, tableName, streamArn));
  out.push(...(await kinesisChecks(ctx, tableName, tableRes)));
  out.push(...(await onFailureQueueChecks(ctx, streamArn, lambda.mappings)));
  return out;
}
