// interpretResponse against the success and failure conditions of
// https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { interpretResponse } from "../../../../src/core/delivery/response.js";

const batch = [
  { sequenceNumber: "900000000000000000001", eventID: "a1" },
  { sequenceNumber: "1000000000000000000002", eventID: "a2" },
  { sequenceNumber: "1000000000000000000003", eventID: "a3" },
];

describe("interpretResponse (ReportBatchItemFailures on)", () => {
  const table: Array<[string, unknown, string]> = [
    ["null response", null, "success"],
    ["no response (undefined)", undefined, "success"],
    ["empty response", {}, "success"],
    ["null list", { batchItemFailures: null }, "success"],
    ["empty list", { batchItemFailures: [] }, "success"],
    ["empty-string identifier", { batchItemFailures: [{ itemIdentifier: "" }] }, "failure"],
    ["null identifier", { batchItemFailures: [{ itemIdentifier: null }] }, "failure"],
    ["wrong key name", { batchItemFailures: [{ ItemIdentifier: "1000000000000000000002" }] }, "failure"],
    ["identifier not in the batch", { batchItemFailures: [{ itemIdentifier: "5" }] }, "failure"],
    ["eventID instead of SequenceNumber", { batchItemFailures: [{ itemIdentifier: "a2" }] }, "failure"],
    ["list that is not a list", { batchItemFailures: { itemIdentifier: "a2" } }, "failure"],
    ["number identifier", { batchItemFailures: [{ itemIdentifier: 5 }] }, "failure"],
    [
      "one valid identifier",
      { batchItemFailures: [{ itemIdentifier: "1000000000000000000003" }] },
      "partial",
    ],
  ];
  for (const [name, response, expected] of table) {
    it(`${name} → ${expected}`, () => {
      assert.equal(interpretResponse(response, batch, true).result, expected);
    });
  }

  it("the lowest sequence number wins, compared as numbers (lengths differ)", () => {
    const v = interpretResponse(
      {
        batchItemFailures: [
          { itemIdentifier: "1000000000000000000003" },
          { itemIdentifier: "900000000000000000001" },
        ],
      },
      batch,
      true,
    );
    assert.equal(v.result, "partial");
    assert.ok(v.result === "partial");
    assert.equal(v.from, 0);
  });

  it("one invalid identifier among valid ones fails the whole batch", () => {
    const v = interpretResponse(
      { batchItemFailures: [{ itemIdentifier: "1000000000000000000003" }, { itemIdentifier: "" }] },
      batch,
      true,
    );
    assert.equal(v.result, "failure");
  });

  it("names the eventID mistake", () => {
    const v = interpretResponse({ batchItemFailures: [{ itemIdentifier: "a3" }] }, batch, true);
    assert.equal(v.diagnostics[0]?.code, "identifier-is-event-id");
  });

  it("a response that is not an object is a success, with a warning", () => {
    const v = interpretResponse("ok", batch, true);
    assert.equal(v.result, "success");
    assert.equal(v.diagnostics[0]?.code, "response-not-an-object");
  });
});

describe("interpretResponse (ReportBatchItemFailures off)", () => {
  it("any response is a success; batchItemFailures are ignored with a warning", () => {
    const v = interpretResponse({ batchItemFailures: [{ itemIdentifier: "a1" }] }, batch, false);
    assert.equal(v.result, "success");
    assert.equal(v.diagnostics[0]?.code, "failures-ignored");
    assert.deepEqual(interpretResponse({ batchItemFailures: [] }, batch, false).diagnostics, []);
  });
});
