// The factories of stream records for tests: a record in the Lambda shape, and one as the SDK returns
// it from GetRecords, with what a test needs changed (`data`: fields of its `dynamodb` part; `over`:
// top-level fields).
import type { _Record } from "@aws-sdk/client-dynamodb-streams";

export const ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024-01-01T00:00:00.000";

/** The top-level fields both shapes share. */
const ENVELOPE = {
  eventID: "e1",
  eventName: "MODIFY",
  eventVersion: "1.1",
  eventSource: "aws:dynamodb",
  awsRegion: "us-east-1",
} as const;

/** A record in the Lambda shape (as in the DynamoDB Streams guide). */
export function lambdaRecord(
  over: Record<string, unknown> = {},
  data: Record<string, unknown> = {},
): { [field: string]: unknown; dynamodb: Record<string, unknown> } {
  return {
    ...ENVELOPE,
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

/** A MODIFY record as the SDK returns it (a Date for the creation time; `data` fills `dynamodb`). */
export function sdkRecord(data: NonNullable<_Record["dynamodb"]>, over: Partial<_Record> = {}): _Record {
  return {
    ...ENVELOPE,
    dynamodb: {
      ApproximateCreationDateTime: new Date("2024-01-01T12:00:05.000Z"),
      ...data,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    },
    ...over,
  };
}
