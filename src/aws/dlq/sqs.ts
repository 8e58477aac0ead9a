/**
 * An SQS on-failure destination, read without taking messages away from other consumers for longer
 * than the read: every message is received (long polling, 10 per call, until the queue answers empty)
 * and held invisible while the whole queue is read (so no message is received twice), then made
 * visible again at once (ChangeMessageVisibility 0), or deleted when the user asked for it.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
 * IAM: sqs:GetQueueUrl (a queue named by name or ARN), sqs:ReceiveMessage,
 * sqs:ChangeMessageVisibility, sqs:DeleteMessage (--delete).
 */
import type { ReceiveMessageCommandOutput } from "@aws-sdk/client-sqs";
import { type DynastreamError, NotFoundError, UsageError } from "../../errors.js";
import { awsErrorName, translateAwsError } from "../errors.js";
import type { AwsRun } from "../streams.js";

/** A queue, by URL, with a name for messages. */
export interface QueueRef {
  url: string;
  name: string;
}

/** One message received. */
export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
}

/** Most messages ReceiveMessage returns per call (the API's maximum). */
const MAX_PER_CALL = 10;

/**
 * Long polling wait per call, seconds. Long polling asks every SQS server, so an empty answer means
 * the queue holds no visible message (short polling samples a subset and can answer empty falsely):
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html
 */
export const RECEIVE_WAIT_SECONDS = 1;

/** How long received messages stay hidden while the queue is read (made visible at the end). */
export const HOLD_SECONDS = 300;

const QUEUE_ARN = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/;
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}(?:\.fifo)?$/;

function isQueueMissing(e: unknown): boolean {
  const n = awsErrorName(e);
  return n === "QueueDoesNotExist" || n === "AWS.SimpleQueueService.NonExistentQueue";
}

function missing(what: string, e?: unknown): DynastreamError {
  return new NotFoundError(
    `queue ${what} not found`,
    "check the queue name, URL or ARN, --region and --profile",
    e,
  );
}

/** Resolves `--queue` (a URL, an ARN or a name) to its URL; unknown queues are exit 3. */
export async function resolveQueue(run: AwsRun, ref: string): Promise<QueueRef> {
  if (/^https?:\/\//.test(ref)) {
    const name = ref.replace(/\/+$/, "").split("/").pop() ?? ref;
    return { url: ref, name };
  }
  let input: { QueueName: string; QueueOwnerAWSAccountId?: string };
  const arn = QUEUE_ARN.exec(ref);
  if (arn) input = { QueueName: arn[3] as string, QueueOwnerAWSAccountId: arn[2] as string };
  else if (QUEUE_NAME.test(ref)) input = { QueueName: ref };
  else
    throw new UsageError(
      `invalid queue "${ref}"`,
      "pass a queue name, a queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>) or an ARN (arn:aws:sqs:<region>:<account>:<name>)",
    );
  const { GetQueueUrlCommand } = await import("@aws-sdk/client-sqs");
  const sqs = await run.clients.sqs();
  // GetQueueUrl looks in the run's region only: a queue ARN of another region would read as missing.
  const region = await sqs.config.region();
  if (arn && arn[1] !== region) {
    throw new UsageError(
      `queue ${ref} is in ${arn[1]}, but this run uses ${region}`,
      `add --region ${arn[1]}, or pass the queue's URL`,
    );
  }
  try {
    const out = await sqs.send(new GetQueueUrlCommand(input), { abortSignal: run.signal });
    if (!out.QueueUrl) throw missing(ref);
    return { url: out.QueueUrl, name: input.QueueName };
  } catch (e) {
    if (isQueueMissing(e)) throw missing(ref, e);
    throw translateAwsError(e, `queue ${ref}`, run.clients.settings.endpointUrl);
  }
}

/**
 * Every message of the queue, each once (by message id), received in calls of 10 with long polling
 * until a call answers none, into `into` (filled as they come: when the read fails or is interrupted,
 * the messages already received are there to be released). The messages stay hidden
 * ({@link HOLD_SECONDS}) until {@link releaseMessages} or {@link deleteMessages}.
 */
