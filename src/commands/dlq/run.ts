/**
 * A `dlq` run: read the on-failure messages (./sources), turn each into a failed batch with its records
 * (fetched from the stream, or from an S3 object's payload), write each as it comes, redrive them
 * (`--redrive`, ./redrive), then give the queues back their messages (or delete those whose records
 * were written, or with --redrive redriven completely, when asked and confirmed).
 *
 * The batches are produced by {@link failedBatches}, apart from writing and deleting: redrive takes the
 * same batches (records in stream order, `failure.functionArn`, `origin` to delete by).
 */
import type { BatchFetcher, RecordFilter } from "../../aws/dlq/fetch.js";
import type { AwsRun } from "../../aws/streams.js";
import type { Context } from "../../cli/context.js";
import { pipeClosed, writeOut } from "../../cli/stdout.js";
import { functionNameOf } from "../../core/arn.js";
import { batchId, expiresSoon, expiryMs, type FailedBatch, type FetchOutcome } from "../../core/dlq/batch.js";
import { mappingFilter } from "../../core/dlq/filter.js";
import type { FailureRecord } from "../../core/dlq/message.js";
import { normalizeInput } from "../../core/normalize-record.js";
import { tableFromStreamArn } from "../../core/record.js";
import { DataLossError, InterruptedError, NotFoundError, UsageError } from "../../errors.js";
import {
  failureHeaderPretty,
  failureJsonLine,
  failureSummaryPretty,
  skippedJsonLine,
  withBatchId,
} from "../../render/dlq.js";
import { recordJsonLine } from "../../render/record-json.js";
import type { Style } from "../../render/style.js";
import { createTailFormatter, type TailFormatter } from "../../render/tail-output.js";
import type { DlqInput } from "./options.js";
import { type Collected, collect, type SourceItem } from "./sources.js";

/** `dlq --output` formats. */
export type DlqFormat = "pretty" | "json" | "dynamodb-json";
export const DLQ_FORMATS: readonly DlqFormat[] = ["pretty", "json", "dynamodb-json"];

/** What a message that is not a failed batch of the run became. */
export interface Skipped {
  kind: "skipped";
  where: string;
  reason: string;
  /** Not an on-failure record (counts toward exit 2), or one of another mapping (does not). */
  invalid: boolean;
}

function key(functionArn: string, streamArn: string): string {
  return `${functionNameOf(functionArn)}\u0000${streamArn}`;
}

/** The mapping filters of a run: from its mappings, else looked up per function and stream. */
class Filters {
  readonly #known = new Map<string, RecordFilter | undefined>();
  #lookupFailed = false;

  constructor(
    private readonly ctx: Context,
    private readonly aws: () => Promise<AwsRun>,
    mappings: Collected["mappings"],
  ) {
    for (const m of mappings ?? []) this.#set(m.functionArn, m.streamArn, m.filters, m.uuid);
  }

