/**
 * `dlq`'s sources: the on-failure messages of a queue, an S3 prefix, a file or stdin, or of the
 * destinations of a table's (or a function's) mappings, each parsed (core/dlq/message) with where it
 * came from and what deleting it takes. SQS messages stay held until {@link Collected.release}.
 */
import type { FailureMapping } from "../../aws/dlq/mappings.js";
import type { QueueRef, ReceivedMessage } from "../../aws/dlq/sqs.js";
import type { AwsRun } from "../../aws/streams.js";
import type { Context } from "../../cli/context.js";
import { bucketOfArn, functionNameOf, parseStreamArn } from "../../core/arn.js";
import type { MessageOrigin } from "../../core/dlq/batch.js";
import { type ParsedMessage, parseFailureMessages } from "../../core/dlq/message.js";
import { NotFoundError } from "../../errors.js";
import type { DlqInput } from "./options.js";

/** One message read, parsed. */
export interface SourceItem {
  origin: MessageOrigin;
  parsed: ParsedMessage;
}

/** What the sources gave. */
export interface Collected {
  items: SourceItem[];
  /** The queues read, with the messages held (to release or delete). */
  queues: Array<{ queue: QueueRef; messages: ReceivedMessage[] }>;
  /** The mappings the run is about (mappings mode), for their filter criteria and to keep their failures only. */
  mappings: FailureMapping[] | undefined;
}

const DESTINATION_HINT =
  'add one: aws lambda update-event-source-mapping --uuid <uuid> --destination-config \'{"OnFailure":{"Destination":"arn:aws:sqs:<region>:<account>:<queue>"}}\'';

async function readQueue(ctx: Context, run: AwsRun, ref: string, collected: Collected): Promise<void> {
  const sqs = await import("../../aws/dlq/sqs.js");
  const queue = await sqs.resolveQueue(run, ref);
  ctx.out.info(`reading queue ${queue.name}…`);
  const messages: ReceivedMessage[] = [];
  // Registered before the read: messages received before a failure or Ctrl-C are released too.
  collected.queues.push({ queue, messages });
  await sqs.receiveAll(run, queue, { into: messages });
  for (const m of messages) {
    const label = `queue ${queue.name} message ${m.messageId}`;
    const origin: MessageOrigin = {
      kind: "sqs",
      label,
      queueUrl: queue.url,
      messageId: m.messageId,
      receiptHandle: m.receiptHandle,
    };
    for (const parsed of parseFailureMessages(m.body, label)) collected.items.push({ origin, parsed });
  }
}

async function readS3(
  ctx: Context,
  run: AwsRun,
  loc: { bucket: string; prefix: string },
  collected: Collected,
  mustExist: boolean,
): Promise<void> {
  const s3 = await import("../../aws/dlq/s3.js");
  const where = `s3://${loc.bucket}/${loc.prefix}`;
  ctx.out.info(`reading ${where}…`);
  const keys = await s3.listObjects(run, loc);
  if (keys.length === 0 && mustExist) {
    throw new NotFoundError(
      `no objects under ${where}`,
      "check the bucket and prefix: Lambda writes on-failure objects under aws/lambda/<mapping UUID>/<shard id>/",
    );
  }
  for (const key of keys) {
    const label = `s3://${loc.bucket}/${key}`;
    const origin: MessageOrigin = { kind: "s3", label, bucket: loc.bucket, key };
    const text = await s3.readObject(run, loc.bucket, key);
    for (const parsed of parseFailureMessages(text, label)) collected.items.push({ origin, parsed });
  }
}

async function readInput(ctx: Context, path: string, collected: Collected): Promise<void> {
  const { readJsonValues } = await import("../../io/json-input.js");
  const source = path === "-" ? { stdin: ctx.stdin } : { path };
  const label = path === "-" ? "--input (stdin)" : `--input ${path}`;
  const hint =
    "expected on-failure records (JSON, NDJSON or an array), aws sqs receive-message output, or SNS notifications";
  for await (const { values, lines } of readJsonValues(source, label, hint)) {
    for (let i = 0; i < values.length; i++) {
      const where = `${label} line ${lines[i]}`;
      for (const parsed of parseFailureMessages(values[i], where))
        collected.items.push({ origin: { kind: "file", label: parsed.where }, parsed });
    }
  }
}

