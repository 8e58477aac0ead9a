import assert from "node:assert/strict";
import { test } from "node:test";
import { isValidTableName, looksLikeArn, parseStreamArn, streamLabelOf } from "../../../src/core/arn.js";
import { compareSequence, isSequenceNumber } from "../../../src/core/sequence.js";
import { parseViewType } from "../../../src/core/view-type.js";

test("parseStreamArn splits a real stream ARN", () => {
  const p = parseStreamArn(
    "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/stream/2026-01-01T00:00:00.000",
  );
  assert.deepEqual(p, {
    partition: "aws",
    region: "eu-west-1",
    account: "123456789012",
    tableName: "Orders",
    label: "2026-01-01T00:00:00.000",
  });
  assert.equal(
    parseStreamArn("arn:aws-cn:dynamodb:cn-north-1:123456789012:table/T.x-1/stream/L")?.partition,
    "aws-cn",
  );
  assert.equal(
    parseStreamArn("arn:aws:dynamodb:ddblocal:000000000000:table/Orders/stream/x")?.region,
    "ddblocal",
  );
});

test("parseStreamArn rejects malformed ARNs", () => {
  for (const bad of [
    "arn:bad",
    "arn:aws:dynamodb:us-east-1:123456789012:table/Orders",
    "arn:aws:s3:us-east-1:123456789012:table/Orders/stream/x",
    "arn:aws:dynamodb:us-east-1:12345:table/Orders/stream/x",
    "arn:aws:dynamodb:us-east-1:123456789012:table/O/stream/x",
  ]) {
    assert.equal(parseStreamArn(bad), undefined, bad);
  }
  assert.ok(looksLikeArn("arn:bad"));
  assert.ok(!looksLikeArn("Orders"));
});

test("table names follow DynamoDB's rules", () => {
  assert.ok(isValidTableName("Orders"));
  assert.ok(isValidTableName("a.b-c_d"));
  assert.ok(!isValidTableName("ab"));
  assert.ok(!isValidTableName("has space"));
  assert.ok(!isValidTableName("x".repeat(256)));
  assert.equal(streamLabelOf("arn:aws:dynamodb:r:1:table/T/stream/LBL"), "LBL");
});

test("view types accept every documented spelling, case-insensitively", () => {
  assert.equal(parseViewType("KEYS_ONLY"), "KEYS_ONLY");
  assert.equal(parseViewType("keys-only"), "KEYS_ONLY");
  assert.equal(parseViewType("New"), "NEW_IMAGE");
  assert.equal(parseViewType("old"), "OLD_IMAGE");
  assert.equal(parseViewType("new-and-old"), "NEW_AND_OLD_IMAGES");
  assert.equal(parseViewType("new_and_old_images"), "NEW_AND_OLD_IMAGES");
  assert.equal(parseViewType("bogus"), undefined);
});

test("sequence numbers compare as BigInt, not as strings", () => {
  assert.equal(compareSequence("9", "10"), -1);
  assert.equal(compareSequence("000000000000000000003", "13021600000000001596893679"), -1);
  assert.equal(compareSequence("700000000000888747038", "700000000000888747038"), 0);
  assert.equal(compareSequence("99999999999999999999999999999999999999", "100"), 1);
  assert.ok(isSequenceNumber("000000000000000000001"));
  assert.ok(!isSequenceNumber("12a"));
});
