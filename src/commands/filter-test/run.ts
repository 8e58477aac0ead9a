/** A `filter-test` run: the case suite, or the patterns and then the records. */
import type { Context } from "../../cli/context.js";
import { outputFormat } from "../../cli/context.js";
import { writeOut } from "../../cli/stdout.js";
import type { CaseSuite } from "../../core/filter-test/cases.js";
import { parseCaseSuite, runCase } from "../../core/filter-test/cases.js";
import { UsageError } from "../../errors.js";
import type { FilterTestFormat, RunContext } from "../../render/filter-test.js";
import { FILTER_TEST_FORMATS, renderCases } from "../../render/filter-test.js";
import { parseFilterTestFlags } from "./options.js";
import { CASES_HINT, loadPatterns, rejectInvalid } from "./patterns.js";
import { runRecordsCommand } from "./records.js";

/** Runs filter-test; returns the exit code. */
export async function runFilterTest(ctx: Context, opts: Record<string, unknown>): Promise<number> {
  const input = parseFilterTestFlags(opts);
  const format: FilterTestFormat = outputFormat(ctx.globals, FILTER_TEST_FORMATS, ctx.out.stdoutIsTTY);
  const io = await import("../../io/json-input.js");

  let suite: CaseSuite | undefined;
  if (input.cases !== undefined) {
    const value = await io.readJsonFile(input.cases, `--cases ${input.cases}`, CASES_HINT);
    const r = parseCaseSuite(value, input.cases);
    if (!r.ok) throw new UsageError(r.error, CASES_HINT);
    suite = r.suite;
  }
  const rctx: RunContext = { dialect: "lambda", filters: [] };
  const p = await loadPatterns(ctx, input, suite, rctx);
  const built = p.compile(p.viewType);
  if (!built.ok) return rejectInvalid(ctx, p, built, format, rctx);
  if (suite === undefined) return runRecordsCommand(ctx, input, p, built.set, format, rctx);

  const set = built.set;
  p.warn(set.warnings);
  const results = suite.cases.map((c) => runCase(set.criteria, c));
  await writeOut(
    ctx,
    renderCases(format, rctx, results, set.warnings, { style: ctx.out.style, summaryOnly: input.summary }),
  );
  return results.every((c) => c.passed) ? 0 : 1;
}
