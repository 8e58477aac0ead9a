import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { onFailureWaitingWarning } from "../../../src/core/lag/lambda.js";

describe("onFailureWaitingWarning", () => {
  const dest = "arn:aws:sqs:us-east-1:123456789012:orders-dlq";
  it("warns while failed batches wait in the queue, naming the command that reads them", () => {
    assert.equal(
      onFailureWaitingWarning({ settings: { onFailureDestination: dest }, onFailureWaiting: 1 }),
      "1 failed batch waits in the on-failure queue orders-dlq: their records leave the stream 24 h after they arrived; read them now: dynastream dlq --queue orders-dlq",
    );
    assert.match(
      onFailureWaitingWarning({ settings: { onFailureDestination: dest }, onFailureWaiting: 3 }) ?? "",
      /^3 failed batches wait in/,
    );
  });
  it("says nothing when none wait, the count is unknown, or there is no destination", () => {
    assert.equal(
      onFailureWaitingWarning({ settings: { onFailureDestination: dest }, onFailureWaiting: 0 }),
      undefined,
    );
    assert.equal(
      onFailureWaitingWarning({ settings: { onFailureDestination: dest }, onFailureWaiting: null }),
      undefined,
    );
    assert.equal(onFailureWaitingWarning({ settings: { onFailureDestination: dest } }), undefined);
    assert.equal(
      onFailureWaitingWarning({ settings: { onFailureDestination: null }, onFailureWaiting: 2 }),
      undefined,
    );
  });
});
