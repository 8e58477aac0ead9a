// The one factory of stream records for tests: a record in the Lambda shape, with what a test needs
// changed (`over`: top-level fields; `data`: fields of its `dynamodb` part).

export const ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024-01-01T00:00:00.000";

/** A record in the Lambda shape (as in the DynamoDB Streams guide). */
export function lambdaRecord(
  over: Record<string, unknown> = {},
  data: Record<string, unknown> = {},
): { [field: string]: unknown; dynamodb: Record<string, unknown> } {
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
