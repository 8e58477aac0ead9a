/** Large NDJSON inputs for the tests of the readers on worker threads (tail --input, filter-test --records). */
import assert from "node:assert/strict";

/** The stream of the records of {@link streamRecord}. */
export const INPUT_STREAM_ARN =
  "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024-01-01T00:00:00.000";

/**
 * Record `i` in the Lambda shape: an INSERT, MODIFY or REMOVE (by i modulo 3) of item `order-<i>`,
 * with the images `image(i, old)` its event has.
 */
export function streamRecord(
  i: number,
  image: (i: number, old: boolean) => Record<string, unknown>,
): Record<string, unknown> {
  const kind = i % 3;
  return {
    eventID: `e${i}`,
    eventName: kind === 0 ? "INSERT" : kind === 1 ? "MODIFY" : "REMOVE",
    eventSource: "aws:dynamodb",
    awsRegion: "us-east-1",
    dynamodb: {
      ApproximateCreationDateTime: 1704110400 + (i % 86400),
      Keys: { pk: { S: `order-${i}` } },
      ...(kind !== 2 ? { NewImage: image(i, false) } : {}),
      ...(kind !== 0 ? { OldImage: image(i, true) } : {}),
      SequenceNumber: String(100000000000000000000n + BigInt(i)),
      SizeBytes: 100,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    },
    eventSourceARN: INPUT_STREAM_ARN,
  };
}

/** The files' size: past the 8 MiB from which the readers use threads. */
export const LARGE_INPUT_BYTES = 8 * 1024 * 1024 + 512 * 1024;

/**
 * `line(i)` for i = 0, 1, … until {@link LARGE_INPUT_BYTES}, every 97th line blank (`blank`), each
 * ended by LF (`crlf`: CR LF), after a byte-order mark (`bom`); line `at[0]` is replaced by `at[1]`,
 * which must be deep in the file (1,000 lines before its end).
 */
export function largeNdjson(
  line: (i: number) => string,
  opts: { bom?: boolean; crlf?: boolean; at?: [number, string | Buffer]; blank?: string } = {},
): Buffer {
  const parts: Buffer[] = [];
  let size = 0;
  if (opts.bom) parts.push(Buffer.from([0xef, 0xbb, 0xbf]));
  for (let i = 0; size < LARGE_INPUT_BYTES; i++) {
    const text = opts.at && opts.at[0] === i ? opts.at[1] : i % 97 === 0 ? (opts.blank ?? "   ") : line(i);
    const b = Buffer.concat([
      typeof text === "string" ? Buffer.from(text) : text,
      Buffer.from(opts.crlf ? "\r\n" : "\n"),
    ]);
    parts.push(b);
    size += b.length;
  }
  if (opts.at)
    assert.ok(
      opts.at[0] < parts.length - 1000,
      `line ${opts.at[0]} is not deep in a file of ${parts.length}`,
    );
  return Buffer.concat(parts);
}
