import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { SeenEvents } from "../../../../src/core/tail/dedupe.js";

describe("SeenEvents", () => {
  it("says whether an event id was seen, within a bounded window of the most recent ids", () => {
    const s = new SeenEvents(3);
    assert.equal(s.check("a"), false);
    assert.equal(s.check("a"), true);
    assert.equal(s.check("b"), false);
    assert.equal(s.check("c"), false);
    assert.equal(s.check("d"), false, "the window is full: the oldest (a) is forgotten");
    assert.equal(s.size, 3);
    assert.equal(s.check("a"), false);
    assert.equal(s.check("d"), true);
  });
});
