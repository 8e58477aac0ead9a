// The built `dynastream dlq --redrive` end to end: DynamoDB Local holds the stream (the failed
// batches' ranges are taken from it), the SQS stand-in the on-failure messages (deleted only after a
// complete redrive), the Lambda stand-in the mapping and the deployed function (the real
// @aws-sdk/client-lambda invokes it), and test/fixtures/handlers the local handlers.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { DescribeTableCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { jsonLines as lines, runCli } from "../helpers/cli.js";
import { cliEnv, clients, createTable, ddbEndpoint } from "../helpers/ddb.js";
import { onFailureRecord } from "../helpers/dlq.js";
import { lambdaRecord } from "../helpers/records.js";
import { type S3Emulator, startS3 } from "../helpers/s3.js";
import { type AwsStandin, startAwsStandin } from "../helpers/standins/cloudwatch-server.js";
import { type SqsStandin, startSqsStandin } from "../helpers/standins/sqs-server.js";

const ACTIONS = fileURLToPath(new URL("../fixtures/handlers/actions.mjs", import.meta.url));

let endpoint = "";
let c: ReturnType<typeof clients>;
let sqs: SqsStandin;
let aws: AwsStandin;
let s3: S3Emulator;
let table = "";
let streamArn = "";
let shardId = "";
let seqs: string[] = [];
let fnArn = "";
/** The events the deployed function received, in order. */
const invoked: Array<{ Records: Array<{ dynamodb: { SequenceNumber: string } }> }> = [];
const dir = mkdtempSync(join(tmpdir(), "dynastream-dlq-redrive-"));

/** Items 0-2 are processed, item 3 makes both handlers fail (actions.mjs: NewImage.action "throw"). */
const ACTIONS_OF = ["ok", "ok", "ok", "throw"];

/** A new table with one item `order-<i>` per action (actions.mjs reads NewImage.action), and its stream's range. */
async function tableOf(
  actions: readonly string[],
): Promise<{ table: string; streamArn: string; shardId: string; seqs: string[] }> {
  const table = await createTable(endpoint);
  for (const [i, action] of actions.entries()) {
    await c.ddb.send(
      new PutItemCommand({ TableName: table, Item: { pk: { S: `order-${i}` }, action: { S: action } } }),
    );
  }
  const streamArn = (await c.ddb.send(new DescribeTableCommand({ TableName: table }))).Table
    ?.LatestStreamArn as string;
  const shardId = (await c.streams.send(new DescribeStreamCommand({ StreamArn: streamArn })))
    .StreamDescription?.Shards?.[0]?.ShardId as string;
  const it = await c.streams.send(
    new GetShardIteratorCommand({
      StreamArn: streamArn,
      ShardId: shardId,
      ShardIteratorType: "TRIM_HORIZON",
    }),
  );
  const page = await c.streams.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
  const seqs = (page.Records ?? []).map((r) => r.dynamodb?.SequenceNumber as string);
  assert.equal(seqs.length, actions.length);
  return { table, streamArn, shardId, seqs };
}

before(async () => {
  endpoint = await ddbEndpoint();
  c = clients(endpoint);
  [sqs, aws, s3] = await Promise.all([startSqsStandin(), startAwsStandin(), startS3()]);
  ({ table, streamArn, shardId, seqs } = await tableOf(ACTIONS_OF));
  // The deployed function fails on a batch holding a "throw" record, as the local fixture does.
  fnArn = aws.addFunction("order-handler", {
    timeout: 5,
    invoke: (event) => {
      const e = event as {
        Records: Array<{ dynamodb: { SequenceNumber: string; NewImage?: { action?: { S?: string } } } }>;
      };
      invoked.push(e);
      return e.Records.some((r) => r.dynamodb.NewImage?.action?.S === "throw")
        ? { error: { errorType: "TypeError", errorMessage: "cannot process order-3" } }
        : { response: null };
    },
  });
  // Its mapping: one retry, then the on-failure destination (what the redrive reports for a batch that fails again).
  aws.addEventSourceMapping({ EventSourceArn: streamArn, FunctionArn: fnArn, MaximumRetryAttempts: 1 });
});

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  c?.ddb.destroy();
  c?.streams.destroy();
  await Promise.all([sqs?.stop(), aws?.stop(), s3?.stop()]);
});

