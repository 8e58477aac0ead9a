/**
 * `dynastream dlq` flags → a validated, typed input. Every mistake is a UsageError (exit 2) with a
 * hint; nothing here does I/O.
 */
import {
  isValidTableName,
  looksLikeArn,
  parseStreamArn,
  type S3Location,
  TABLE_NAME_HINT,
} from "../../core/arn.js";
import { UsageError } from "../../errors.js";

/** Where the on-failure records are read from. */
export type DlqSource =
  /** The mappings on a table's stream (or a function's mappings, or both): their destinations. */
  | { kind: "mappings"; target: string | undefined; functionName: string | undefined }
  | { kind: "queue"; queue: string }
  | { kind: "s3"; location: S3Location }
  | { kind: "input"; path: string };

/** Validated input of a `dlq` run. */
export interface DlqInput {
  source: DlqSource;
  /** `--function` with --queue/--s3/--input (without --redrive): only failures of this function. */
  onlyFunction: string | undefined;
  summary: boolean;
  /** `--redrive`: deliver each batch again (to `handler` when given, else to the deployed function). */
  redrive: boolean;
  /** `--handler ./file.mjs[:name]`: the local handler `--redrive` delivers to. */
  handler: string | undefined;
  /** `--function` given: with `--redrive`, the function every batch goes to. */
  functionName: string | undefined;
  delete: boolean;
  yes: boolean;
  full: boolean;
  tz: "utc" | "local";
}

const SOURCES_HINT =
  "name one source: a table (its mappings' destinations), --function <name>, --queue <name|url|arn>, --s3 s3://bucket/prefix, or --input <file|->";

function str(v: unknown, flag: string, hint = SOURCES_HINT): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v.trim() === "") throw new UsageError(`${flag} needs a value`, hint);
  return v;
}

/** Parses the flags of `dlq [table|stream-arn]`. */
export function parseDlqFlags(target: string | undefined, opts: Record<string, unknown>): DlqInput {
  const fn = str(opts.function, "--function");
  const queue = str(opts.queue, "--queue");
  const s3 = str(opts.s3, "--s3");
  const input = str(opts.input, "--input");
  const given = [queue && "--queue", s3 && "--s3", input && "--input"].filter(Boolean) as string[];
  if (given.length > 1) throw new UsageError(`${given.join(" and ")} cannot be combined`, SOURCES_HINT);
  if (given.length === 1 && target !== undefined) {
    throw new UsageError(`a table cannot be combined with ${given[0]}`, SOURCES_HINT);
  }
  if (target !== undefined) {
    if (looksLikeArn(target)) {
      if (!parseStreamArn(target))
        throw new UsageError(
          `malformed stream ARN "${target}"`,
          "a stream ARN looks like arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2026-01-01T00:00:00.000",
        );
    } else if (!isValidTableName(target)) {
      throw new UsageError(`invalid table name "${target}"`, TABLE_NAME_HINT);
    }
  }
  let source: DlqSource;
  if (queue !== undefined) source = { kind: "queue", queue };
  else if (s3 !== undefined) source = { kind: "s3", location: parseS3Url(s3) };
  else if (input !== undefined) source = { kind: "input", path: input };
  else if (target !== undefined || fn !== undefined) source = { kind: "mappings", target, functionName: fn };
  else throw new UsageError("dlq needs to know where the on-failure records are", SOURCES_HINT);
  if (opts.delete === true && source.kind === "input") {
    throw new UsageError(
      "--delete cannot be used with --input",
      "messages read from a file are not deleted anywhere",
    );
  }
  const handler = str(
    opts.handler,
    "--handler",
    "the local handler module, e.g. --handler ./src/handler.mjs[:export]",
  );
  const redrive = opts.redrive === true;
  if (handler !== undefined && !redrive) {
    throw new UsageError(
      "--handler is for --redrive",
      "dynastream dlq … --redrive --handler ./handler.mjs delivers the failed batches to a local handler",
    );
  }
  return {
    source,
    // With --redrive, --function is where the batches go (the issue's `--function <other>`), not a selection.
    onlyFunction: source.kind === "mappings" || redrive ? undefined : fn,
    summary: opts.summary === true,
    redrive,
    handler,
    functionName: fn,
    delete: opts.delete === true,
    yes: opts.yes === true,
    full: opts.full === true,
    tz: opts.localTime === true ? "local" : "utc",
  };
}

/** Parses `--s3 s3://bucket/prefix` (the prefix may be empty); anything else is exit 2. */
export function parseS3Url(text: string): S3Location {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(text);
  if (!m)
    throw new UsageError(
      `invalid S3 location "${text}"`,
      "write it as s3://<bucket>/<prefix>, e.g. s3://my-bucket/aws/lambda/",
    );
  return { bucket: m[1] as string, prefix: m[2] ?? "" };
}
