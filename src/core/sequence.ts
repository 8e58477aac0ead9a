/**
 * Sequence numbers are decimal strings whose lengths differ between shards and services (DynamoDB
 * Streams: 21 to 40 digits; Kinesis: up to 129, pattern `0|([1-9]\d{0,128})`,
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_Record.html): compare them as BigInt,
 * never as strings.
 */
export function compareSequence(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** True for a syntactically valid sequence number (digits only, 1 to 129 of them: Kinesis's longest). */
export function isSequenceNumber(s: string): boolean {
  return /^\d{1,129}$/.test(s);
}
