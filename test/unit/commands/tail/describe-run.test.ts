import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { describeRun } from "../../../../src/commands/tail/checkpoint.js";
import { parseTailFlags } from "../../../../src/commands/tail/options.js";

const NOW = Date.parse("2026-01-31T12:00:00Z");

function first(flags: Record<string, unknown>): string {
  return describeRun(parseTailFlags("Orders", flags, NOW), false);
}

describe("tail's first line: where the run starts and how it ends", () => {
  it("an unbounded run stops at Ctrl-C", () => {
    assert.equal(first({}), "from LATEST — Ctrl-C to stop");
  });

  it("a run bounded by a time ends then, or sooner at Ctrl-C", () => {
    assert.equal(
      first({ from: "trim-horizon", until: "2026-01-31T13:00:00Z" }),
      "from TRIM_HORIZON until 2026-01-31T13:00:00.000Z — Ctrl-C to stop sooner",
    );
  });

  it("runs that end by themselves say nothing of Ctrl-C", () => {
    assert.equal(first({ from: "trim-horizon", untilEnd: true }), "from TRIM_HORIZON until caught up");
    assert.equal(first({ count: "5" }), "from LATEST");
  });
});
