// The built `dynastream dlq` end to end: DynamoDB Local holds the stream (items written, the failed
// batch's range taken from it), the SQS stand-in the on-failure messages, the Lambda stand-in the
// mappings with their DestinationConfig and FilterCriteria, s3rver the S3 on-failure objects.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
import { jsonLines as lines, runCli } from "../helpers/cli.js";
import { cliEnv, clients, createTable, ddbEndpoint } from "../helpers/ddb.js";
import { onFailureRecord, snsNotification, sqsMessage } from "../helpers/dlq.js";
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
const dir = mkdtempSync(join(tmpdir(), "dynastream-dlq-e2e-"));

before(async () => {
  endpoint = await ddbEndpoint();
  c = clients(endpoint);
  [sqs, aws, s3] = await Promise.all([startSqsStandin(), startAwsStandin(), startS3()]);
  table = await createTable(endpoint);
  for (let i = 0; i < 5; i++) {
    await c.ddb.send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: { S: `order-${i}` }, status: { S: i % 2 === 0 ? "paid" : "pending" } },
      }),
    );
  }
  streamArn = (await c.ddb.send(new DescribeTableCommand({ TableName: table }))).Table
    ?.LatestStreamArn as string;
  shardId = (await c.streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription
    ?.Shards?.[0]?.ShardId as string;
  const it = await c.streams.send(
    new GetShardIteratorCommand({
      StreamArn: streamArn,
      ShardId: shardId,
      ShardIteratorType: "TRIM_HORIZON",
    }),
  );
  const page = await c.streams.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
  seqs = (page.Records ?? []).map((r) => r.dynamodb?.SequenceNumber as string);
  assert.equal(seqs.length, 5);
  fnArn = aws.addFunction("order-handler");
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

/** An on-failure record of the batch from seqs[from] to seqs[to] of the table's shard. */
function failure(
  from: number,
  to: number,
  over: Record<string, unknown> = {},
  functionArn = fnArn,
): Record<string, unknown> {
  const rec = onFailureRecord(
    {
      streamArn,
      shardId,
      startSequenceNumber: seqs[from],
      endSequenceNumber: seqs[to],
      batchSize: to - from + 1,
      approximateArrivalOfFirstRecord: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    },
    over,
  );
  (rec.requestContext as Record<string, unknown>).functionArn = functionArn;
  return rec;
}

describe("dlq --queue", () => {
  test("the exact records of each failed batch as tail's JSON with the batch id; messages stay in the queue", async () => {
    sqs.createQueue("q-json");
    sqs.send("q-json", JSON.stringify(failure(1, 3)));
    sqs.send("q-json", JSON.stringify(snsNotification(failure(4, 4))));
    const r = await runCli(["dlq", "--queue", "q-json", "--json"], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    const out = lines(r.stdout);
    assert.deepEqual(
      out.map((l) => l.type),
      ["failure", "record", "record", "record", "failure", "record"],
    );
    const f = out[0] as Record<string, unknown>;
    assert.equal(f.function, "order-handler");
    assert.equal(f.condition, "RetryAttemptsExhausted");
    assert.equal(f.status, "fetched");
    assert.equal(f.records, 3);
    assert.equal(f.table, table);
    assert.equal((f.source as Record<string, unknown>).kind, "sqs");
    assert.deepEqual(
      out.slice(1, 4).map((l) => [l.sequenceNumber, l.batchId, (l.keys as { pk: string }).pk]),
      [1, 2, 3].map((i) => [seqs[i], f.batchId, `order-${i}`]),
    );
    assert.equal(out[5]?.sequenceNumber, seqs[4]);
    assert.match(r.stderr, /2 failed batches/);
    // Messages visible again at once, none deleted.
    const left = sqs.messages("q-json");
    assert.equal(left.length, 2);
    assert.ok(left.every((m) => m.visible));
    assert.ok(
      sqs.log.some((l) => l.op === "ChangeMessageVisibilityBatch" && l.queueUrl?.endsWith("/q-json")),
    );
  });

  test("the output feeds tail --input, filter-test --records and invoke --input unchanged", async () => {
    sqs.createQueue("q-tail");
    sqs.send("q-tail", JSON.stringify(failure(0, 2)));
    const r = await runCli(["dlq", "--queue", "q-tail", "--json"], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    const t = await runCli(["tail", "--input", "-", "--json"], { env: env(), input: r.stdout });
    assert.equal(t.code, 0, t.stderr);
    assert.deepEqual(
      lines(t.stdout).map((l) => l.sequenceNumber),
      seqs.slice(0, 3),
    );
    const f = await runCli(
      ["filter-test", "--pattern", '{"eventName":["INSERT"]}', "--records", "-", "--json", "--summary"],
      { env: env(), input: r.stdout },
    );
    assert.equal(f.code, 0, f.stderr);
    const doc = JSON.parse(f.stdout) as { matched: number; total: number };
    assert.deepEqual([doc.matched, doc.total], [3, 3]);
    // invoke --input delivers the batch's records, on their shard, skipping the failure line.
    const inv = await runCli(["invoke", ACTIONS, "--input", "-", "--json"], { env: env(), input: r.stdout });
    assert.equal(inv.code, 0, inv.stderr);
    const invokes = lines(inv.stdout).filter((l) => l.type === "invoke");
    assert.deepEqual(
      invokes.map((l) => [l.shardId, l.records, l.firstSequenceNumber, l.lastSequenceNumber, l.result]),
      [[shardId, 3, seqs[0], seqs[2], "ok"]],
    );
  });

  test("pretty: a header per batch (function, condition, error, range, source), records as tail renders them", async () => {
    sqs.createQueue("q-pretty");
    sqs.send("q-pretty", JSON.stringify(failure(2, 2)));
    const r = await runCli(["dlq", "--queue", "q-pretty", "-o", "pretty"], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^FAILED BATCH order-handler · RetryAttemptsExhausted \(retries exhausted/);
    assert.match(r.stdout, /error: Unhandled · 1 attempt/);
    assert.match(
      r.stdout,
      new RegExp(`sequence ${seqs[2]} · batch of 1 · 1 record · from queue q-pretty message`),
    );
    assert.match(r.stdout, new RegExp(`INSERT ${table} pk=order-2 shard:`));
    assert.match(r.stdout, /\n {2}status: "paid"\n/);
    assert.doesNotMatch(r.stdout, /\x1b\[/);
    const s = await runCli(["dlq", "--queue", "q-pretty", "-o", "pretty", "--summary"], { env: env() });
    assert.equal(s.stdout.trim().split("\n").length, 1);
    assert.match(s.stdout, /order-handler {2}RetryAttemptsExhausted {2}.* {2}1 record {2}queue q-pretty/);
  });

  test("--delete --yes deletes the messages whose records were written; never an expired or partly read batch's", async () => {
    sqs.createQueue("q-del");
    sqs.send("q-del", JSON.stringify(failure(0, 0)));
    const gone = failure(0, 1);
    (gone.DDBStreamBatchInfo as Record<string, unknown>).shardId = "shardId-00000000000000000000-00000000";
    sqs.send("q-del", JSON.stringify(gone));
    // A range that ends past what the open shard holds: only part of it can be read.
    const partial = failure(0, 0);
    const lastSeq = BigInt(seqs[seqs.length - 1] as string);
    (partial.DDBStreamBatchInfo as Record<string, unknown>).endSequenceNumber = String(lastSeq + 1000n);
    sqs.send("q-del", JSON.stringify(partial));
    const r = await runCli(["dlq", "--queue", "q-del", "--json", "--delete", "--yes"], { env: env() });
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, /its records are gone/);
    assert.match(r.stderr, /only \d+ records read/);
    assert.match(r.stderr, /deleted 1 message/);
    const left = sqs.messages("q-del");
    assert.equal(left.length, 2);
    assert.ok(left.some((m) => m.body.includes("shardId-00000000000000000000-00000000")));
    assert.ok(left.some((m) => m.body.includes(String(lastSeq + 1000n))));
    assert.ok(left.every((m) => m.visible));
    const out = lines(r.stdout);
    assert.deepEqual(
      out.map((l) => [l.type, l.status ?? null]),
      [
        ["failure", "fetched"],
        ["record", null],
        ["failure", "expired"],
        ["failure", "incomplete"],
        ...out.slice(4).map(() => ["record", null]),
      ],
    );
  });

  test("--delete without --yes off a terminal is exit 2 and reads nothing", async () => {
    sqs.createQueue("q-noyes");
    sqs.send("q-noyes", JSON.stringify(failure(0, 0)));
    const before = sqs.log.length;
    const r = await runCli(["dlq", "--queue", "q-noyes", "--delete"], { env: env() });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error: --delete needs confirmation/);
    assert.match(r.stderr, /hint: pass --yes/);
    assert.equal(sqs.log.length, before);
  });

  test("a message that is not an on-failure record: warned, a skipped line, exit 2 after the rest", async () => {
    sqs.createQueue("q-bad");
    sqs.send("q-bad", "hello");
    sqs.send("q-bad", JSON.stringify(failure(3, 3)));
    const r = await runCli(["dlq", "--queue", "q-bad", "--json"], { env: env() });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /warning: queue q-bad message .*: not an on-failure record: it looks like text that is not JSON \("hello"\): skipped/,
    );
    assert.match(r.stderr, /error: 1 message was not on-failure records/);
    assert.deepEqual(
      lines(r.stdout).map((l) => l.type),
      ["skipped", "failure", "record"],
    );
    assert.ok(sqs.messages("q-bad").every((m) => m.visible));
  });

  test("warns about records that leave the stream within the hour, and a count that differs from batchSize", async () => {
    sqs.createQueue("q-soon");
    const soon = failure(0, 1);
    Object.assign(soon.DDBStreamBatchInfo as object, {
      approximateArrivalOfFirstRecord: new Date(Date.now() - 23.5 * 3600_000).toISOString(),
      batchSize: 5,
    });
    sqs.send("q-soon", JSON.stringify(soon));
    const r = await runCli(["dlq", "--queue", "q-soon", "--json"], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /warning: batch .*: its records leave the stream at .* \(in \d+ min\): save or redrive them now/,
    );
    assert.match(r.stderr, /warning: batch .*: 2 records in its range, but the batch had 5/);
  });

  test("when fetching fails (stream endpoint unreachable: exit 5), the messages are made visible again", async () => {
    sqs.createQueue("q-fail");
    sqs.send("q-fail", JSON.stringify(failure(0, 0)));
    const r = await runCli(["dlq", "--queue", "q-fail", "--json"], {
      env: { ...env(), AWS_ENDPOINT_URL_DYNAMODB_STREAMS: "http://127.0.0.1:9" },
    });
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /error: could not reach AWS/);
    assert.equal(sqs.messages("q-fail").length, 1);
    assert.ok(sqs.messages("q-fail").every((m) => m.visible));
  });

  test("an unknown queue is exit 3; an empty one exit 0", async () => {
    const r = await runCli(["dlq", "--queue", "no-such-queue"], { env: env() });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /error: queue no-such-queue not found/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    sqs.createQueue("q-empty");
    const e = await runCli(["dlq", "--queue", "q-empty", "--json"], { env: env() });
    assert.equal(e.code, 0, e.stderr);
    assert.equal(e.stdout, "");
    assert.match(e.stderr, /0 failed batches/);
  });
});

describe("dlq <table> and --function: the mappings' destinations", () => {
  test("reads the queue of the table's mapping, applies its filter criteria inside the range", async () => {
    sqs.createQueue("orders-dlq");
    const filtered = aws.addFunction("filtered-handler");
    aws.addEventSourceMapping({
      EventSourceArn: streamArn,
      FunctionArn: filtered,
      DestinationConfig: { OnFailure: { Destination: sqs.queueArn("orders-dlq") } },
      FilterCriteria: { Filters: [{ Pattern: '{"dynamodb":{"NewImage":{"status":{"S":["paid"]}}}}' }] },
    });
    sqs.send("orders-dlq", JSON.stringify(failure(0, 4, {}, filtered)));
    // A failure of another function in the same queue is not one of this table's mappings'.
    sqs.send("orders-dlq", JSON.stringify(failure(0, 0)));
    const r = await runCli(["dlq", table, "--json"], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /1 message of other functions or streams not shown/);
    const out = lines(r.stdout);
    assert.equal(out[0]?.filteredOut, 2);
    assert.deepEqual(
      out.slice(1).map((l) => l.sequenceNumber),
      [seqs[0], seqs[2], seqs[4]],
    );
    const byFn = await runCli(["dlq", "--function", "filtered-handler", "--json", "--summary"], {
      env: env(),
    });
    assert.equal(byFn.code, 0, byFn.stderr);
    assert.deepEqual(
      lines(byFn.stdout).map((l) => [l.type, l.records]),
      [["failure", 3]],
    );
    // Read as a queue, the mapping is found from the record's functionArn and stream: same records.
    const q = await runCli(["dlq", "--queue", "orders-dlq", "--function", "filtered-handler", "--json"], {
      env: env(),
    });
    assert.equal(q.code, 0, q.stderr);
    const qOut = lines(q.stdout);
    assert.equal(qOut[0]?.filteredOut, 2);
    assert.deepEqual(
      qOut.slice(1).map((l) => l.sequenceNumber),
      [seqs[0], seqs[2], seqs[4]],
    );
  });

  test("a mapping whose destination is an S3 bucket: the objects under aws/lambda/<its UUID>/ are read", async () => {
    const t3 = await createTable(endpoint);
    const arn3 = (await c.ddb.send(new DescribeTableCommand({ TableName: t3 }))).Table
      ?.LatestStreamArn as string;
    const fn3 = aws.addFunction("s3-dest-handler");
    const uuid = aws.addEventSourceMapping({
      EventSourceArn: arn3,
      FunctionArn: fn3,
      DestinationConfig: { OnFailure: { Destination: "arn:aws:s3:::mapping-failures" } },
    });
    const object = (eventID: string) => {
      const rec = failure(0, 0, { payload: { Records: [lambdaRecord({ eventID })] } }, fn3);
      (rec.DDBStreamBatchInfo as Record<string, unknown>).streamArn = arn3;
      return JSON.stringify(rec);
    };
    await s3.bucket("mapping-failures", {
      [`aws/lambda/${uuid}/shardId-1/2026/01/31/a`]: object("mine"),
      "aws/lambda/another-mapping/shardId-1/2026/01/31/b": object("not-mine"),
    });
    const r = await runCli(["dlq", t3, "--json"], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`reading s3://mapping-failures/aws/lambda/${uuid}/`));
    assert.deepEqual(
      lines(r.stdout).map((l) => [l.type, l.status ?? l.eventID]),
      [
        ["failure", "payload"],
        ["record", "mine"],
      ],
    );
  });

  test("a mapping without an on-failure destination is exit 3 with a hint", async () => {
    const t2 = await createTable(endpoint);
    const arn2 = (await c.ddb.send(new DescribeTableCommand({ TableName: t2 }))).Table
      ?.LatestStreamArn as string;
    aws.addEventSourceMapping({ EventSourceArn: arn2, FunctionArn: aws.addFunction("no-dest") });
    const r = await runCli(["dlq", t2], { env: env() });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /error: mapping no-dest on .* has no on-failure destination/);
    assert.match(r.stderr, /hint: add one: aws lambda update-event-source-mapping/);
  });
});

