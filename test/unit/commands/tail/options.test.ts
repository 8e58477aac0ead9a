import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { parseTailFlags } from "../../../../src/commands/tail/options.js";
import { UsageError } from "../../../../src/errors.js";

const NOW = Date.parse("2026-01-31T12:00:00Z");

function usage(target: string | undefined, flags: Record<string, unknown>, re: RegExp): void {
  assert.throws(
    () => parseTailFlags(target, flags, NOW),
    (e: unknown) => e instanceof UsageError && re.test(e.message),
    JSON.stringify(flags),
  );
}

describe("tail flags → typed input", () => {
  it("defaults: from LATEST, concurrency 32, UTC, unbounded", () => {
    const i = parseTailFlags("Orders", {}, NOW);
    assert.deepEqual(i.from, { kind: "latest" });
    assert.equal(i.fromGiven, false);
    assert.equal(i.concurrency, 32);
    assert.equal(i.tz, "utc");
    assert.equal(i.untilEnd, false);
    assert.equal(i.count, undefined);
  });

  it("parses every bound and option", () => {
    const i = parseTailFlags(
      "Orders",
      {
        from: "2h",
        until: "2026-01-31T11:59:00Z",
        untilEnd: true,
        count: "10",
        idleTimeout: "30s",
        checkpoint: "c.json",
        concurrency: "4",
        full: true,
        localTime: true,
        filter: ['{"eventName":["INSERT"]}'],
      },
      NOW,
    );
    assert.deepEqual(i.from, { kind: "time", ms: NOW - 7_200_000, text: "2h" });
    assert.equal(i.untilMs, Date.parse("2026-01-31T11:59:00Z"));
    assert.equal(i.count, 10);
    assert.equal(i.idleTimeoutMs, 30_000);
    assert.equal(i.concurrency, 4);
    assert.equal(i.tz, "local");
    assert.deepEqual(i.filters, ['{"eventName":["INSERT"]}']);
  });

  it("--after-sequence / --at-sequence need exactly one --shard", () => {
    const i = parseTailFlags("Orders", { afterSequence: "000000000000000000042", shard: ["s-1"] }, NOW);
    assert.deepEqual(i.sequence, { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: "000000000000000000042" });
    assert.deepEqual(i.shards, ["s-1"]);
    const j = parseTailFlags("Orders", { atSequence: "7", shard: ["s-1", "s-1"] }, NOW);
    assert.deepEqual(j.sequence, { type: "AT_SEQUENCE_NUMBER", sequenceNumber: "7" });
    usage("Orders", { afterSequence: "42" }, /exactly one --shard/);
    usage("Orders", { afterSequence: "42", shard: ["a", "b"] }, /exactly one --shard/);
    usage("Orders", { afterSequence: "4x2", shard: ["a"] }, /digits/);
    usage("Orders", { afterSequence: "1", atSequence: "2", shard: ["a"] }, /conflict/);
    usage("Orders", { afterSequence: "1", shard: ["a"], from: "latest" }, /conflicts with --from/);
    usage("Orders", { afterSequence: "1", shard: ["a"], checkpoint: "f" }, /conflicts with --checkpoint/);
  });

  it("rejects bad values with exit-2 errors", () => {
    usage("Orders", { from: "yesterday" }, /invalid --from/);
    usage("Orders", { from: "2099-01-01T00:00:00Z" }, /in the future/);
    usage("Orders", { until: "soonish" }, /invalid --until/);
    usage("Orders", { from: "1h", until: "2h" }, /not after --from/);
    usage("Orders", { count: "0" }, /at least 1/);
    usage("Orders", { count: "-3" }, /whole number/);
    usage("Orders", { count: "2.5" }, /whole number/);
    usage("Orders", { idleTimeout: "forever" }, /invalid --idle-timeout/);
    usage("Orders", { idleTimeout: "0s" }, /invalid --idle-timeout/);
    usage("Orders", { concurrency: "0" }, /at least 1/);
    usage("Orders", { concurrency: "5000" }, /at most 1000/);
    usage("Orders", { checkpoint: "" }, /file path/);
    usage("Orders", { shard: [" "] }, /shard id/);
    usage(undefined, {}, /missing <table\|stream-arn>/);
  });

  it("--input takes no table and no stream-reading flags", () => {
    const i = parseTailFlags(undefined, { input: "-", count: "3", full: true }, NOW);
    assert.equal(i.input, "-");
    assert.equal(i.target, undefined);
    assert.equal(i.count, 3);
    usage("Orders", { input: "x.json" }, /either <table\|stream-arn> or --input/);
    usage(
      undefined,
      { input: "x.json", from: "latest", untilEnd: true },
      /--from, --until-end read a stream/,
    );
    usage(undefined, { input: "x.json", checkpoint: "c" }, /--checkpoint reads a stream/);
  });
});