function env(): Record<string, string> {
  return cliEnv(endpoint, {
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    AWS_ENDPOINT_URL_LAMBDA: aws.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
  });
}

/** The on-failure record of the batch seqs[from]..seqs[to] of order-handler (or of `fn` on stream `on`). */
function failure(
  from: number,
  to: number,
  fn = fnArn,
  on = { streamArn, shardId, seqs },
): Record<string, unknown> {
  const rec = onFailureRecord({
    streamArn: on.streamArn,
    shardId: on.shardId,
    startSequenceNumber: on.seqs[from],
    endSequenceNumber: on.seqs[to],
    batchSize: to - from + 1,
    approximateArrivalOfFirstRecord: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  });
  (rec.requestContext as Record<string, unknown>).functionArn = fn;
  return rec;
}

describe("dlq --redrive to the deployed function", () => {
  test("--yes --delete: each batch invoked with its records; only the message of the batch that succeeded is deleted", async () => {
    sqs.createQueue("rd-deployed");
    sqs.send("rd-deployed", JSON.stringify(failure(0, 2)));
    sqs.send("rd-deployed", JSON.stringify(failure(2, 3)));
    invoked.length = 0;
    const r = await runCli(["dlq", "--queue", "rd-deployed", "--json", "--redrive", "--yes", "--delete"], {
      env: env(),
    });
    assert.equal(r.code, 1, r.stderr);
    // The first batch once; the second twice (the mapping's MaximumRetryAttempts 1), each with its exact records.
    assert.deepEqual(
      invoked.map((e) => e.Records.map((x) => x.dynamodb.SequenceNumber)),
      [seqs.slice(0, 3), seqs.slice(2, 4), seqs.slice(2, 4)],
    );
    const out = lines(r.stdout);
    const redrives = out.filter((l) => l.type === "redrive");
    assert.deepEqual(
      redrives.map((l) => [l.function, l.target, l.result, l.records, l.delivered, l.invocations]),
      [
        ["order-handler", "deployed", "succeeded", 3, 3, 1],
        ["order-handler", "deployed", "failed", 2, 0, 2],
      ],
    );
    assert.match(String(redrives[1]?.reason), /on-failure destination again/);
    const invokes = out.filter((l) => l.type === "invoke");
    assert.deepEqual(
      invokes.map((l) => l.result),
      ["ok", "error", "error"],
    );
    assert.match(r.stderr, /max retries 1/);
    assert.match(r.stderr, /redrive: 1 batch succeeded, 1 failed again/);
    assert.match(r.stderr, /deleted 1 message\b/);
    // The failed batch's message stays, visible to other consumers.
    const left = sqs.messages("rd-deployed");
    assert.equal(left.length, 1);
    assert.ok(left[0]?.visible);
    assert.equal(JSON.parse(left[0]?.body ?? "{}").DDBStreamBatchInfo.endSequenceNumber, seqs[3]);
  });

  test("without --yes off a terminal: exit 2, nothing invoked, nothing read or deleted", async () => {
    sqs.createQueue("rd-guard");
    sqs.send("rd-guard", JSON.stringify(failure(0, 0)));
    invoked.length = 0;
    const g = await runCli(["dlq", "--queue", "rd-guard", "--redrive"], { env: env() });
    assert.equal(g.code, 2, g.stderr);
    assert.match(
      g.stderr,
      /^error: --redrive invokes the deployed function \(production code\): it needs confirmation/m,
    );
    assert.match(g.stderr, /--yes/);
    assert.doesNotMatch(g.stderr, /\n\s+at /);
    assert.equal(invoked.length, 0);
    assert.equal(g.stdout, "");
    const left = sqs.messages("rd-guard");
    assert.equal(left.length, 1);
    assert.ok(left[0]?.visible);
  });

  test("--function redrives to another function than the one that failed", async () => {
    const seen: Array<{ Records: unknown[] }> = [];
    aws.addFunction("order-handler-v2", {
      invoke: (event) => {
        seen.push(event as { Records: unknown[] });
        return { response: { batchItemFailures: [] } };
      },
    });
    const file = join(dir, "one.json");
    writeFileSync(file, JSON.stringify(failure(1, 1)));
    invoked.length = 0;
    const r = await runCli(
      ["dlq", "--input", file, "--redrive", "--yes", "--function", "order-handler-v2", "-o", "pretty"],
      { env: env() },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(invoked.length, 0);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.Records.length, 1);
    assert.match(r.stderr, /redriven batch .* to order-handler-v2: 1 record delivered in 1 invocation/);
    // The failure is shown as dlq shows it, on stdout.
    assert.match(r.stdout, /^FAILED BATCH order-handler/);
  });

  test("a function that does not exist: exit 3, messages kept", async () => {
    sqs.createQueue("rd-missing");
    sqs.send("rd-missing", JSON.stringify(failure(0, 0)));
    const r = await runCli(
      ["dlq", "--queue", "rd-missing", "--redrive", "--yes", "--delete", "--function", "no-such-fn"],
      {
        env: env(),
      },
    );
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^error: .*no-such-fn/m);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    const left = sqs.messages("rd-missing");
    assert.equal(left.length, 1);
    assert.ok(left[0]?.visible);
  });
});