function describeMapping(m: FailureMapping): string {
  return `${functionNameOf(m.functionArn)} on ${parseStreamArn(m.streamArn)?.tableName ?? m.streamArn} (mapping ${m.uuid})`;
}

/** The mappings of a table's stream and/or a function, with at least one readable destination. */
async function readMappings(
  ctx: Context,
  run: AwsRun,
  target: string | undefined,
  functionName: string | undefined,
  collected: Collected,
): Promise<void> {
  const { mappingsOfFunction, mappingsOfStream } = await import("../../aws/dlq/mappings.js");
  const { serviceAvailableFor } = await import("../../aws/consumers.js");
  let streamArn: string | undefined;
  if (target !== undefined) {
    const { resolveStream } = await import("../../aws/streams.js");
    streamArn = (await resolveStream(run, target)).streamArn;
    if (!serviceAvailableFor("LAMBDA", streamArn, run, ctx.env)) {
      throw new NotFoundError(
        `no Lambda behind DynamoDB Local's stream ${streamArn}: its mappings cannot be listed`,
        "set AWS_ENDPOINT_URL_LAMBDA to a Lambda endpoint, or read the destination itself with --queue, --s3 or --input",
      );
    }
  }
  let mappings =
    functionName !== undefined
      ? await mappingsOfFunction(run, functionName)
      : await mappingsOfStream(run, streamArn as string);
  if (streamArn !== undefined && functionName !== undefined) {
    mappings = mappings.filter((m) => m.streamArn === streamArn);
    if (mappings.length === 0)
      throw new NotFoundError(
        `function ${functionName} has no event source mapping on the stream of ${target}`,
      );
  }
  if (mappings.length === 0) {
    throw new NotFoundError(
      `no Lambda event source mapping reads the stream of ${target}`,
      "nothing consumes this stream, so nothing can have failed; check the table, --region and --profile",
    );
  }
  collected.mappings = mappings;
  const without = mappings.filter((m) => m.destination === undefined);
  const readable = mappings.filter((m) => m.destination !== undefined);
  if (readable.length === 0) {
    const which =
      mappings.length === 1
        ? `mapping ${describeMapping(mappings[0] as FailureMapping)} has`
        : `none of the ${mappings.length} mappings (${mappings.map(describeMapping).join(", ")}) has`;
    throw new NotFoundError(
      `${which} no on-failure destination: Lambda keeps no record of its failed batches`,
      DESTINATION_HINT,
    );
  }
  for (const m of without)
    ctx.out.warn(`${describeMapping(m)} has no on-failure destination: its failed batches are not recorded`);
  const { mappingPrefix } = await import("../../aws/dlq/s3.js");
  const { isQueueArn } = await import("../../aws/dlq/sqs.js");
  const queues = new Set<string>();
  let read = 0;
  for (const m of readable) {
    const dest = m.destination as string;
    const bucket = bucketOfArn(dest);
    if (isQueueArn(dest)) {
      if (queues.has(dest)) continue;
      queues.add(dest);
      await readQueue(ctx, run, dest, collected);
      read++;
    } else if (bucket !== undefined) {
      await readS3(ctx, run, { bucket, prefix: mappingPrefix(m.uuid) }, collected, false);
      read++;
    } else if (dest.startsWith("arn:aws") && dest.includes(":sns:")) {
      ctx.out.warn(
        `${describeMapping(m)} sends failures to the SNS topic ${dest}, which cannot be read back: subscribe an SQS queue to it and read that with --queue`,
      );
    } else {
      ctx.out.warn(`${describeMapping(m)}: on-failure destination ${dest} is not an SQS queue or S3 bucket`);
    }
  }
  if (read === 0) {
    throw new NotFoundError(
      "no on-failure destination of these mappings can be read",
      "subscribe an SQS queue to the SNS topic and read it with --queue",
    );
  }
}

/** Reads the run's source into `collected` (an empty one). */
export async function collect(ctx: Context, input: DlqInput, collected: Collected): Promise<void> {
  const src = input.source;
  if (src.kind === "input") {
    await readInput(ctx, src.path, collected);
    return;
  }
  const run = await ctx.aws();
  if (src.kind === "queue") await readQueue(ctx, run, src.queue, collected);
  else if (src.kind === "s3") {
    await readS3(ctx, run, src.location, collected, true);
  } else await readMappings(ctx, run, src.target, src.functionName, collected);
}