  #set(
    fn: string,
    stream: string,
    filters: Array<{ Pattern?: string | undefined }> | undefined,
    uuid: string,
  ) {
    const f = mappingFilter(filters, `mapping ${uuid}`);
    if (typeof f === "string") {
      this.ctx.out.warn(
        `the filter criteria of mapping ${uuid} do not compile (${f}): records are not filtered`,
      );
      this.#known.set(key(fn, stream), undefined);
    } else this.#known.set(key(fn, stream), f);
  }

  /** The filter of the failure's mapping; undefined when it has none or it cannot be known. */
  async of(f: FailureRecord): Promise<{ filter: RecordFilter | undefined }> {
    if (f.functionArn === undefined) return { filter: undefined };
    const k = key(f.functionArn, f.batch.streamArn);
    if (this.#known.has(k)) return { filter: this.#known.get(k) };
    this.#known.set(k, undefined);
    if (this.#lookupFailed) return { filter: undefined };
    const run = await this.aws();
    const { serviceAvailableFor } = await import("../../aws/consumers.js");
    if (!serviceAvailableFor("LAMBDA", f.batch.streamArn, run, this.ctx.env)) {
      this.ctx.out.debug(`no Lambda for ${f.batch.streamArn}: the mapping's filter criteria are not known`);
      return { filter: undefined };
    }
    try {
      const { mappingOfFailure } = await import("../../aws/dlq/mappings.js");
      const m = await mappingOfFailure(run, f.functionArn, f.batch.streamArn);
      if (m !== undefined) this.#set(f.functionArn, f.batch.streamArn, m.filters, m.uuid);
    } catch (e) {
      if (e instanceof InterruptedError) throw e;
      if (e instanceof NotFoundError) {
        // The function (or its mapping) is gone: nothing to filter by.
        this.ctx.out.debug(`no mapping of ${f.functionArn} on ${f.batch.streamArn}: ${(e as Error).message}`);
        return { filter: undefined };
      }
      this.#lookupFailed = true;
      this.ctx.out.warn(
        `could not read the mappings' filter criteria (${(e as Error).message}): records inside a batch's range that a filter dropped are shown too`,
      );
    }
    return { filter: this.#known.get(k) };
  }
}

/** The records an S3 object's payload carries, in the record model; a string is why they cannot be read. */
function payloadOutcome(records: unknown[], where: string): FetchOutcome | string {
  const r = normalizeInput(records, `${where} payload`);
  return r.ok ? { status: "payload", records: r.records } : r.error;
}

/**
 * The failed batches of the collected messages, in the order read, each with its records; messages
 * that are not on-failure records (or belong to other mappings) come out as {@link Skipped}.
 */
export async function* failedBatches(
  ctx: Context,
  collected: Collected,
  only: string | undefined,
): AsyncGenerator<FailedBatch | Skipped> {
  const filters = new Filters(ctx, () => ctx.aws(), collected.mappings);
  let fetcher: BatchFetcher | undefined;
  const ours =
    collected.mappings === undefined
      ? undefined
      : new Set(collected.mappings.map((m) => key(m.functionArn, m.streamArn)));
  for (const item of collected.items as SourceItem[]) {
    const p = item.parsed;
    if (!p.ok) {
      yield {
        kind: "skipped",
        where: p.where,
        reason: `not an on-failure record: it looks like ${p.reason}`,
        invalid: true,
      };
      continue;
    }
    const f = p.failure;
    const fnOf = f.functionArn === undefined ? undefined : functionNameOf(f.functionArn);
    if (only !== undefined && fnOf !== functionNameOf(only)) {
      yield {
        kind: "skipped",
        where: p.where,
        reason: `a failure of ${fnOf ?? "an unknown function"}, not of ${only}`,
        invalid: false,
      };
      continue;
    }
    if (
      ours !== undefined &&
      (f.functionArn === undefined || !ours.has(key(f.functionArn, f.batch.streamArn)))
    ) {
      yield {
        kind: "skipped",
        where: p.where,
        reason: `a failure of ${fnOf ?? "an unknown function"} on ${f.batch.streamArn}, not of the mappings read`,
        invalid: false,
      };
      continue;
    }
    let outcome: FetchOutcome;
    if (f.payloadRecords !== undefined) {
      const o = payloadOutcome(f.payloadRecords, p.where);
      if (typeof o === "string") {
        yield { kind: "skipped", where: p.where, reason: o, invalid: true };
        continue;
      }
      outcome = o;
    } else {
      if (fetcher === undefined) {
        const { BatchFetcher } = await import("../../aws/dlq/fetch.js");
        fetcher = new BatchFetcher(await ctx.aws());
      }
      const { filter } = await filters.of(f);
      outcome = await fetcher.fetch(f, filter);
    }
    yield { id: batchId(f), failure: f, origin: item.origin, outcome };
  }
}

/** Runs `dlq`; returns the exit code. */
export async function runDlq(ctx: Context, input: DlqInput, format: DlqFormat): Promise<number> {
  if (input.delete && !input.yes && !ctx.interactive) {
    throw new UsageError(
      "--delete needs confirmation: it removes messages from the destination",
      "pass --yes to confirm (messages are deleted only once their batch's records were written)",
    );
  }
  const { checkRedrive } = await import("./redrive.js");
  const handlerSpec = await checkRedrive(ctx, input);
  const collected: Collected = { items: [], queues: [], mappings: undefined };
  const style = ctx.out.style;
  const pretty = format === "pretty";
  const formatter = pretty
    ? createTailFormatter("pretty", { style, full: input.full, tz: input.tz })
    : undefined;
  formatter?.setNow(ctx.now());
  const now = ctx.now();
  let batches = 0;
  let expired = 0;
  let incomplete = 0;
  let invalid = 0;
  let foreign = 0;
  let failedAgain = 0;
  const written: FailedBatch[] = [];
  const release = async (keep: ReadonlySet<string>): Promise<void> => {
    if (collected.queues.length === 0) return;
    const { releaseMessages } = await import("../../aws/dlq/sqs.js");
    const run = await ctx.aws();
    for (const { queue, messages } of collected.queues) {
      const back = messages.filter((m) => !keep.has(m.messageId));
      if (back.length === 0) continue;
      const failed = await releaseMessages(run, queue, back);
      for (const f of failed)
        ctx.out.warn(
          `message ${f.messageId} of ${queue.name} stays hidden until its visibility timeout: ${f.reason}`,
        );
    }
  };
  let done = false;
  try {
    await collect(ctx, input, collected);
    for await (const b of failedBatches(ctx, collected, input.onlyFunction)) {
      if (ctx.signal.aborted) break;
      if ("kind" in b) {
        if (b.invalid) {
          invalid++;
          ctx.out.warn(`${b.where}: ${b.reason}: skipped`);
          if (!pretty) await writeOut(ctx, `${skippedJsonLine(b.where, b.reason)}\n`);
        } else foreign++;
        continue;
      }
      batches++;
      const out = b.outcome;
      if (out.status === "expired") {
        expired++;
        ctx.out.warn(`batch ${b.id} (${b.origin.label}): its records are gone: ${out.reason}`);
      } else if (out.status === "incomplete") {
        incomplete++;
        ctx.out.warn(
          `batch ${b.id} (${b.origin.label}): only ${out.records.length} records read: ${out.reason}`,
        );
      } else {
        written.push(b);
        const size = b.failure.batch.batchSize;
        if (out.status === "fetched" && size !== undefined && size !== out.records.length) {
          ctx.out.warn(
            `batch ${b.id}: ${out.records.length} records in its range, but the batch had ${size}` +
              (out.filterApplied
                ? ""
                : " (the mapping's filter criteria are not known: records it dropped are shown too)"),
          );
        }
        // An S3 object carries its records (status "payload"): only records read from the stream expire.
        if (out.status === "fetched" && expiresSoon(b.failure, now)) {
          const at = expiryMs(b.failure) as number;
          ctx.out.warn(
            `batch ${b.id}: its records leave the stream at ${new Date(at).toISOString()} (in ${Math.max(1, Math.round((at - now) / 60_000))} min): save or redrive them now`,
          );
        }
      }
      await writeOut(ctx, render(b, format, input, formatter, style));
    }
    if (!ctx.signal.aborted) {
      summary(ctx, { batches, expired, incomplete, invalid, foreign });
      let deletable = written;
      if (input.redrive) {
        const { redrive } = await import("./redrive.js");
        const r = await redrive(ctx, input, handlerSpec, written, !pretty);
        deletable = r.succeeded;
        failedAgain = r.failed;
        ctx.out.info(
          `redrive: ${r.succeeded.length} batch${r.succeeded.length === 1 ? "" : "es"} succeeded` +
            (r.failed > 0 ? `, ${r.failed} failed again (their messages are kept)` : ""),
        );
      }
      // Deleted messages are not released: between the two another consumer could receive them.
      const deleted = input.delete
        ? await deleteWritten(ctx, input, collected, deletable)
        : new Set<string>();
      await release(deleted);
      done = true;
    }
  } finally {
    if (!done) {
      // Whatever happened, other consumers get the messages back at once.
      await release(new Set()).catch((e: unknown) =>
        ctx.out.warn(`could not make the messages visible again: ${(e as Error).message}`),
      );
    }
  }
  if (ctx.signal.aborted) {
    if (pipeClosed(ctx)) return 0;
    throw new InterruptedError(`dlq stopped after ${batches} batches`);
  }
  if (expired + incomplete > 0) {
    throw new DataLossError(
      `the records of ${expired + incomplete} failed batch${expired + incomplete === 1 ? "" : "es"} could not all be read from the stream`,
      "records stay in a DynamoDB stream for 24 hours: read on-failure destinations sooner (their messages were kept)",
    );
  }
  if (invalid > 0) {
    throw new UsageError(
      `${invalid} message${invalid === 1 ? " was" : "s were"} not on-failure records (named above) and skipped`,
      "dlq reads what Lambda sends a DynamoDB stream mapping's on-failure destination",
    );
  }
  // As invoke: a batch that failed again (Lambda would retry or discard it again) is exit 1.
  return failedAgain > 0 ? 1 : 0;
}

/** The end-of-run lines on stderr. */
function summary(
  ctx: Context,
  n: { batches: number; expired: number; incomplete: number; invalid: number; foreign: number },
): void {
  if (n.foreign > 0)
    ctx.out.info(`${n.foreign} message${n.foreign === 1 ? "" : "s"} of other functions or streams not shown`);
  ctx.out.info(
    `${n.batches} failed batch${n.batches === 1 ? "" : "es"}` +
      (n.expired > 0 ? `, ${n.expired} expired` : "") +
      (n.incomplete > 0 ? `, ${n.incomplete} incomplete` : "") +
      (n.invalid > 0 ? `, ${n.invalid} message${n.invalid === 1 ? "" : "s"} skipped` : ""),
  );
}

/** The text of one batch in `format` (its header or failure line, then its records). */
function render(
  b: FailedBatch,
  format: DlqFormat,
  input: DlqInput,
  formatter: TailFormatter | undefined,
  style: Style,
): string {
  const streamArn = b.failure.batch.streamArn;
  const where = { streamArn, shardId: b.failure.batch.shardId, table: tableFromStreamArn(streamArn) };
  const records = b.outcome.status === "expired" ? [] : b.outcome.records;
  if (formatter !== undefined) {
    if (input.summary) return `${failureSummaryPretty(b, style)}\n`;
    let text = `${failureHeaderPretty(b, style)}\n`;
    for (const rec of records) text += formatter.record(rec, where);
    return `${text}\n`;
  }
  let text = `${failureJsonLine(b)}\n`;
  if (input.summary) return text;
  const output = format === "dynamodb-json" ? "dynamodb-json" : "json";
  for (const rec of records) text += `${withBatchId(recordJsonLine(rec, where, output), b.id)}\n`;
  return text;
}

/**
 * `--delete`: after confirmation, deletes the messages of the batches whose records were written
 * (with `--redrive`: of the batches redriven successfully).
 */
async function deleteWritten(
  ctx: Context,
  input: DlqInput,
  collected: Collected,
  written: FailedBatch[],
): Promise<Set<string>> {
  const sqsDone = new Set<string>();
  const what = input.redrive ? "batches were redriven successfully" : "batch records were written above";
  if (written.length === 0) {
    ctx.out.info(
      `nothing to delete: no batch ${input.redrive ? "was redriven successfully" : "had its records written"}`,
    );
    return sqsDone;
  }
  if (!input.yes) {
    const ok = await ctx.confirm(
      `delete the ${written.length} message${written.length === 1 ? "" : "s"} whose ${what}?`,
    );
    if (!ok) {
      ctx.out.info("nothing deleted");
      return sqsDone;
    }
  }
  const run = await ctx.aws();
  let deleted = 0;
  for (const { queue, messages } of collected.queues) {
    const ids = new Set(
      written.flatMap((b) =>
        b.origin.kind === "sqs" && b.origin.queueUrl === queue.url ? [b.origin.messageId] : [],
      ),
    );
    const chosen = messages.filter((m) => ids.has(m.messageId));
    if (chosen.length === 0) continue;
    const { deleteMessages } = await import("../../aws/dlq/sqs.js");
    const failed = await deleteMessages(run, queue, chosen);
    for (const f of failed)
      ctx.out.warn(`message ${f.messageId} of ${queue.name} was not deleted: ${f.reason}`);
    deleted += chosen.length - failed.length;
    const notDeleted = new Set(failed.map((f) => f.messageId));
    for (const m of chosen) if (!notDeleted.has(m.messageId)) sqsDone.add(m.messageId);
  }
  const { deleteObject } = await import("../../aws/dlq/s3.js");
  const objects = new Set<string>();
  for (const b of written) {
    if (b.origin.kind !== "s3") continue;
    const k = `${b.origin.bucket}/${b.origin.key}`;
    if (objects.has(k)) continue;
    objects.add(k);
    await deleteObject(run, b.origin.bucket, b.origin.key);
    deleted++;
  }
  ctx.out.info(`deleted ${deleted} message${deleted === 1 ? "" : "s"}`);
  return sqsDone;
}
