/**
 * GetRecords for the tail reader: sent through the SDK client as usual (endpoint, credentials,
 * signing, retries, timeouts, abort, error types all unchanged), but a successful response's body
 * is parsed once with JSON.parse into DynamoDB JSON records instead of going through the SDK's schema
 * reader. That reader copies every record and attribute into new objects (binary decoded to bytes,
 * dates built) which tail then writes straight back to JSON text: it was most of tail's CPU time
 * while draining a backlog (profiled), more than rendering. Records keep the wire's shape, which is
 * also Lambda's (binary as base64 text, numbers as strings): src/core reads both shapes. Only
 * `dynamodb.ApproximateCreationDateTime` is turned into a Date, as the SDK does, so every record tail
 * handles looks the same whichever way it came.
 *
 * Anything but an HTTP 200 is left to the SDK, so errors are exactly the SDK's.
 */
import type {
  DynamoDBStreamsClient,
  GetRecordsCommandOutput,
  GetRecordsCommand as GetRecordsCommandType,
} from "@aws-sdk/client-dynamodb-streams";
import type { ShardInfo } from "../../core/lineage.js";
import type { StreamRecord } from "../../core/record.js";

export interface RecordsPage {
  Records: StreamRecord[];
  NextShardIterator: string | undefined;
  /**
   * Kinesis only: how far the page's end is behind the shard's tip (0: caught up). Bounded reads
   * (--until-end) use it. https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html
   */
  millisBehindLatest?: number | undefined;
  /** Kinesis only: the children of a shard that ended, as GetRecords names them at its end. */
  childShards?: ShardInfo[] | undefined;
}

type GetRecordsCommandClass = typeof GetRecordsCommandType;

interface RawResponse {
  statusCode?: number;
  body?: unknown;
}

type Handler = (args: unknown) => Promise<{ response: unknown }>;

interface RelativeStack {
  addRelativeTo(
    middleware: (next: Handler) => Handler,
    options: { relation: "before" | "after"; toMiddleware: string; name: string },
  ): void;
}

/** What the SDK's deserialiser is given instead of the records (it then has nothing to copy). */
const EMPTY_BODY = new TextEncoder().encode("{}");

/** The SDK's rule for epoch-seconds timestamps: milliseconds rounded. */
function epochSecondsToDate(v: unknown): unknown {
  return typeof v === "number" && Number.isFinite(v) ? new Date(Math.round(v * 1000)) : v;
}

/** The whole body of a response as UTF-8 text (chunks joined once). */
async function bodyText(body: unknown): Promise<string | undefined> {
  if (body instanceof Uint8Array)
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  if (typeof body === "object" && body !== null && Symbol.asyncIterator in body) {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Buffer | Uint8Array | string>) {
      chunks.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk));
    }
    return Buffer.concat(chunks).toString("utf8");
  }
  return undefined;
}

/** Checks the parsed body's shape (a JSON object whose Records, if any, is an array of objects). */
function asPage(parsed: unknown): RecordsPage {
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new SyntaxError("GetRecords response is not a JSON object");
  }
  const o = parsed as { Records?: unknown; NextShardIterator?: unknown };
  const records = o.Records ?? [];
  if (!Array.isArray(records)) throw new SyntaxError("GetRecords response: Records is not a list");
  for (const r of records as unknown[]) {
    if (typeof r !== "object" || r === null || Array.isArray(r)) {
      throw new SyntaxError("GetRecords response: a record is not a JSON object");
    }
    const data = (r as { dynamodb?: { ApproximateCreationDateTime?: unknown } }).dynamodb;
    if (typeof data === "object" && data !== null && "ApproximateCreationDateTime" in data) {
      data.ApproximateCreationDateTime = epochSecondsToDate(data.ApproximateCreationDateTime);
    }
  }
  const next = o.NextShardIterator;
  return {
    Records: records as StreamRecord[],
    NextShardIterator: typeof next === "string" ? next : undefined,
  };
}

/**
 * Sends `command` and returns the parsed JSON body of a 200 response, taken before the SDK's
 * deserialiser reads it (which then sees `{}`), with the SDK's output; `parsed` is undefined when the
 * body could not be taken (another HTTP handler). Errors are the SDK's own.
 */
export async function sendTakingJson<O>(
  client: { send(command: never, options: { abortSignal?: AbortSignal }): Promise<O> },
  command: { middlewareStack: unknown },
  options: { abortSignal?: AbortSignal },
): Promise<{ parsed: unknown; out: O }> {
  let parsed: unknown;
  let taken = false;
  (command.middlewareStack as RelativeStack).addRelativeTo(
    (next: Handler) => async (args: unknown) => {
      const result = await next(args);
      const response = result.response as RawResponse;
      if (response?.statusCode === 200) {
        const text = await bodyText(response.body);
        if (text !== undefined) {
          parsed = JSON.parse(text);
          taken = true;
          response.body = EMPTY_BODY;
        }
      }
      return result;
    },
    // Inside the SDK's deserialiser: sees the HTTP response before it does.
    { relation: "after", toMiddleware: "deserializerMiddleware", name: "dynastreamRecordsAsJson" },
  );
  const out = await client.send(command as never, options);
  return { parsed: taken ? parsed : undefined, out };
}

/**
 * One GetRecords call. Resolves to the page, or rejects with whatever the SDK rejects with (service
 * errors, timeouts, aborts); a 200 response whose body is not the JSON object GetRecords returns
 * rejects with a SyntaxError.
 */
export async function getRecordsPage(
  client: DynamoDBStreamsClient,
  GetRecordsCommand: GetRecordsCommandClass,
  input: { ShardIterator: string; Limit?: number },
  options: { abortSignal?: AbortSignal },
): Promise<RecordsPage> {
  const { parsed, out } = await sendTakingJson<GetRecordsCommandOutput>(
    client,
    new GetRecordsCommand(input),
    options,
  );
  if (parsed !== undefined) return asPage(parsed);
  // A response this module could not read itself (another HTTP handler): the SDK's own reading.
  return { Records: (out.Records ?? []) as StreamRecord[], NextShardIterator: out.NextShardIterator };
}
