import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { parseInvokeFlags } from "../../../../src/commands/invoke/options.js";
import { DEFAULT_SETTINGS } from "../../../../src/core/delivery/settings.js";
import { UsageError } from "../../../../src/errors.js";

const NOW = Date.parse("2026-01-01T00:00:00Z");
const usage = (re: RegExp) => (e: unknown) =>
  e instanceof UsageError && re.test(`${e.message} ${e.hint ?? ""}`);

describe("parseInvokeFlags", () => {
  it("defaults are Lambda's; the record flags are tail's", () => {
    const i = parseInvokeFlags(["./h.mjs", "Orders"], { from: "trim-horizon", untilEnd: true }, NOW);
    assert.deepEqual(i.settings, DEFAULT_SETTINGS);
    assert.equal(i.handler, "./h.mjs");
    assert.equal(i.source.target, "Orders");
    assert.equal(i.source.from.kind, "trim-horizon");
    assert.equal(i.source.untilEnd, true);
  });

  it("each setting flag, with its limits, and what it overrides", () => {
    const i = parseInvokeFlags(
      ["./h.mjs"],
      {
        input: "x.ndjson",
        batchSize: "10",
        batchWindow: "5s",
        maxRetryAttempts: "-1",
        maxRecordAge: "1h",
        parallelizationFactor: "3",
        functionTimeout: "30",
        bisectOnError: true,
        reportBatchItemFailures: true,
      },
      NOW,
    );
    assert.equal(i.settings.batchSize, 10);
    assert.equal(i.settings.batchWindowMs, 5000);
    assert.equal(i.settings.maxRetryAttempts, -1);
    assert.equal(i.settings.maxRecordAgeSeconds, 3600);
    assert.equal(i.settings.parallelizationFactor, 3);
    assert.equal(i.settings.functionTimeoutMs, 30_000);
    assert.equal(i.settings.bisectOnError, true);
    assert.equal(i.overrides.batchSize, "--batch-size 10");
    assert.equal(i.overrides.reportBatchItemFailures, "--report-batch-item-failures");
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ batchSize: "10001" }, /--batch-size must be between 1 and 10000/],
      [{ batchWindow: "301" }, /--batch-window must be between 0 and 300 seconds/],
      [{ maxRetryAttempts: "-2" }, /--max-retry-attempts must be between -1 and 10000/],
      [{ maxRecordAge: "30s" }, /--max-record-age must be between 60 and 604800 seconds/],
      [{ parallelizationFactor: "11" }, /between 1 and 10/],
      [{ functionTimeout: "901" }, /--function-timeout must be between 1 and 900/],
      [{ batchSize: "ten" }, /whole number/],
      [{ env: ["NOPE"] }, /expected KEY=VALUE/],
      [{ concurrency: "3" }, /--concurrency is a tail option/],
    ];
    for (const [flags, re] of bad) {
      assert.throws(
        () => parseInvokeFlags(["./h.mjs"], { input: "x", ...flags }, NOW),
        usage(re),
        JSON.stringify(flags),
      );
    }
  });

  it("needs a handler (or --function) and records", () => {
    assert.throws(() => parseInvokeFlags([undefined, undefined], {}, NOW), usage(/missing <handler>/));
    assert.throws(
      () => parseInvokeFlags(["./h.mjs"], {}, NOW),
      usage(/missing <table\|stream-arn> or --input/),
    );
    assert.throws(() => parseInvokeFlags(["./h.mjs", "Orders"], { input: "x" }, NOW), usage(/either/));
  });

  it("--function without a handler: the positional is the stream; local-only flags are refused", () => {
    const i = parseInvokeFlags(["Orders"], { function: "fn" }, NOW);
    assert.equal(i.handler, undefined);
    assert.equal(i.source.target, "Orders");
    assert.throws(
      () => parseInvokeFlags([], { function: "fn", input: "x", env: ["A=1"] }, NOW),
      usage(/--env/),
    );
    assert.throws(
      () => parseInvokeFlags(["./h.mjs"], { input: "x", qualifier: "live" }, NOW),
      usage(/--qualifier needs --function/),
    );
  });

  it("--checkpoint needs --parallelization-factor 1", () => {
    assert.throws(
      () => parseInvokeFlags(["./h.mjs", "Orders"], { checkpoint: "c", parallelizationFactor: "2" }, NOW),
      usage(/not supported yet/),
    );
  });
});
