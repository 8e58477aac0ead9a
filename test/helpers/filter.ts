// Factories for the filter-test unit tests: a Lambda-shaped record, pattern sources, compiled criteria.
import { strict as assert } from "node:assert";
import { buildFilterSet, type PatternSource } from "../../src/core/filter/sources.js";

export const ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024-01-01T00:00:00.000";

/** A record in the Lambda shape (as in the DynamoDB Streams guide). */
export function lambdaRecord(
  over: Record<string, unknown> = {},
  data: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    eventID: "e1",
    eventName: "MODIFY",
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "us-east-1",
    dynamodb: {
      ApproximateCreationDateTime: 1704110405,
      Keys: { pk: { S: "ORDER#1" } },
      NewImage: {
        pk: { S: "ORDER#1" },
        status: { S: "shipped" },
        total: { N: "129.95" },
        tags: { SS: ["a", "b"] },
      },
      OldImage: { pk: { S: "ORDER#1" }, status: { S: "pending" }, total: { N: "129.95" } },
      SequenceNumber: "111",
      SizeBytes: 26,
      StreamViewType: "NEW_AND_OLD_IMAGES",
      ...data,
    },
    eventSourceARN: ARN,
    ...over,
  };
}

export function src(...texts: string[]): PatternSource[] {
  return texts.map((text, i) => ({ text, origin: `--pattern ${i + 1}` }));
}

export function criteriaOf(...texts: string[]) {
  const r = buildFilterSet(src(...texts));
  assert.ok(r.ok, r.ok ? "" : JSON.stringify(r.errors));
  return r.set.criteria;
}
