// End-to-end, offline: Kinesis Lambda events and bare change records of a table's Kinesis destination
// as input to `tail --input` and `filter-test --records` (filtering on `data`, the Kinesis lints),
// and times never read in the wrong unit.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runCli } from "../helpers/cli.js";

const ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/orders-cdc";

function change(
  eventName: string,
  status: string,
  time: number,
  precision?: string,
): Record<string, unknown> {
  return {
    awsRegion: "us-east-1",
    eventID: `id-${eventName}-${status}`,
    eventName,
    userIdentity: null,
    recordFormat: "application/json",
    tableName: "Orders",
    dynamodb: {
      ApproximateCreationDateTime: time,
      Keys: { pk: { S: "o1" } },
      NewImage: { pk: { S: "o1" }, status: { S: status } },
      ...(eventName === "MODIFY" ? { OldImage: { pk: { S: "o1" }, status: { S: "new" } } } : {}),
      SizeBytes: 20,
      ...(precision ? { ApproximateCreationDateTimePrecision: precision } : {}),
    },
    eventSource: "aws:dynamodb",
  };
}

function kinesisEvent(changes: Array<Record<string, unknown>>): string {
  return JSON.stringify({
    Records: changes.map((c, i) => ({
      kinesis: {
        kinesisSchemaVersion: "1.0",
        partitionKey: "9F86D081884C7D659A2FEAA0C55AD015",
        sequenceNumber: `4965000000000000000000000000000000000000000000000000000${i}`,
        data: Buffer.from(JSON.stringify(c)).toString("base64"),
        approximateArrivalTimestamp: 1764717833.25,
      },
      eventSource: "aws:kinesis",
      eventVersion: "1.0",
      eventID: `shardId-000000000003:4965000000000000000000000000000000000000000000000000000${i}`,
      eventName: "aws:kinesis:record",
      awsRegion: "us-east-1",
      eventSourceARN: ARN,
    })),
  });
}

const EVENT = kinesisEvent([
  change("INSERT", "new", 1764717833012995, "MICROSECOND"),
  change("MODIFY", "paid", 1764717834012),
]);

describe("Kinesis input", () => {
  test("tail --input renders a Kinesis Lambda event: table, microseconds, Kinesis shard and sequence", async () => {
    const r = await runCli(["tail", "--input", "-", "--json"], { input: EVENT });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 2);
    assert.equal(lines[0]?.source, "kinesis");
    assert.equal(lines[0]?.table, "Orders");
    assert.equal(lines[0]?.streamArn, ARN);
    assert.equal(lines[0]?.shardId, "shardId-000000000003");
    assert.equal(lines[0]?.approximateCreationDateTime, "2025-12-02T23:23:53.012995Z");
    assert.equal(
      lines[1]?.approximateCreationDateTime,
      "2025-12-02T23:23:54.012Z",
      "13 digits: milliseconds",
    );
    assert.deepEqual(lines[1]?.changes, [{ path: ["status"], kind: "changed", old: "new", new: "paid" }]);
    const again = await runCli(["tail", "--input", "-", "--json"], { input: r.stdout });
    assert.equal(again.stdout, r.stdout, "tail's Kinesis lines render back byte for byte");
  });

  test("bare change records, one per line; a time of the wrong length is exit 2 naming the line", async () => {
    const good = `${JSON.stringify(change("INSERT", "new", 1764717833))}\n`;
    const r = await runCli(["tail", "--input", "-", "--json"], { input: good });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /"approximateCreationDateTime":"2025-12-02T23:23:53\.000Z"/);
    const bad = `${good}${JSON.stringify(change("INSERT", "new", 176471783301))}\n`;
    const b = await runCli(["tail", "--input", "-", "--json"], { input: bad });
    assert.equal(b.code, 2);
    assert.match(
      b.stderr,
      /^error: --input \(stdin\): line 2: dynamodb\.ApproximateCreationDateTime 176471783301 has 12 digits/m,
    );
    assert.equal(b.stdout.trim().split("\n").length, 1, "the line before is written");
  });

  test("filter-test --records of Kinesis events filters on data; top-level dynamodb gets the Kinesis lint", async () => {
    const ok = await runCli(
      [
        "filter-test",
        "--pattern",
        '{"data":{"eventName":["MODIFY"],"dynamodb":{"NewImage":{"status":{"S":["paid"]}}}}}',
        "--records",
        "-",
      ],
      { input: EVENT },
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /1 matched, 1 filtered out/);
    assert.doesNotMatch(ok.stderr, /warning/);

    const wrong = await runCli(
      ["filter-test", "--pattern", '{"dynamodb":{"NewImage":{"status":{"S":["paid"]}}}}', "--records", "-"],
      { input: EVENT },
    );
    assert.equal(wrong.code, 1, wrong.stderr);
    assert.match(
      wrong.stderr,
      /warning: .*Kinesis event source mappings filter only on the "data" key .*\{"data":\{"dynamodb":\{…\}\}\}/,
    );
    assert.match(wrong.stdout, /0 matched, 2 filtered out/);
  });
});
