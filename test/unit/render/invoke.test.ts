import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { DEFAULT_SETTINGS } from "../../../src/core/delivery/settings.js";
import type { InvocationView } from "../../../src/render/invoke.js";
import {
  handlerLogLine,
  invocationJson,
  invocationLine,
  shortShard,
  summaryLines,
} from "../../../src/render/invoke.js";
import { plainStyle } from "../../../src/render/style.js";

const view: InvocationView = {
  invocation: 3,
  shardId: "shardId-00000001700000000000-0c730edc",
  records: 2,
  firstSequenceNumber: "100",
  lastSequenceNumber: "101",
  attempt: 2,
  origin: "checkpoint",
  durationMs: 12.4,
  cold: false,
  initMs: undefined,
  requestId: "r",
  result: "partial",
  error: undefined,
  failedItems: ["101"],
  next: "checkpoint",
  retryFrom: "101",
};

describe("render/invoke", () => {
  it("an invocation line says shard, records, attempt, time, warmth, result and what comes next", () => {
    assert.equal(
      invocationLine(view, plainStyle),
      "#3 shard 0c730edc · 2 records 100…101 · attempt 2 · 12ms · warm · partial: failed 101 → retry from 101",
    );
    assert.equal(shortShard("shardId-input"), "input");
  });

  it("JSON keeps the fields scripts read", () => {
    const o = invocationJson({
      ...view,
      error: { type: "TypeError", message: "x" },
      result: "error",
      next: "retry",
    });
    assert.equal(o.type, "invoke");
    assert.deepEqual(o.error, { type: "TypeError", message: "x" });
    assert.equal(o.durationMs, 12.4);
  });

  it("handler output is untrusted: control characters are escaped", () => {
    const line = handlerLogLine("#1", "hi \x1b[2J there\x07", plainStyle);
    assert.ok(!line.includes("\x1b"), line);
    assert.ok(!line.includes("\x07"), line);
    assert.match(line, /^#1 │ hi /);
  });

  it("the summary names blocked shards and what Lambda would do", () => {
    const lines = summaryLines({
      stats: {
        invocations: 4,
        delivered: 1,
        filtered: 0,
        discarded: 0,
        discardedBatches: 0,
        retries: 3,
        bisections: 0,
        blockedLanes: 1,
        undelivered: 2,
      },
      settings: DEFAULT_SETTINGS,
      blocked: [["s1", 2]],
      coldStarts: 1,
    });
    assert.match(lines[0] ?? "", /^4 invocations \(1 cold start\): 1 record delivered/);
    assert.match(lines[1] ?? "", /shard s1 is blocked: .*up to 24 h.*holding back 2 records/);
  });
});
