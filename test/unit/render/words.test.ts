import assert from "node:assert/strict";
import { test } from "node:test";
import { plural } from "../../../src/render/words.js";

test("plural: one, many, and the English endings the messages use", () => {
  assert.equal(plural(1, "record"), "1 record");
  assert.equal(plural(0, "record"), "0 records");
  assert.equal(plural(2, "batch"), "2 batches");
  assert.equal(plural(3, "retry"), "3 retries");
  assert.equal(plural(2, "day"), "2 days");
  assert.equal(plural(1, "batch"), "1 batch");
});
