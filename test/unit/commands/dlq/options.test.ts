import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { parseDlqFlags } from "../../../../src/commands/dlq/options.js";
import { UsageError } from "../../../../src/errors.js";

describe("parseDlqFlags", () => {
  it("one source: a table and/or --function, --queue, --s3 or --input", () => {
    assert.deepEqual(parseDlqFlags("Orders", {}).source, {
      kind: "mappings",
      target: "Orders",
      functionName: undefined,
    });
    assert.deepEqual(parseDlqFlags(undefined, { function: "fn" }).source, {
      kind: "mappings",
      target: undefined,
      functionName: "fn",
    });
    assert.deepEqual(parseDlqFlags(undefined, { queue: "q" }).source, { kind: "queue", queue: "q" });
    assert.deepEqual(parseDlqFlags(undefined, { s3: "s3://b-1/aws/lambda/" }).source, {
      kind: "s3",
      location: { bucket: "b-1", prefix: "aws/lambda/" },
    });
    assert.deepEqual(parseDlqFlags(undefined, { input: "-" }).source, { kind: "input", path: "-" });
  });

  it("--function with another source only keeps that function's failures", () => {
    const i = parseDlqFlags(undefined, { queue: "q", function: "fn" });
    assert.equal(i.onlyFunction, "fn");
    assert.equal(parseDlqFlags("Orders", { function: "fn" }).onlyFunction, undefined);
  });

  it("flags", () => {
    const i = parseDlqFlags(undefined, {
      queue: "q",
      summary: true,
      delete: true,
      yes: true,
      full: true,
      localTime: true,
    });
    assert.deepEqual([i.summary, i.delete, i.yes, i.full, i.tz], [true, true, true, true, "local"]);
  });

  it("--redrive: --handler names a local handler; --function is where every batch goes, not a selection", () => {
    const local = parseDlqFlags(undefined, { queue: "q", redrive: true, handler: "./h.mjs:fn" });
    assert.deepEqual([local.redrive, local.handler, local.functionName], [true, "./h.mjs:fn", undefined]);
    const other = parseDlqFlags(undefined, { input: "-", redrive: true, function: "order-handler-v2" });
    assert.deepEqual([other.functionName, other.onlyFunction], ["order-handler-v2", undefined]);
    const plain = parseDlqFlags(undefined, { queue: "q" });
    assert.deepEqual([plain.redrive, plain.handler], [false, undefined]);
  });

  it("rejects no source, two sources, a bad table, ARN or S3 URL, --delete with --input", () => {
    const bad: Array<[string | undefined, Record<string, unknown>, RegExp]> = [
      [undefined, {}, /needs to know where/],
      [undefined, { queue: "a", s3: "s3://bb/" }, /--queue and --s3 cannot be combined/],
      ["Orders", { input: "x" }, /a table cannot be combined with --input/],
      ["a b", {}, /invalid table name/],
      ["arn:aws:dynamodb:nope", {}, /malformed stream ARN/],
      [undefined, { s3: "bucket/prefix" }, /invalid S3 location/],
      [undefined, { input: "x", delete: true }, /--delete cannot be used with --input/],
      [undefined, { queue: " " }, /--queue needs a value/],
      [undefined, { queue: "q", handler: "./h.mjs" }, /--handler is for --redrive/],
      [undefined, { queue: "q", redrive: true, handler: "" }, /--handler needs a value/],
    ];
    for (const [t, o, re] of bad)
      assert.throws(
        () => parseDlqFlags(t, o),
        (e: Error) => e instanceof UsageError && re.test(e.message),
      );
  });
});