export async function receiveAll(
  run: AwsRun,
  queue: QueueRef,
  opts: { max?: number | undefined; into?: ReceivedMessage[] } = {},
): Promise<ReceivedMessage[]> {
  const { ReceiveMessageCommand } = await import("@aws-sdk/client-sqs");
  const sqs = await run.clients.sqs();
  const into = opts.into ?? [];
  const byId = new Map<string, ReceivedMessage>();
  for (;;) {
    const want = opts.max === undefined ? MAX_PER_CALL : Math.min(MAX_PER_CALL, opts.max - byId.size);
    if (want <= 0) break;
    let out: ReceiveMessageCommandOutput;
    try {
      out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          MaxNumberOfMessages: want,
          WaitTimeSeconds: RECEIVE_WAIT_SECONDS,
          VisibilityTimeout: HOLD_SECONDS,
        }),
        { abortSignal: run.signal },
      );
    } catch (e) {
      if (isQueueMissing(e)) throw missing(queue.name, e);
      throw translateAwsError(e, `queue ${queue.name}`, run.clients.settings.endpointUrl);
    }
    const msgs = out.Messages ?? [];
    if (msgs.length === 0) break;
    for (const m of msgs) {
      if (!m.MessageId || !m.ReceiptHandle) continue;
      const seen = byId.get(m.MessageId);
      if (seen !== undefined) {
        // Received again (its hold ran out while the queue was read): the newest handle is the one that counts.
        seen.receiptHandle = m.ReceiptHandle;
        continue;
      }
      const msg = { messageId: m.MessageId, receiptHandle: m.ReceiptHandle, body: m.Body ?? "" };
      byId.set(m.MessageId, msg);
      into.push(msg);
    }
  }
  return into;
}

/** What became of the messages a batch action could not settle: their ids, with why. */
type Unsettled = Array<{ messageId: string; reason: string }>;

/** Makes messages visible again at once (ChangeMessageVisibility 0, in batches of 10). */
export function releaseMessages(
  run: AwsRun,
  queue: QueueRef,
  messages: readonly ReceivedMessage[],
): Promise<Unsettled> {
  return inBatches(run, queue, messages, "release");
}

/** Deletes messages (DeleteMessageBatch, 10 per call). */
export function deleteMessages(
  run: AwsRun,
  queue: QueueRef,
  messages: readonly ReceivedMessage[],
): Promise<Unsettled> {
  return inBatches(run, queue, messages, "delete");
}

/** Releases or deletes messages, 10 per call; returns the ids that failed, with why. */
async function inBatches(
  run: AwsRun,
  queue: QueueRef,
  messages: readonly ReceivedMessage[],
  action: "release" | "delete",
): Promise<Unsettled> {
  const { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand } = await import(
    "@aws-sdk/client-sqs"
  );
  const sqs = await run.clients.sqs();
  const failed: Unsettled = [];
  for (let i = 0; i < messages.length; i += MAX_PER_CALL) {
    const chunk = messages.slice(i, i + MAX_PER_CALL);
    const entries = chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.receiptHandle }));
    let out: { Failed?: Array<{ Id?: string; Message?: string; Code?: string }> };
    try {
      out =
        action === "release"
          ? // Not aborted by Ctrl-C: messages left hidden would stay away from other consumers.
            await sqs.send(
              new ChangeMessageVisibilityBatchCommand({
                QueueUrl: queue.url,
                Entries: entries.map((e) => ({ ...e, VisibilityTimeout: 0 })),
              }),
            )
          : await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queue.url, Entries: entries }), {
              abortSignal: run.signal,
            });
    } catch (e) {
      throw translateAwsError(e, `queue ${queue.name}`, run.clients.settings.endpointUrl);
    }
    for (const f of out.Failed ?? []) {
      const m = chunk[Number(f.Id)];
      if (m) failed.push({ messageId: m.messageId, reason: f.Message ?? f.Code ?? "failed" });
    }
  }
  return failed;
}

/** Whether `arn` is an SQS queue's ARN (an on-failure destination that dlq can read). */
export function isQueueArn(arn: string): boolean {
  return QUEUE_ARN.test(arn);
}

/** Messages waiting in a queue (ApproximateNumberOfMessages; in flight ones not counted). */
export async function queueBacklog(run: AwsRun, ref: string): Promise<number> {
  const queue = await resolveQueue(run, ref);
  const { GetQueueAttributesCommand } = await import("@aws-sdk/client-sqs");
  const sqs = await run.clients.sqs();
  try {
    const out = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ["ApproximateNumberOfMessages"] }),
      { abortSignal: run.signal },
    );
    return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
  } catch (e) {
    if (isQueueMissing(e)) throw missing(queue.name, e);
    throw translateAwsError(e, `queue ${queue.name}`, run.clients.settings.endpointUrl);
  }
}
