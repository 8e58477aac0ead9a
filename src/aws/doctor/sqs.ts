/**
 * doctor's SQS probes: the on-failure queues of the stream's Lambda mappings (listed by lambda.ts),
 * read-only.
 */
import type { EventSourceMappingConfiguration } from "@aws-sdk/client-lambda";
import type { Check } from "../../core/doctor/check.js";
import { serviceAvailableFor } from "../consumers.js";
import { attempt, type ProbeContext, probeLine, skipped } from "./probe.js";

/**
 * The SQS on-failure destinations of the stream's Lambda mappings, as `describe` and `lag` read them:
 * sqs:GetQueueUrl and sqs:GetQueueAttributes (ApproximateNumberOfMessages). `dlq` also needs
 * sqs:ReceiveMessage and sqs:ChangeMessageVisibility, which are NOT probed: receiving is not
 * read-only — it raises each message's ApproximateReceiveCount, and a queue with a redrive policy
 * moves a message to its dead-letter queue once that count passes maxReceiveCount
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html).
 */
export async function onFailureQueueChecks(
  ctx: ProbeContext,
  streamArn: string | undefined,
  mappings: EventSourceMappingConfiguration[] | undefined,
): Promise<Check[]> {
  const { run, reachable } = ctx;
  const out: Check[] = [];
  const { isQueueArn, queueBacklog, resolveQueue } = await import("../dlq/sqs.js");
  const destinations = [
    ...new Set((mappings ?? []).map((m) => m.DestinationConfig?.OnFailure?.Destination).filter((d) => !!d)),
  ] as string[];
  const queues = destinations.filter(isQueueArn);
  if (mappings === undefined || queues.length === 0) {
    const others =
      destinations.length > 0
        ? ` (other on-failure destinations, not checked: ${destinations.join(", ")})`
        : "";
    out.push({
      id: "sqs",
      status: "skip",
      summary:
        mappings === undefined
          ? "on-failure queues not checked: the stream's Lambda mappings were not listed"
          : `on-failure queues: none of the stream's Lambda mappings sends failures to an SQS queue${others}`,
    });
    return out;
  }
  const notProbed =
    "sqs:ReceiveMessage and sqs:ChangeMessageVisibility (dlq) not probed: receiving is not read-only (it raises the receive count and can move messages to the queue's redrive dead-letter queue)";
  for (const q of queues) {
    const why =
      streamArn !== undefined && !serviceAvailableFor("SQS", streamArn, run, ctx.env)
        ? "DynamoDB Local has no SQS (set AWS_ENDPOINT_URL_SQS to ask one)"
        : !reachable("SQS")
          ? "the SQS endpoint does not answer"
          : undefined;
    if (why) {
      out.push(skipped("sqs:GetQueueUrl", why), skipped("sqs:GetQueueAttributes", why));
      continue;
    }
    let url: string | undefined;
    const urlErr = await attempt(async () => {
      url = (await resolveQueue(run, q)).url;
    });
    out.push(probeLine(ctx, "sqs:GetQueueUrl", urlErr, `on-failure queue ${q}`, q));
    if (!url) {
      out.push(skipped("sqs:GetQueueAttributes", "GetQueueUrl failed"));
      continue;
    }
    let waiting = 0;
    const attrErr = await attempt(async () => {
      waiting = await queueBacklog(run, url as string);
    });
    const line = probeLine(
      ctx,
      "sqs:GetQueueAttributes",
      attrErr,
      `on-failure queue ${q}${attrErr ? "" : `: ${waiting} message${waiting === 1 ? "" : "s"} waiting`}`,
      q,
    );
    out.push({ ...line, summary: `${line.summary}; ${notProbed}` });
  }
  return out;
}
