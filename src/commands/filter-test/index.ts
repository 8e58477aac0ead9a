/**
 * `dynastream filter-test`: Lambda event-filter patterns evaluated offline as Lambda does, with
 * explanations and DynamoDB lints; usable as a CI assertion (`--expect`) or test suite (`--cases`).
 * Flags are parsed in ./options, patterns loaded in ./patterns, records run in ./records (evaluated
 * by core/filter-run, read by io/json-input or aws/filter-source, rendered by render/filter-test).
 * Everything but the flags' declaration is loaded lazily, and the AWS SDK only for --function and
 * --from-stream.
 */
import type { CommandSpec } from "../../cli/program.js";
import { collect } from "../../cli/program.js";

export const command: CommandSpec = {
  examples: [
    `dynastream filter-test --pattern '{"eventName":["INSERT"]}' --records event.json`,
    "dynastream filter-test --criteria filters.json --records records.ndjson --json",
    "dynastream filter-test --function order-handler --table Orders --from-stream Orders --limit 50",
    "dynastream tail Orders --from 1h --until-end | dynastream filter-test --criteria filters.json --records -",
    "dynastream filter-test --cases filter-cases.json          a CI test suite: ✓/✗ per case, exit 1 on failure",
  ],
  notes: [
    'Records: a stream record (Lambda or SDK shape), a JSON array, NDJSON, a Lambda event {"Records":[...]},',
    "or tail's NDJSON; they are matched in the shape Lambda delivers them (toLambdaRecord).",
    "Exit codes: 0 at least one record matched (--expect: every record agreed; --cases: every case passed),",
    "1 none matched (or a record disagreed / a case failed), 2 invalid pattern, flags or input,",
    "3 function, mapping, table or stream not found, 4 credentials / access (also KMS-encrypted criteria).",
    'Lambda itself only answers "Invalid filter pattern definition."; the reasons shown are event-ruler\'s.',
  ].join("\n"),
  options: (cmd) =>
    cmd
      .option(
        "--pattern <json|@file>",
        "a filter pattern, or @file holding one (repeatable: ORed like Filters)",
        collect,
      )
      .option(
        "--criteria <file>",
        "a FilterCriteria document (Lambda API, CDK, SAM/CloudFormation JSON, get-event-source-mapping)",
      )
      .option(
        "--function <name>",
        "test the FilterCriteria deployed on this function's DynamoDB event source mapping",
      )
      .option("--table <table>", "with --function: the function's mapping on this table's stream")
      .option(
        "--dialect <dialect>",
        "lambda (default: Lambda event source mappings) or eventbridge (rules, Pipes)",
      )
      .option("--records <file|->", "the records to test: a file, or - for stdin")
      .option("--from-stream <table>", "test records sampled from the table's stream, from TRIM_HORIZON")
      .option("--limit <n>", "with --from-stream: at most this many records (default 100)")
      .option(
        "--view-type <type>",
        "the stream's view type, for the lints (default: the stream's, when known)",
      )
      .option("--explain", "explain every record no filter matched (default with at most 20 records)")
      .option("--no-explain", "never explain")
      .option("--summary", "print only the summary line (JSON: no results array)")
      .option(
        "--expect <match|no-match>",
        "assert that every record matches (or none does); exit 1 naming the others",
      )
      .option("--cases <file>", "run a test-suite file of named cases, each with records and match/no-match"),
  run: async (ctx, _args, opts) => (await import("./run.js")).runFilterTest(ctx, opts),
};