describe("dlq --redrive --handler (local, no confirmation)", () => {
  test("a batch the handler processes is redriven; one it fails again is kept, and says what Lambda would do", async () => {
    const file = join(dir, "two.ndjson");
    writeFileSync(file, `${JSON.stringify(failure(0, 1))}\n${JSON.stringify(failure(3, 3))}\n`);
    const r = await runCli(["dlq", "--input", file, "--redrive", "--handler", ACTIONS, "-o", "pretty"], {
      env: env(),
    });
    assert.equal(r.code, 1, r.stderr);
    // The handler ran, under the failed function's name, with the batch's records.
    assert.match(r.stderr, /batch of 2, invocation 1 of this process, order-handler, has request id/);
    assert.match(
      r.stderr,
      /redriven batch .* to a local handler as order-handler: 2 records delivered in 1 invocation/,
    );
    assert.match(r.stderr, /TypeError: cannot process order-3/);
    assert.match(
      r.stderr,
      /failed again batch .*: 0 of 1 record delivered in 2 invocations; Lambda would send 1 record to the on-failure destination again and move on; its message is kept/,
    );
    assert.doesNotMatch(r.stderr, /needs confirmation/);
  });

  test("the failed mapping's batch size and ReportBatchItemFailures: a partial-batch response is honoured", async () => {
    // order-1 is reported by its sequence number (actions.mjs "fail-seq"); the others are processed.
    const t = await tableOf(["ok", "fail-seq", "ok", "ok"]);
    const fn = aws.addFunction("partial-handler");
    aws.addEventSourceMapping({
      EventSourceArn: t.streamArn,
      FunctionArn: fn,
      BatchSize: 2,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      MaximumRetryAttempts: 0,
    });
    const file = join(dir, "partial.json");
    writeFileSync(file, JSON.stringify(failure(0, 3, fn, t)));
    const r = await runCli(["dlq", "--input", file, "--redrive", "--handler", ACTIONS, "--json"], {
      env: env(),
    });
    assert.equal(r.code, 1, r.stderr);
    const out = lines(r.stdout);
    // Batches of 2: [0,1] reports 1 (0 is delivered, 1 goes to on-failure: no retries), then [2,3].
    assert.deepEqual(
      out.filter((l) => l.type === "invoke").map((l) => [l.records, l.firstSequenceNumber, l.result]),
      [
        [2, t.seqs[0], "partial"],
        [2, t.seqs[2], "ok"],
      ],
    );
    const redrive = out.find((l) => l.type === "redrive");
    assert.deepEqual(
      [redrive?.result, redrive?.records, redrive?.delivered, redrive?.invocations],
      ["failed", 4, 3, 2],
    );
    assert.match(String(redrive?.reason), /send 1 record to the on-failure destination again/);
  });

  test("--delete --yes deletes the message of the batch the handler processed (SQS stand-in)", async () => {
    sqs.createQueue("rd-local");
    sqs.send("rd-local", JSON.stringify(failure(0, 2)));
    sqs.send("rd-local", JSON.stringify(failure(3, 3)));
    const r = await runCli(
      [
        "dlq",
        "--queue",
        "rd-local",
        "--redrive",
        "--handler",
        `${ACTIONS}:handler`,
        "--delete",
        "--yes",
        "--json",
      ],
      { env: env() },
    );
    assert.equal(r.code, 1, r.stderr);
    const redrives = lines(r.stdout).filter((l) => l.type === "redrive");
    assert.deepEqual(
      redrives.map((l) => [l.target, l.result, l.records]),
      [
        ["local", "succeeded", 3],
        ["local", "failed", 1],
      ],
    );
    const left = sqs.messages("rd-local");
    assert.equal(left.length, 1);
    assert.equal(JSON.parse(left[0]?.body ?? "{}").DDBStreamBatchInfo.startSequenceNumber, seqs[3]);
    assert.ok(left[0]?.visible);
    assert.ok(sqs.log.some((l) => l.op === "DeleteMessageBatch" && l.queueUrl?.endsWith("/rd-local")));
  });

  test("S3 on-failure objects: their payload's records redriven; only the object of the batch that succeeded is deleted", async () => {
    const rec = (id: string, action: string, seq: string) =>
      lambdaRecord(
        { eventID: id },
        { Keys: { pk: { S: id } }, NewImage: { pk: { S: id }, action: { S: action } }, SequenceNumber: seq },
      );
    await s3.bucket("rd-failures", {
      "aws/lambda/u1/shard/2026/01/31/a": JSON.stringify({
        ...failure(0, 1),
        payload: { Records: [rec("p1", "ok", "901"), rec("p2", "ok", "902")] },
      }),
      "aws/lambda/u1/shard/2026/01/31/b": JSON.stringify({
        ...failure(2, 2),
        payload: JSON.stringify({ Records: [rec("p3", "throw", "903")] }),
      }),
    });
    const r = await runCli(
      [
        "dlq",
        "--s3",
        "s3://rd-failures/aws/lambda/",
        "--redrive",
        "--handler",
        ACTIONS,
        "--delete",
        "--yes",
        "--json",
      ],
      { env: env() },
    );
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(
      lines(r.stdout)
        .filter((l) => l.type === "redrive")
        .map((l) => [l.result, l.records, l.delivered]),
      [
        ["succeeded", 2, 2],
        ["failed", 1, 0],
      ],
    );
    const errors = lines(r.stdout).filter((l) => l.type === "invoke" && l.result === "error");
    assert.equal(errors.length, 2);
    assert.deepEqual(errors[0]?.error, { type: "TypeError", message: "cannot process p3" });
    const left = await s3.client.send(new ListObjectsV2Command({ Bucket: "rd-failures" }));
    assert.deepEqual(
      (left.Contents ?? []).map((o) => o.Key),
      ["aws/lambda/u1/shard/2026/01/31/b"],
    );
  });

  test("the whole path: invoke writes the on-failure record, it waits in a queue, dlq redrives it to a fixed handler and deletes it", async () => {
    const failed = join(dir, "failed.ndjson");
    const inv = await runCli(
      [
        "invoke",
        ACTIONS,
        table,
        "--from",
        "trim-horizon",
        "--until-end",
        "--max-retry-attempts",
        "0",
        "--on-failure",
        failed,
      ],
      { env: env() },
    );
    assert.equal(inv.code, 1, inv.stderr);
    const fixed = join(dir, "fixed.mjs");
    writeFileSync(
      fixed,
      'export const handler = async (event) => { console.log("fixed: " + event.Records.length + " records"); return { batchItemFailures: [] }; };\n',
    );
    sqs.createQueue("rd-path");
    for (const l of readFileSync(failed, "utf8").split("\n").filter(Boolean)) sqs.send("rd-path", l);
    assert.equal(sqs.messages("rd-path").length, 1);
    const r = await runCli(
      ["dlq", "--queue", "rd-path", "--redrive", "--handler", fixed, "--delete", "--yes", "-o", "pretty"],
      {
        env: env(),
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`INSERT ${table} pk=order-3`));
    assert.match(r.stderr, /fixed: 4 records/);
    assert.match(r.stderr, /redriven batch .*: 4 records delivered in 1 invocation/);
    assert.match(r.stderr, /deleted 1 message/);
    assert.equal(sqs.messages("rd-path").length, 0);
  });
});