describe("dlq --s3 and --input", () => {
  test("S3 on-failure objects carry the records: shown from the payload (string or object)", async () => {
    const payload = { Records: [lambdaRecord({ eventID: "p1" }), lambdaRecord({ eventID: "p2" })] };
    await s3.bucket("failures", {
      "aws/lambda/u1/shard/2026/01/31/a": JSON.stringify(failure(0, 1, { payload: JSON.stringify(payload) })),
      "aws/lambda/u1/shard/2026/01/31/b": JSON.stringify(failure(2, 2, { payload })),
    });
    const r = await runCli(["dlq", "--s3", "s3://failures/aws/lambda/", "--json"], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    const out = lines(r.stdout);
    assert.deepEqual(
      out.map((l) => [l.type, l.status ?? l.eventID]),
      [
        ["failure", "payload"],
        ["record", "p1"],
        ["record", "p2"],
        ["failure", "payload"],
        ["record", "p1"],
        ["record", "p2"],
      ],
    );
    // The records are in the object: a batch near the stream's 24 h is not warned about.
    const old = failure(0, 1, { payload });
    Object.assign(old.DDBStreamBatchInfo as object, {
      approximateArrivalOfFirstRecord: new Date(Date.now() - 23.5 * 3600_000).toISOString(),
    });
    await s3.bucket("failures-old", { "aws/lambda/u1/shard/2026/01/31/c": JSON.stringify(old) });
    const kept = await runCli(["dlq", "--s3", "s3://failures-old/aws/lambda/", "--json"], { env: env() });
    assert.equal(kept.code, 0, kept.stderr);
    assert.doesNotMatch(kept.stderr, /leave the stream/);
    const none = await runCli(["dlq", "--s3", "s3://failures/nothing-here/"], { env: env() });
    assert.equal(none.code, 3);
    assert.match(none.stderr, /error: no objects under s3:\/\/failures\/nothing-here\//);
  });

  test("--input: aws sqs receive-message output; a batch whose records expired is exit 6", async () => {
    const expiredBatch = failure(0, 0);
    Object.assign(expiredBatch.DDBStreamBatchInfo as object, {
      shardId: "shardId-00000000000000000001-deadbeef",
      approximateArrivalOfFirstRecord: "2026-01-31T09:00:00Z",
    });
    const file = join(dir, "received.json");
    writeFileSync(
      file,
      JSON.stringify({ Messages: [sqsMessage(failure(1, 2)), sqsMessage(expiredBatch, "m2")] }, null, 2),
    );
    const r = await runCli(["dlq", "--input", file, "--json"], { env: env() });
    assert.equal(r.code, 6, r.stderr);
    const out = lines(r.stdout);
    assert.deepEqual(
      out.map((l) => l.type),
      ["failure", "record", "record", "failure"],
    );
    assert.equal(out[3]?.status, "expired");
    assert.equal(out[3]?.expiresAt, "2026-02-01T09:00:00.000Z");
    assert.match(r.stderr, /error: the records of 1 failed batch could not all be read/);
  });

  test("--input - (stdin): one document, an array, NDJSON", async () => {
    const one = JSON.stringify(failure(1, 1));
    for (const [text, n] of [
      [one, 1],
      [JSON.stringify([failure(1, 1), failure(2, 3)]), 2],
      [`${one}\n${JSON.stringify(snsNotification(failure(4, 4)))}\n`, 2],
    ] as const) {
      const r = await runCli(["dlq", "--input", "-", "--json"], { env: env(), input: text });
      assert.equal(r.code, 0, r.stderr);
      const failures = lines(r.stdout).filter((l) => l.type === "failure");
      assert.equal(failures.length, n, text);
      assert.ok(
        failures.every((l) => l.status === "fetched" && (l.source as { kind: string }).kind === "file"),
      );
    }
  });

  test("bad flags are exit 2 before any AWS call", async () => {
    for (const args of [
      ["dlq"],
      ["dlq", "--queue", "a", "--s3", "s3://b/"],
      ["dlq", "Orders", "--queue", "a"],
      ["dlq", "--s3", "https://x/y"],
      ["dlq", "--input", "x.json", "--delete"],
      ["dlq", "a b"],
      ["dlq", "--queue", "q", "--redrive"],
    ]) {
      const r = await runCli(args, { env: cliEnv("http://127.0.0.1:9") });
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /error: /);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });
});
