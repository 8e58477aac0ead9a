// Factories of on-failure invocation records (what Lambda sends a DynamoDB-stream mapping's on-failure
// destination) and of what carries them: an SNS notification, an SQS message, receive-message output.
// Shapes as documented: https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
// and https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html

/** The documented sample's stream. */
export const DOC_STREAM_ARN =
  "arn:aws:dynamodb:us-east-2:123456789012:table/mytable/stream/2019-11-14T00:04:06.388";

/** The documentation's sample on-failure record, verbatim. */
export const DOC_SAMPLE = {
  requestContext: {
    requestId: "316aa6d0-8154-xmpl-9af7-85d5f4a6bc81",
    functionArn: "arn:aws:lambda:us-east-2:123456789012:function:myfunction",
    condition: "RetryAttemptsExhausted",
    approximateInvokeCount: 1,
  },
  responseContext: {
    statusCode: 200,
    executedVersion: "$LATEST",
    functionError: "Unhandled",
  },
  version: "1.0",
  timestamp: "2019-11-14T00:13:49.717Z",
  DDBStreamBatchInfo: {
    shardId: "shardId-00000001573689847184-864758bb",
    startSequenceNumber: "800000000003126276362",
    endSequenceNumber: "800000000003126276362",
    approximateArrivalOfFirstRecord: "2019-11-14T00:13:19Z",
    approximateArrivalOfLastRecord: "2019-11-14T00:13:19Z",
    batchSize: 1,
    streamArn: DOC_STREAM_ARN,
  },
};

/** An on-failure record for a batch (`batch` overrides DDBStreamBatchInfo fields; `over` top-level ones). */
export function onFailureRecord(
  batch: Record<string, unknown> = {},
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    ...DOC_SAMPLE,
    requestContext: { ...DOC_SAMPLE.requestContext },
    responseContext: { ...DOC_SAMPLE.responseContext },
    DDBStreamBatchInfo: { ...DOC_SAMPLE.DDBStreamBatchInfo, ...batch },
    ...over,
  };
}

/** An SNS notification carrying `message` (its JSON text in `Message`). */
export function snsNotification(message: unknown): Record<string, unknown> {
  return {
    Type: "Notification",
    MessageId: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
    TopicArn: "arn:aws:sns:us-east-2:123456789012:orders-failures",
    Message: JSON.stringify(message),
    Timestamp: "2019-11-14T00:13:50.011Z",
    SignatureVersion: "1",
    Signature: "EXAMPLE",
    SigningCertURL: "https://sns.us-east-2.amazonaws.com/SimpleNotificationService-EXAMPLE.pem",
    UnsubscribeURL: "https://sns.us-east-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=EXAMPLE",
  };
}

/** One message as `aws sqs receive-message` prints it, its body `body` (JSON text of an object). */
export function sqsMessage(
  body: unknown,
  id = "5fea7756-0ea4-451a-a703-a558b933e274",
): Record<string, unknown> {
  return {
    MessageId: id,
    ReceiptHandle: "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
    MD5OfBody: "fafb00f5732ab283681e124bf8747ed1",
    Body: typeof body === "string" ? body : JSON.stringify(body),
  };
}
