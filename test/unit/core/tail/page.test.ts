import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import type { StreamRecord } from "../../../../src/core/record.js";
import { cutPage } from "../../../../src/core/tail/page.js";

const T = 1_700_000_000_000;
const rec = (seq: string, ms: number): StreamRecord => ({
  dynamodb: { SequenceNumber: seq, ApproximateCreationDateTime: new Date(ms) },
});
const seqs = (rs: StreamRecord[]) => rs.map((r) => r.dynamodb?.SequenceNumber);

describe("cutPage", () => {
  it("unbounded: shows every record; the last one read is the renewal point", () => {
    const cut = cutPage([rec("1", T), rec("2", T + 5000)], {}, undefined);
    assert.deepEqual(seqs(cut.shown), ["1", "2"]);
    assert.equal(cut.lastSeq, "2");
    assert.equal(cut.pastBound, false);
  });

  it("records before the start are read (the position moves on) but not shown", () => {
    const cut = cutPage([rec("1", T - 1000), rec("2", T), rec("3", T - 5)], {}, T);
    assert.deepEqual(seqs(cut.shown), ["2"]);
    assert.equal(cut.lastSeq, "3");
  });

  it("a record past the snapshot (+1 s slack) ends the page: it and the rest are not read", () => {
    const cut = cutPage([rec("1", T + 1000), rec("2", T + 1001), rec("3", T)], { snapshotMs: T }, undefined);
    assert.deepEqual(seqs(cut.shown), ["1"]);
    assert.equal(cut.lastSeq, "1");
    assert.equal(cut.pastBound, true);
  });

  it("--until has no slack; the earlier bound wins", () => {
    const bounds = { snapshotMs: T, untilMs: T + 500 };
    const cut = cutPage([rec("1", T + 500), rec("2", T + 501)], bounds, undefined);
    assert.deepEqual(seqs(cut.shown), ["1"]);
    assert.equal(cut.pastBound, true);
  });
});
