// `dynastream invoke --function` against the Lambda stand-in (ListEventSourceMappings,
// GetFunctionConfiguration and Invoke over the real wire protocol, through AWS_ENDPOINT_URL_LAMBDA):
// the deployed mapping's settings and filter criteria applied to a local handler, flags overriding
// them; and delivery to the deployed function itself, with its errors, retries and on-failure record.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, type TestContext, test } from "node:test";
import { jsonLines as lines, runCli } from "../helpers/cli.js";
import { TEST_CREDENTIALS } from "../helpers/ddb.js";
import { lambdaRecord } from "../helpers/records.js";
import { type AwsStandin, startAwsStandin } from "../helpers/standins/cloudwatch-server.js";

const H = resolve(import.meta.dirname, "../fixtures/handlers");
const STREAM = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024-01-01T00:00:00.000";
const dir = mkdtempSync(join(tmpdir(), "dynastream-invoke-fn-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function standin(t: TestContext): Promise<AwsStandin> {
  const s = await startAwsStandin();
  t.after(() => s.stop());
  return s;
}

function env(aws: AwsStandin): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_LAMBDA: aws.endpoint,
  };
}

/** Records 100.. with NewImage.action and status. */
function file(name: string, rows: Array<[action: string, status: string]>): string {
  const path = join(dir, name);
  const lines = rows.map(([action, status], i) =>
    JSON.stringify(
      lambdaRecord(
        { eventID: `ev-${i}` },
        {
          SequenceNumber: String(100 + i),
          Keys: { pk: { S: `K${i}` } },
          NewImage: { pk: { S: `K${i}` }, action: { S: action }, status: { S: status } },
          OldImage: undefined,
        },
      ),
    ),
  );
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

describe("invoke <handler> --function: the deployed settings, run locally", () => {
  test("batch size, ReportBatchItemFailures, retries and the filter criteria come from the mapping; the timeout from the function", async (t) => {
    const aws = await standin(t);
    const fn = aws.addFunction("order-handler", { timeout: 7 });
    aws.addEventSourceMapping({
      EventSourceArn: STREAM,
      FunctionArn: fn,
      BatchSize: 2,
      MaximumRetryAttempts: 0,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      FilterCriteria: { Filters: [{ Pattern: '{"dynamodb":{"NewImage":{"status":{"S":["paid"]}}}}' }] },
    });
    const input = file("fn.ndjson", [
      ["ok", "paid"],
      ["ok", "pending"],
      ["fail-seq", "paid"],
      ["ok", "paid"],
    ]);
    const r = await runCli(
      ["invoke", join(H, "actions.mjs"), "--input", input, "--function", "order-handler", "--json"],
      {
        env: env(aws),
      },
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /batch size 2, window 0s, max retries 0, no max record age, no bisect, ReportBatchItemFailures, parallelization 1, timeout 7s, 1 filter pattern/,
    );
    const out = lines(r.stdout);
    const inv = out.filter((l) => l.type === "invoke");
    assert.deepEqual(
      inv.map((l) => [l.firstSequenceNumber, l.lastSequenceNumber, l.result]),
      [
        ["100", "102", "partial"],
        ["103", "103", "ok"],
      ],
      "the pending record (101) is filtered out; batches of 2",
    );
    assert.equal((out.find((l) => l.type === "summary") as { filtered: number }).filtered, 1);
    const failure = out.find((l) => l.type === "failure") as {
      record: { requestContext: { functionArn: string } };
    };
    assert.equal(failure.record.requestContext.functionArn, fn);
    assert.equal(aws.lambda.invocations.length, 0, "the deployed function was not invoked");
  });

  test("a flag overrides one setting and says so", async (t) => {
    const aws = await standin(t);
    const fn = aws.addFunction("order-handler");
    aws.addEventSourceMapping({ EventSourceArn: STREAM, FunctionArn: fn, BatchSize: 2 });
    const input = file("override.ndjson", [
      ["ok", "paid"],
      ["ok", "paid"],
      ["ok", "paid"],
    ]);
    const r = await runCli(
      [
        "invoke",
        join(H, "actions.mjs"),
        "--input",
        input,
        "--function",
        "order-handler",
        "--batch-size",
        "3",
        "--json",
      ],
      {
        env: env(aws),
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /--batch-size 3 overrides the mapping's setting/);
    assert.equal(lines(r.stdout).filter((l) => l.type === "invoke").length, 1);
  });

  test("a function without a DynamoDB mapping: exit 3", async (t) => {
    const aws = await standin(t);
    aws.addFunction("lonely");
    const r = await runCli(
      [
        "invoke",
        join(H, "actions.mjs"),
        "--input",
        file("x.ndjson", [["ok", "paid"]]),
        "--function",
        "lonely",
      ],
      {
        env: env(aws),
      },
    );
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /has no DynamoDB or Kinesis stream event source mapping/);
  });
});

describe("invoke <handler> --function on a mapping of a Kinesis stream (a table's destination)", () => {
  test("the mapping's criteria filter on data; the records go out as Kinesis events; KinesisBatchInfo on failure", async (t) => {
    const aws = await standin(t);
    const KSTREAM = "arn:aws:kinesis:us-east-1:123456789012:stream/orders-cdc";
    const fn = aws.addFunction("cdc-handler", { timeout: 5 });
    aws.addEventSourceMapping({
      EventSourceArn: KSTREAM,
      FunctionArn: fn,
      MaximumRetryAttempts: 0,
      FilterCriteria: {
        Filters: [{ Pattern: '{"data":{"dynamodb":{"NewImage":{"status":{"S":["paid"]}}}}}' }],
      },
    });
    // Kinesis Lambda events whose data are the change records of the destination.
    const path = join(dir, "kinesis.ndjson");
    const rows: Array<[string, string]> = [
      ["ok", "paid"],
      ["ok", "pending"],
      ["throw", "paid"],
    ];
    const events = rows.map(([action, status], i) => {
      const change = {
        eventID: `c-${i}`,
        eventName: "INSERT",
        tableName: "Orders",
        recordFormat: "application/json",
        dynamodb: {
          ApproximateCreationDateTime: 1704110400000 + i,
          Keys: { pk: { S: `o${i}` } },
          NewImage: { pk: { S: `o${i}` }, action: { S: action }, status: { S: status } },
          SizeBytes: 30,
        },
        eventSource: "aws:dynamodb",
      };
      return JSON.stringify({
        kinesis: {
          kinesisSchemaVersion: "1.0",
          partitionKey: `P${i}`,
          sequenceNumber: `4960${i}`,
          data: Buffer.from(JSON.stringify(change)).toString("base64"),
          approximateArrivalTimestamp: 1704110400.5 + i,
        },
        eventSource: "aws:kinesis",
        eventVersion: "1.0",
        eventID: `shardId-000000000000:4960${i}`,
        eventName: "aws:kinesis:record",
        awsRegion: "us-east-1",
        eventSourceARN: KSTREAM,
      });
    });
    writeFileSync(path, `${events.join("\n")}\n`);
    const out = join(dir, "kinesis-failed.ndjson");
    const r = await runCli(
      [
        "invoke",
        join(H, "kinesis.mjs"),
        "--input",
        path,
        "--function",
        "cdc-handler",
        "--batch-size",
        "1",
        "--on-failure",
        out,
        "--json",
      ],
      { env: env(aws) },
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /1 filter pattern/);
    assert.match(r.stderr, /--batch-size 1 overrides the mapping's setting/);
    const inv = lines(r.stdout).filter((l) => l.type === "invoke");
    assert.deepEqual(
      inv.map((l) => [l.firstSequenceNumber, l.result]),
      [
        ["49600", "ok"],
        ["49602", "error"],
      ],
    );
    assert.equal(lines(r.stdout).find((l) => l.type === "summary")?.filtered, 1);
    const rec = JSON.parse(readFileSync(out, "utf8").trim());
    assert.equal(rec.DDBStreamBatchInfo, undefined);
    assert.deepEqual(rec.KinesisBatchInfo, {
      shardId: "shardId-000000000000",
      startSequenceNumber: "49602",
      endSequenceNumber: "49602",
      approximateArrivalOfFirstRecord: "2024-01-01T12:00:02.500Z",
      approximateArrivalOfLastRecord: "2024-01-01T12:00:02.500Z",
      batchSize: 1,
      streamArn: KSTREAM,
    });
    assert.equal(rec.requestContext.functionArn, fn);
  });
});

describe("invoke --function without a handler: delivery to the deployed function", () => {
  test("--yes: each batch is an Invoke of the function (qualifier kept); a function error is retried, then sent to on-failure", async (t) => {
    const aws = await standin(t);
    const fn = aws.addFunction("order-handler", {
      qualifiers: ["live"],
      invoke: (event) => {
        const records = (event as { Records: Array<{ dynamodb: { NewImage: { action: { S: string } } } }> })
          .Records;
        return records.some((r) => r.dynamodb.NewImage.action.S === "throw")
          ? { error: { errorType: "TypeError", errorMessage: "bad order" } }
          : { response: { batchItemFailures: [] } };
      },
    });
    aws.addEventSourceMapping({
      EventSourceArn: STREAM,
      FunctionArn: fn,
      BatchSize: 1,
      MaximumRetryAttempts: 1,
    });
    const out = join(dir, "deployed-failed.ndjson");
    const input = file("deployed.ndjson", [
      ["ok", "paid"],
      ["throw", "paid"],
    ]);
    const r = await runCli(
      [
        "invoke",
        "--function",
        "order-handler",
        "--qualifier",
        "live",
        "--input",
        input,
        "--yes",
        "--json",
        "--on-failure",
        out,
      ],
      { env: env(aws) },
    );
    assert.equal(r.code, 1, r.stderr);
    const calls = aws.lambda.invocations;
    assert.equal(calls.length, 3, "1 ok + the failing record twice (1 retry)");
    assert.ok(calls.every((c) => c.qualifier === "live"));
    assert.equal((calls[0]?.event as { Records: unknown[] } | undefined)?.Records.length, 1);
    const inv = lines(r.stdout).filter((l) => l.type === "invoke");
    assert.deepEqual(inv[1]?.error, { type: "TypeError", message: "bad order" });
    const [rec] = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(rec.requestContext.approximateInvokeCount, 2);
    assert.equal(rec.DDBStreamBatchInfo.startSequenceNumber, "101");
    assert.match(rec.requestContext.requestId, /^[0-9a-f-]{36}$/);
  });

  test("without --yes and without a terminal: exit 2, nothing invoked", async (t) => {
    const aws = await standin(t);
    const fn = aws.addFunction("order-handler");
    aws.addEventSourceMapping({ EventSourceArn: STREAM, FunctionArn: fn });
    const r = await runCli(
      ["invoke", "--function", "order-handler", "--input", file("n.ndjson", [["ok", "paid"]])],
      {
        env: env(aws),
        input: "y\n",
      },
    );
    assert.equal(r.code, 2);
    assert.equal(aws.requestsFor("lambda").length, 0);
  });
});
