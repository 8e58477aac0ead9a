import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { mappingFilter } from "../../../../src/core/dlq/filter.js";
import type { StreamRecord } from "../../../../src/core/record.js";
import { ARN, lambdaRecord } from "../../../helpers/records.js";

describe("mappingFilter", () => {
  it("none without criteria; the records Lambda would deliver with them", () => {
    assert.equal(mappingFilter(undefined, "m"), undefined);
    assert.equal(mappingFilter([], "m"), undefined);
    const f = mappingFilter([{ Pattern: '{"dynamodb":{"NewImage":{"status":{"S":["shipped"]}}}}' }], "m");
    assert.ok(typeof f === "function");
    assert.equal(f(lambdaRecord() as unknown as StreamRecord, ARN), true);
    const pending = lambdaRecord({}, { NewImage: { pk: { S: "x" }, status: { S: "pending" } } });
    assert.equal(f(pending as unknown as StreamRecord, ARN), false);
  });
  it("criteria that do not compile give the reason", () => {
    assert.equal(typeof mappingFilter([{ Pattern: "{not json" }], "mapping u"), "string");
  });
});
