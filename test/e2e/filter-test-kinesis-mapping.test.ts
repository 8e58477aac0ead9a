// End-to-end: `filter-test --function` on a mapping whose source is a Kinesis stream (a table's
// Kinesis destination): the Lambda stand-in holds the mapping (ListEventSourceMappings over the real
// wire protocol); its deployed criteria are tested in the Kinesis record shape (`data`), and a
// pattern that puts `dynamodb` at the top level gets the Kinesis lint with no records given.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { runCli } from "../helpers/cli.js";
import { cliEnv, ddbEndpoint } from "../helpers/ddb.js";
import { type AwsStandin, startAwsStandin } from "../helpers/standins/cloudwatch-server.js";

const KINESIS_ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/orders-cdc";

let aws: AwsStandin;
let env: Record<string, string> = {};
before(async () => {
  aws = await startAwsStandin();
  env = cliEnv(await ddbEndpoint(), { AWS_ENDPOINT_URL_LAMBDA: aws.endpoint });
});
after(async () => {
  await aws.stop();
});

function change(eventName: string, status: string): Record<string, unknown> {
  return {
    awsRegion: "us-east-1",
    eventID: `id-${eventName}-${status}`,
    eventName,
    userIdentity: null,
    recordFormat: "application/json",
    tableName: "Orders",
    dynamodb: {
      ApproximateCreationDateTime: 1764717834012,
      Keys: { pk: { S: "o1" } },
      NewImage: { pk: { S: "o1" }, status: { S: status } },
      SizeBytes: 20,
    },
    eventSource: "aws:dynamodb",
  };
}

/** A Kinesis Lambda event of the destination's change records. */
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
      eventID: `shardId-000000000000:4965000000000000000000000000000000000000000000000000000${i}`,
      eventName: "aws:kinesis:record",
      awsRegion: "us-east-1",
      eventSourceARN: KINESIS_ARN,
    })),
  });
}

function kinesisMapping(fn: string, patterns: string[]): string {
  return aws.addEventSourceMapping({
    EventSourceArn: KINESIS_ARN,
    FunctionArn: aws.lambda.functionArn(fn),
    State: "Enabled",
    FilterCriteria: { Filters: patterns.map((Pattern) => ({ Pattern })) },
  });
}

describe("filter-test --function on a Kinesis-sourced mapping", () => {
  test("the deployed criteria filter the Kinesis record shape (data)", async () => {
    const fn = "kinesis-paid";
    const uuid = kinesisMapping(fn, [
      '{"data":{"eventName":["MODIFY"],"dynamodb":{"NewImage":{"status":{"S":["paid"]}}}}}',
    ]);
    const r = await runCli(["filter-test", "--function", fn, "--records", "-", "--json"], {
      env,
      input: kinesisEvent([change("INSERT", "new"), change("MODIFY", "paid"), change("MODIFY", "new")]),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `testing the filter of mapping ${uuid} \\(${fn} on ${KINESIS_ARN.replace(/[/.]/g, "\\$&")}, Enabled\\)`,
      ),
    );
    assert.doesNotMatch(r.stderr, /warning/);
    const j = JSON.parse(r.stdout) as {
      matched: number;
      mapping?: { streamArn: string; table: string | null };
    };
    assert.equal(j.matched, 1, r.stdout);
    assert.equal(j.mapping?.streamArn, KINESIS_ARN);
    assert.equal(j.mapping?.table, null);
  });

  test("a deployed pattern with dynamodb at the top level gets the Kinesis lint, without records", async () => {
    const fn = "kinesis-wrong";
    kinesisMapping(fn, ['{"dynamodb":{"NewImage":{"status":{"S":["paid"]}}}}']);
    const r = await runCli(["filter-test", "--function", fn], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /warning: .*Kinesis event source mappings filter only on the "data" key .*\{"data":\{"dynamodb":\{…\}\}\}/,
    );
    // The same pattern delivers nothing of a Kinesis event.
    const none = await runCli(["filter-test", "--function", fn, "--records", "-"], {
      env,
      input: kinesisEvent([change("MODIFY", "paid")]),
    });
    assert.equal(none.code, 1, none.stderr);
    assert.match(none.stdout, /0 matched, 1 filtered out/);
  });

  test("--from-stream with a Kinesis-sourced mapping is a usage error naming tail; --table <kinesis-arn> picks the mapping", async () => {
    const fn = "kinesis-both";
    kinesisMapping(fn, ['{"data":{"eventName":["INSERT"]}}']);
    aws.addEventSourceMapping({
      EventSourceArn: "arn:aws:dynamodb:us-east-1:000000000000:table/Orders/stream/2026-01-01T00:00:00.000",
      FunctionArn: aws.lambda.functionArn(fn),
      State: "Enabled",
      FilterCriteria: { Filters: [{ Pattern: '{"eventName":["INSERT"]}' }] },
    });
    const two = await runCli(["filter-test", "--function", fn], { env });
    assert.equal(two.code, 2, two.stderr);
    assert.match(two.stderr, /has 2 stream event source mappings/);

    const picked = await runCli(["filter-test", "--function", fn, "--table", KINESIS_ARN, "--records", "-"], {
      env,
      input: kinesisEvent([change("INSERT", "new"), change("MODIFY", "paid")]),
    });
    assert.equal(picked.code, 0, picked.stderr);
    assert.match(picked.stdout, /1 matched, 1 filtered out/);

    const sampled = await runCli(
      ["filter-test", "--function", fn, "--table", KINESIS_ARN, "--from-stream", "Orders"],
      { env },
    );
    assert.equal(sampled.code, 2, sampled.stderr);
    assert.match(
      sampled.stderr,
      /--from-stream samples a DynamoDB stream, and mapping .* reads the Kinesis stream/,
    );
    assert.match(sampled.stderr, /hint: sample the Kinesis stream with tail/);
  });
});
