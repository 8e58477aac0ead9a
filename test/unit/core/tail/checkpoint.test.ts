import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import {
  CheckpointState,
  mergeCheckpoint,
  parseCheckpoint,
  serializeCheckpoint,
} from "../../../../src/core/tail/checkpoint.js";

const ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2026-01-01T00:00:00.000";

describe("checkpoint parse and validation", () => {
  it("round-trips through serialize", () => {
    const s = CheckpointState.create(ARN, Date.parse("2026-01-01T00:00:00Z"), 0);
    s.advance("shardId-1", "000000000000000000042");
    s.markDone("shardId-2");
    const text = serializeCheckpoint(s.take(Date.parse("2026-01-02T00:00:00Z")));
    const p = parseCheckpoint(text, ARN);
    assert.ok(p.ok && "data" in p);
    assert.deepEqual(p.data.shards, {
      "shardId-1": { sequenceNumber: "000000000000000000042" },
      "shardId-2": { done: true },
    });
    assert.equal(p.data.skipBefore, "2026-01-01T00:00:00.000Z");
    assert.equal(p.data.updatedAt, "2026-01-02T00:00:00.000Z");
  });

  it("an empty file counts as no checkpoint yet", () => {
    assert.deepEqual(parseCheckpoint("  \n"), { ok: true, empty: true });
  });

  it("rejects garbage with a reason", () => {
    const bad = [
      ["{not json", /not JSON/],
      ["[1]", /expected a JSON object/],
      ['{"version":2,"streamArn":"x","shards":{}}', /version 2/],
      ['{"version":1,"shards":{}}', /no streamArn/],
      [`{"version":1,"streamArn":"${ARN}","shards":[]}`, /shards must be an object/],
      [`{"version":1,"streamArn":"${ARN}","shards":{"s":{"sequenceNumber":42}}}`, /digits/],
      [`{"version":1,"streamArn":"${ARN}","shards":{"s":{"sequenceNumber":"12a"}}}`, /digits/],
      [`{"version":1,"streamArn":"${ARN}","shards":{"s":{"done":"yes"}}}`, /boolean/],
      [`{"version":1,"streamArn":"${ARN}","skipBefore":"soon","shards":{}}`, /skipBefore/],
    ] as const;
    for (const [text, re] of bad) {
      const p = parseCheckpoint(text, ARN);
      assert.equal(p.ok, false, text);
      if (!p.ok) assert.match(p.error, re, text);
    }
  });

  it("a checkpoint of another stream is an error naming that stream", () => {
    const other = ARN.replace("2026-01-01", "2026-02-02");
    const p = parseCheckpoint(`{"version":1,"streamArn":"${other}","shards":{}}`, ARN);
    assert.equal(p.ok, false);
    if (!p.ok) {
      assert.equal(p.wrongStream, other);
      assert.match(p.error, /is for stream/);
    }
  });
});

describe("checkpoint bookkeeping and merge", () => {
  it("advance never moves backwards (BigInt order, mixed lengths)", () => {
    const s = CheckpointState.create(ARN, undefined, 0);
    s.advance("a", "100000000000000000009");
    s.advance("a", "99999999999999999999"); // shorter, smaller
    assert.equal(s.shards.a?.sequenceNumber, "100000000000000000009");
    s.advance("a", "1000000000000000000000000"); // longer, larger
    assert.equal(s.shards.a?.sequenceNumber, "1000000000000000000000000");
  });

  it("dirty tracks unsaved changes", () => {
    const s = CheckpointState.create(ARN, undefined, 0);
    assert.equal(s.dirty, false);
    s.advance("a", "5");
    assert.equal(s.dirty, true);
    s.take(1);
    assert.equal(s.dirty, false);
    s.advance("a", "5");
    assert.equal(s.dirty, false, "same position is no change");
    s.markDone("a");
    assert.equal(s.dirty, true);
  });

  it("start positions: AFTER the saved sequence number; done shards listed separately", () => {
    const s = CheckpointState.create(ARN, undefined, 0);
    s.advance("a", "7");
    s.advance("b", "8");
    s.markDone("b");
    s.markDone("c");
    const { explicit, done } = s.startPositions();
    assert.deepEqual([...explicit], [["a", { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: "7" }]]);
    assert.deepEqual([...done].sort(), ["b", "c"]);
  });

  it("prune drops finished shards the stream no longer lists, keeps the rest", () => {
    const s = CheckpointState.create(ARN, undefined, 0);
    s.advance("gone-but-reading", "1");
    s.markDone("gone");
    s.markDone("listed");
    s.take(0);
    s.prune(new Set(["listed"]));
    assert.deepEqual(Object.keys(s.shards).sort(), ["gone-but-reading", "listed"]);
    assert.equal(s.dirty, true);
  });

  it("merge keeps the later sequence number per shard and done from either side", () => {
    const base = {
      version: 1 as const,
      streamArn: ARN,
      skipBefore: null,
      updatedAt: "2026-01-01T00:00:00.000Z",
      shards: { a: { sequenceNumber: "20" }, b: { sequenceNumber: "5" }, c: { done: true } },
    };
    const other = {
      ...base,
      updatedAt: "2026-01-01T00:00:01.000Z",
      shards: { a: { sequenceNumber: "9" }, b: { sequenceNumber: "100" }, d: { sequenceNumber: "1" }, c: {} },
    };
    const m = mergeCheckpoint(base, other);
    assert.deepEqual(m.shards, {
      a: { sequenceNumber: "20" },
      b: { sequenceNumber: "100" },
      c: { done: true },
      d: { sequenceNumber: "1" },
    });
    assert.equal(m.updatedAt, "2026-01-01T00:00:01.000Z");
  });
});
