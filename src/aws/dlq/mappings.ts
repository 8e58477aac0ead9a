/**
 * The event source mappings `dlq` reads failures of, and where each sends them
 * (`DestinationConfig.OnFailure.Destination`): all mappings on a table's stream, or a function's
 * DynamoDB stream mappings; and the one mapping of a failure record (its function on its stream), for
 * its FilterCriteria. IAM: lambda:ListEventSourceMappings.
 */
import type { EventSourceMappingConfiguration } from "@aws-sdk/client-lambda";
import { functionNameOf } from "../../core/arn.js";
import { NotFoundError } from "../../errors.js";
import { listEventSourceMappings, pageEventSourceMappings } from "../consumers.js";
import type { AwsRun } from "../streams.js";

/** A mapping reduced to what dlq needs. */
export interface FailureMapping {
  uuid: string;
  functionArn: string;
  streamArn: string;
  /** The on-failure destination's ARN (SQS queue, SNS topic, S3 bucket), if any. */
  destination: string | undefined;
  /** `FilterCriteria.Filters` as Lambda lists them (undefined when the mapping has none). */
  filters: Array<{ Pattern?: string | undefined }> | undefined;
  /** The mapping as Lambda describes it: its delivery settings, for `--redrive`. */
  delivery: EventSourceMappingConfiguration;
}

function toFailureMapping(m: EventSourceMappingConfiguration): FailureMapping {
  return {
    uuid: m.UUID ?? "",
    functionArn: m.FunctionArn ?? "",
    streamArn: m.EventSourceArn ?? "",
    destination: m.DestinationConfig?.OnFailure?.Destination || undefined,
    filters: m.FilterCriteria?.Filters,
    delivery: m,
  };
}

function isDynamoDBStreamArn(arn: string | undefined): boolean {
  return arn !== undefined && /^arn:aws[a-z-]*:dynamodb:/.test(arn) && arn.includes("/stream/");
}

/** Every mapping on the stream. */
export async function mappingsOfStream(run: AwsRun, streamArn: string): Promise<FailureMapping[]> {
  return (await listEventSourceMappings(run, streamArn)).map(toFailureMapping);
}

/** The function's DynamoDB stream mappings; none is exit 3. */
export async function mappingsOfFunction(run: AwsRun, functionName: string): Promise<FailureMapping[]> {
  let all: EventSourceMappingConfiguration[];
  try {
    all = await pageEventSourceMappings(
      run,
      { functionName },
      `event source mappings of function ${functionName}`,
    );
  } catch (e) {
    if (e instanceof NotFoundError)
      throw new NotFoundError(
        `function ${functionName} not found`,
        "check the function name (or ARN), --region and --profile",
        e,
      );
    throw e;
  }
  const ddb = all.filter((m) => isDynamoDBStreamArn(m.EventSourceArn));
  if (ddb.length === 0) {
    throw new NotFoundError(
      `function ${functionName} has no DynamoDB stream event source mapping`,
      "check the function name, --region and --profile",
    );
  }
  return ddb.map(toFailureMapping);
}

/**
 * The mapping of `functionArn` on `streamArn` (the one a failure record came from), or undefined.
 * The record's function ARN may name a version or alias, as the mapping's does.
 */
export async function mappingOfFailure(
  run: AwsRun,
  functionArn: string,
  streamArn: string,
): Promise<FailureMapping | undefined> {
  const list = await listEventSourceMappings(run, streamArn, functionArn);
  const exact = list.find((m) => m.FunctionArn === functionArn);
  const sameName = list.find((m) => functionNameOf(m.FunctionArn ?? "") === functionNameOf(functionArn));
  const m = exact ?? sameName;
  return m === undefined ? undefined : toFailureMapping(m);
}
