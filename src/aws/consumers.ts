/** Lambda event source mappings of a stream (the stream's Lambda consumers). */
import type { EventSourceMappingConfiguration } from "@aws-sdk/client-lambda";
import { type AwsRun, call } from "./streams.js";

/** DynamoDB Local's ARNs always carry region `ddblocal`: no Lambda or CloudWatch stands behind them. */
export function isDynamoDBLocalArn(arn: string): boolean {
  return arn.startsWith("arn:aws:dynamodb:ddblocal:");
}

/** Every event source mapping on the stream (ListEventSourceMappings, all pages). */
export async function listEventSourceMappings(
  run: AwsRun,
  streamArn: string,
  functionName?: string,
): Promise<EventSourceMappingConfiguration[]> {
  const { ListEventSourceMappingsCommand } = await import("@aws-sdk/client-lambda");
  const lambda = await run.clients.lambda();
  const out: EventSourceMappingConfiguration[] = [];
  let marker: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const input = {
      EventSourceArn: streamArn,
      MaxItems: 100,
      ...(functionName ? { FunctionName: functionName } : {}),
      ...(marker ? { Marker: marker } : {}),
    };
    const page = await call(run, `event source mappings of ${streamArn}`, (abortSignal) =>
      lambda.send(new ListEventSourceMappingsCommand(input), { abortSignal }),
    );
    out.push(...(page.EventSourceMappings ?? []));
    if (!page.NextMarker || page.NextMarker === marker) break;
    marker = page.NextMarker;
  }
  return out;
}

/** Short names of the consumers (`function (uuid)`), for warnings. */
export async function consumerNames(run: AwsRun, streamArn: string): Promise<string[]> {
  if (isDynamoDBLocalArn(streamArn)) return []; // DynamoDB Local has no Lambda
  const list = await listEventSourceMappings(run, streamArn);
  return list.map((m) => `${m.FunctionArn?.split(":").pop() ?? "?"} (${m.UUID ?? "?"})`);
}

/**
 * Consumers for `describe`: the mappings on the stream, or null when Lambda can't be asked
 * (DynamoDB Local, no permission): describe must not fail for that.
 */
export async function describeConsumers(
  run: AwsRun,
  streamArn: string,
  warn: (m: string) => void,
): Promise<Array<{
  uuid: string;
  functionArn: string;
  state: string;
  lastProcessingResult: string | null;
}> | null> {
  if (isDynamoDBLocalArn(streamArn)) return null;
  try {
    const list = await listEventSourceMappings(run, streamArn);
    return list.map((m) => ({
      uuid: m.UUID ?? "",
      functionArn: m.FunctionArn ?? "",
      state: m.State ?? "",
      lastProcessingResult: m.LastProcessingResult ?? null,
    }));
  } catch (e) {
    warn(`could not list Lambda consumers: ${(e as Error).message}`);
    return null;
  }
}
