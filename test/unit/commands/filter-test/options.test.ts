// filter-test's flags: parsed and validated into a typed input.
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { parseFilterTestFlags } from "../../../../src/commands/filter-test/options.js";
import { UsageError } from "../../../../src/errors.js";

describe("parseFilterTestFlags", () => {
  const P = ['{"eventName":["INSERT"]}'];
  it("defaults", () => {
    const i = parseFilterTestFlags({ pattern: P, records: "r.json" });
    assert.equal(i.dialect, undefined);
    assert.equal(i.limit, 100);
    assert.equal(i.explain, undefined);
    assert.equal(i.summary, false);
  });
  it("parses dialect, view type, limit, expect, explain", () => {
    const i = parseFilterTestFlags({
      pattern: P,
      fromStream: "Orders",
      limit: "25",
      dialect: "EventBridge",
      viewType: "keys-only",
      expect: "no-match",
      explain: false,
    });
    assert.deepEqual(
      [i.dialect, i.limit, i.viewType, i.expect, i.explain],
      ["eventbridge", 25, "KEYS_ONLY", "no-match", false],
    );
  });
  it("rejects conflicting or bad flags (exit 2)", () => {
    const bad: Record<string, unknown>[] = [
      {},
      { records: "r" },
      { pattern: [""] },
      { function: "f", pattern: P },
      { table: "T", pattern: P },
      { pattern: P, dialect: "sqs" },
      { pattern: P, records: "r", fromStream: "T" },
      { cases: "c.json", records: "r" },
      { pattern: P, limit: "5", records: "r" },
      { pattern: P, fromStream: "T", limit: "0" },
      { pattern: P, fromStream: "T", limit: "10001" },
      { pattern: P, fromStream: "T", limit: "2x" },
      { pattern: P, records: "r", viewType: "ALL" },
      { pattern: P, records: "r", expect: "yes" },
      { pattern: P, expect: "match" },
      { cases: "c.json", expect: "match" },
    ];
    for (const f of bad) assert.throws(() => parseFilterTestFlags(f), UsageError, JSON.stringify(f));
  });
  it("a case suite alone is enough", () => {
    assert.equal(parseFilterTestFlags({ cases: "c.json" }).cases, "c.json");
  });
});
