/**
 * The records of a `filter-test` run (`--records <file|->` or `--from-stream`), evaluated and
 * tallied by core/filter-run, rendered as they come; `--expect` and the exit code.
 */
import type { Context } from "../../cli/context.js";
import { pipeClosed, writeOut } from "../../cli/stdout.js";
import type { FilterSet } from "../../core/filter/sources.js";
import type { InputBatch } from "../../core/filter-test/evaluate.js";
import { runRecords } from "../../core/filter-test/evaluate.js";
import { isKinesisInput } from "../../core/normalize-record.js";
import { CheckFailedError, InterruptedError, UsageError } from "../../errors.js";
import { RECORDS_HINT, readJsonValues } from "../../io/json-input.js";
import type { FilterTestFormat, RunContext } from "../../render/filter-test.js";
import { createRecordsRenderer, disagreementText, validOnly } from "../../render/filter-test.js";
import type { FilterTestInput } from "./options.js";
import type { Patterns } from "./patterns.js";
import { asViewType } from "./patterns.js";

/** Evaluates the records against the filter set; returns the exit code. */
export async function runRecordsCommand(
  ctx: Context,
  input: FilterTestInput,
  p: Patterns,
  firstSet: FilterSet,
  format: FilterTestFormat,
  rctx: RunContext,
): Promise<number> {
  let set = firstSet;
  let batches: AsyncIterable<InputBatch> | undefined;
  let label = "";
  if (input.fromStream !== undefined && p.source === "kinesis") {
    // --from-stream samples a DynamoDB stream: not what a Kinesis-sourced mapping receives.
    throw new UsageError(
      `--from-stream samples a DynamoDB stream, and mapping ${rctx.mapping?.uuid ?? "?"} reads the Kinesis stream ${rctx.mapping?.streamArn ?? "?"}`,
      `sample the Kinesis stream with tail, then test that: dynastream tail ${rctx.mapping?.streamArn ?? "<kinesis-stream-arn>"} --from trim-horizon --until-end --count 50 --json > records.ndjson; dynastream filter-test --function ${input.functionName ?? "<function>"} --records records.ndjson`,
    );
  }
  if (input.fromStream !== undefined) {
    const aws = await ctx.aws();
    const { sampleStream } = await import("../../aws/filter-source.js");
    const sample = await sampleStream(aws, input.fromStream, input.limit, {
      warn: (m) => ctx.out.warn(m),
      debug: (m) => ctx.out.debug(m),
    });
    label = `--from-stream ${input.fromStream}`;
    rctx.stream = {
      table: sample.tableName,
      streamArn: sample.streamArn,
      viewType: sample.viewType ?? null,
      sampled: sample.records.length,
      truncated: sample.truncated,
    };
    ctx.out.info(
      `sampled ${sample.records.length} record${sample.records.length === 1 ? "" : "s"} of ${sample.tableName} from TRIM_HORIZON${sample.truncated ? ` (--limit ${input.limit}; more follow)` : sample.records.length === 0 ? " (the stream holds none: records are kept 24 h)" : ""}`,
    );
    const sampledType = asViewType(sample.viewType);
    if (p.viewType === undefined && sampledType !== undefined) {
      // The stream's view type lints what the patterns' own could not: compile once more with it.
      const again = p.compile(sampledType);
      if (again.ok) set = again.set;
    }
    const records: unknown[] = sample.records;
    batches = (async function* () {
      yield { values: records };
    })();
  } else if (input.records !== undefined) {
    label = input.records === "-" ? "--records (stdin)" : `--records ${input.records}`;
    const source = input.records === "-" ? { stdin: ctx.stdin } : { path: input.records };
    const it = readJsonValues(source, label)[Symbol.asyncIterator]();
    const first = await it.next();
    // Records of a table's Kinesis destination are filtered on `data`: lint the patterns for that.
    if (!first.done && first.value.values.some(isKinesisInput)) {
      const again = p.compile(p.viewType, "kinesis");
      if (again.ok) set = again.set;
    }
    batches = (async function* () {
      if (first.done) return;
      yield first.value;
      for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
    })();
  }
  p.warn(set.warnings);

  if (batches === undefined) {
    ctx.out.info("no records given (--records, --from-stream or --cases): checked the patterns only");
    await writeOut(ctx, validOnly(format, rctx, set.warnings));
    return 0;
  }

  const renderer = createRecordsRenderer(format, rctx, {
    style: ctx.out.style,
    summaryOnly: input.summary,
    expect: input.expect,
  });
  let pending = "";
  await writeOut(ctx, renderer.header());
  const outcome = await runRecords(
    set.criteria,
    p.sources.length,
    batches,
    async (results) => {
      pending += renderer.results(results);
      if (pending.length >= 64 * 1024) {
        const text = pending;
        pending = "";
        await writeOut(ctx, text);
      }
    },
    // ctx.aborted: the run's AbortSignal is only made if something aborts it (start-up).
    { explain: input.explain, expect: input.expect, signal: ctx, countOnly: input.summary },
  );
  const inputError =
    outcome.error === undefined
      ? undefined
      : typeof outcome.error === "string"
        ? new UsageError(`${label}: ${outcome.error}`, RECORDS_HINT)
        : outcome.error;
  const errorText =
    inputError === undefined
      ? undefined
      : inputError instanceof Error
        ? inputError.message
        : String(inputError);
  // Pretty output ends without a summary when the input failed: the error says what happened.
  if (format === "json" || inputError === undefined)
    pending += renderer.footer({
      tally: outcome.tally,
      explained: outcome.explained,
      warnings: set.warnings,
      error: errorText,
    });
  await writeOut(ctx, pending);

  if (outcome.aborted || ctx.aborted) {
    if (pipeClosed(ctx)) return 0;
    throw new InterruptedError(`filter-test stopped after ${outcome.tally.total} records`);
  }
  if (inputError !== undefined) throw inputError;
  const t = outcome.tally;
  if (t.expect !== undefined && t.disagreeing > 0) {
    const named = t.failures.map((r) => disagreementText(r, t.expect as "match" | "no-match"));
    const more = t.disagreeing - named.length;
    throw new CheckFailedError(
      `--expect ${t.expect}: ${t.disagreeing} of ${t.total} records disagree: ${named.join("; ")}${more > 0 ? `; and ${more} more` : ""}`,
      t.expect === "match"
        ? "run with --explain to see why each record was filtered out"
        : "the named records would be delivered to the function",
    );
  }
  return t.exitCode();
}
