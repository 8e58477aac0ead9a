/** Stream ARNs, table names, Kinesis stream ARNs and S3 bucket ARNs: parsing and validation, no I/O. */
export interface StreamArnParts {
  partition: string;
  region: string;
  account: string;
  tableName: string;
  label: string;
}

const STREAM_ARN =
  /^arn:(?<partition>aws[a-z-]*):dynamodb:(?<region>[a-z0-9-]+):(?<account>\d{12}):table\/(?<tableName>[A-Za-z0-9_.-]{3,255})\/stream\/(?<label>.+)$/;

/** Parses a DynamoDB stream ARN; undefined when malformed. */
export function parseStreamArn(arn: string): StreamArnParts | undefined {
  return groupsOf(STREAM_ARN, arn) as StreamArnParts | undefined;
}

/** The named groups of a whole-text match, as a plain object (in the groups' order), or undefined. */
function groupsOf(re: RegExp, text: string): Record<string, string> | undefined {
  const groups = re.exec(text)?.groups;
  return groups ? { ...groups } : undefined;
}

/** True when the text looks like an ARN at all (so a malformed ARN is reported as such, not as a table). */
export function looksLikeArn(text: string): boolean {
  return text.startsWith("arn:");
}

/** The hint shown with an invalid table name. */
export const TABLE_NAME_HINT =
  "table names are 3 to 255 characters of letters, digits, '_', '-' and '.', or pass a stream ARN";

/** DynamoDB table names: 3-255 characters of a-z, A-Z, 0-9, `_`, `-`, `.`. */
export function isValidTableName(name: string): boolean {
  return /^[A-Za-z0-9_.-]{3,255}$/.test(name);
}

/** The label (last part) of a stream ARN, or the ARN itself when it has no `/stream/`. */
export function streamLabelOf(arn: string): string {
  const i = arn.lastIndexOf("/stream/");
  return i < 0 ? arn : arn.slice(i + 8);
}

/** The function name of a Lambda function ARN (`…:function:name[:qualifier]`), or the text itself. */
export function functionNameOf(functionArn: string): string {
  const parts = functionArn.split(":");
  const i = parts.indexOf("function");
  return i >= 0 && parts[i + 1] ? (parts[i + 1] as string) : functionArn;
}

/** A Kinesis data stream ARN's parts. */
export interface KinesisStreamArnParts {
  partition: string;
  region: string;
  account: string;
  streamName: string;
}

const KINESIS_STREAM_ARN =
  /^arn:(?<partition>aws[a-z-]*):kinesis:(?<region>[a-z0-9-]+):(?<account>\d{12}):stream\/(?<streamName>[A-Za-z0-9_.-]{1,128})$/;

/** Parses a Kinesis data stream ARN (`arn:aws:kinesis:<region>:<account>:stream/<name>`); undefined when malformed. */
export function parseKinesisStreamArn(arn: string): KinesisStreamArnParts | undefined {
  return groupsOf(KINESIS_STREAM_ARN, arn) as KinesisStreamArnParts | undefined;
}

/** True when the text is meant as a Kinesis ARN (so it is parsed as one, and reported as malformed if not). */
export function looksLikeKinesisArn(text: string): boolean {
  return /^arn:[^:]*:kinesis:/.test(text);
}

/** Kinesis stream names: 1-128 characters of a-z, A-Z, 0-9, `_`, `-`, `.`. */
export function isValidKinesisStreamName(name: string): boolean {
  return /^[A-Za-z0-9_.-]{1,128}$/.test(name);
}

/** The hint shown with an invalid Kinesis stream name or ARN. */
export const KINESIS_STREAM_HINT =
  "pass a Kinesis stream name (1 to 128 characters of letters, digits, '_', '-' and '.') or its ARN (arn:aws:kinesis:<region>:<account>:stream/<name>)";

/** A bucket and a key prefix. */
export interface S3Location {
  bucket: string;
  prefix: string;
}

/** The bucket of an S3 bucket ARN (`arn:aws:s3:::bucket`), or undefined. */
export function bucketOfArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$/.exec(arn)?.[1];
}
