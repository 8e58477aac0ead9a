/**
 * Permissions, pure: the IAM action each of doctor's probes needs, the commands that need it, and the
 * fix for a denial (the action and the resource to allow it on).
 */

/** Each permission probe: the IAM action it needs and the commands that need it. */
export const PERMISSION_PROBES = {
  "dynamodb:DescribeTable": "every command given a table name",
  "dynamodb:ListStreams": "describe, lag --all-streams",
  "dynamodb:DescribeStream": "describe, shards, tail, lag --kcl-table, filter-test --from-stream",
  "dynamodb:GetShardIterator": "tail, filter-test --from-stream, lag --kcl-table",
  "dynamodb:GetRecords": "tail, filter-test --from-stream, lag --kcl-table",
  "lambda:ListEventSourceMappings": "describe (consumers), disable, lag, filter-test --function",
  "cloudwatch:GetMetricData": "lag",
  "dynamodb:DescribeKinesisStreamingDestination":
    "tail --kinesis, shards --kinesis, enable/disable --kinesis",
  "kinesis:DescribeStreamSummary": "tail --kinesis, shards --kinesis, enable/disable --kinesis",
  "kinesis:ListShards": "tail --kinesis, shards --kinesis, invoke --kinesis, lag --kcl-table",
  "kinesis:GetShardIterator": "tail --kinesis, invoke --kinesis, lag --kcl-table",
  "kinesis:GetRecords": "tail --kinesis, invoke --kinesis, lag --kcl-table",
  "sqs:GetQueueUrl": "describe, lag (on-failure queues), dlq",
  "sqs:GetQueueAttributes": "describe, lag (messages waiting in on-failure queues)",
} as const;
export type PermissionAction = keyof typeof PERMISSION_PROBES;

/** The fix for a denied action: the action and the resource to allow it on. */
export function denialFix(action: PermissionAction, resource: string, principal: string | undefined): string {
  const who = principal ? ` to ${principal}` : "";
  return `allow ${action} on ${resource}${who} (used by ${PERMISSION_PROBES[action]})`;
}

/**
 * The resource an action is granted on, for the fix: the table, its streams, the Kinesis stream or
 * the queue (`arn`: the one probed), or "*" (List/GetMetricData).
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
 */
export function permissionResource(
  action: PermissionAction,
  tableArn: string | undefined,
  arn?: string,
): string {
  if (action.startsWith("kinesis:") || action.startsWith("sqs:")) return arn ?? "*";
  if (!tableArn) return "*";
  if (action === "dynamodb:DescribeTable" || action === "dynamodb:DescribeKinesisStreamingDestination")
    return tableArn;
  if (action.startsWith("dynamodb:")) return action === "dynamodb:ListStreams" ? "*" : `${tableArn}/stream/*`;
  return "*";
}
