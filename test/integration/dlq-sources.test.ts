// Where dlq reads on-failure records: an SQS queue (the in-repo SQS stand-in, real protocol of
// @aws-sdk/client-sqs: AWS JSON 1.0), an S3 prefix (s3rver), and the mappings' destinations (the
// Lambda stand-in).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { mappingOfFailure, mappingsOfFunction, mappingsOfStream } from "../../src/aws/dlq/mappings.js";
import { deleteObject, listObjects, readObject } from "../../src/aws/dlq/s3.js";
import { deleteMessages, receiveAll, releaseMessages, resolveQueue } from "../../src/aws/dlq/sqs.js";
import { parseS3Url } from "../../src/commands/dlq/options.js";
import { bucketOfArn } from "../../src/core/arn.js";
import { NotFoundError, UsageError } from "../../src/errors.js";
import { testRun } from "../helpers/aws-run.js";
import { DOC_STREAM_ARN, onFailureRecord } from "../helpers/dlq.js";
import { type S3Emulator, startS3 } from "../helpers/s3.js";
import { type AwsStandin, startAwsStandin } from "../helpers/standins/cloudwatch-server.js";
import { type SqsStandin, startSqsStandin } from "../helpers/standins/sqs-server.js";

describe("SQS source", () => {
  let sqs: SqsStandin;
  before(async () => {
    sqs = await startSqsStandin();
  });
  after(() => sqs.stop());

  test("a queue by name, URL or ARN; an unknown one is NotFound (exit 3), a malformed one exit 2", async () => {
    const url = sqs.createQueue("orders-dlq");
    const run = testRun(sqs.endpoint);
    assert.deepEqual(await resolveQueue(run, "orders-dlq"), { url, name: "orders-dlq" });
    assert.deepEqual(await resolveQueue(run, sqs.queueArn("orders-dlq")), { url, name: "orders-dlq" });
    assert.equal((await resolveQueue(run, url)).url, url);
    await assert.rejects(resolveQueue(run, "no-such-queue"), (e) => e instanceof NotFoundError);
    await assert.rejects(resolveQueue(run, "arn:aws:sqs:us-east-1:999999999999:orders-dlq"), NotFoundError);
    await assert.rejects(resolveQueue(run, "bad name!"), UsageError);
  });

  test("receives every message (more than one call of 10), each once, then makes them visible again", async () => {
    sqs.createQueue("many");
    const bodies = Array.from({ length: 23 }, (_, i) =>
      JSON.stringify(onFailureRecord({ batchSize: i + 1 })),
    );
    for (const b of bodies) sqs.send("many", b);
    const run = testRun(sqs.endpoint);
    const queue = await resolveQueue(run, "many");
    const got = await receiveAll(run, queue);
    assert.deepEqual(got.map((m) => m.body).sort(), [...bodies].sort());
    const receives = sqs.log.filter((l) => l.op === "ReceiveMessage" && l.queueUrl === queue.url);
    assert.ok(receives.length >= 3, `${receives.length} receive calls`);
    for (const r of receives) {
      assert.ok((r.body.MaxNumberOfMessages as number) <= 10);
      assert.ok((r.body.WaitTimeSeconds as number) > 0, "long polling");
    }
    assert.ok(
      sqs.messages("many").every((m) => !m.visible),
      "held while read",
    );
    assert.deepEqual(await releaseMessages(run, queue, got), []);
    assert.ok(
      sqs.messages("many").every((m) => m.visible),
      "visible again",
    );
    assert.equal(sqs.messages("many").length, 23);
    // A second read sees them all again.
    const again = await receiveAll(run, queue);
    assert.equal(again.length, 23);
    await releaseMessages(run, queue, again);
  });

  test("deletes only the messages asked for; an empty queue gives nothing", async () => {
    sqs.createQueue("del");
    for (let i = 0; i < 3; i++) sqs.send("del", JSON.stringify(onFailureRecord({ batchSize: i })));
    const run = testRun(sqs.endpoint);
    const queue = await resolveQueue(run, "del");
    const got = await receiveAll(run, queue);
    assert.deepEqual(await deleteMessages(run, queue, got.slice(0, 2)), []);
    await releaseMessages(run, queue, got.slice(2));
    assert.equal(sqs.messages("del").length, 1);
    assert.equal(sqs.messages("del")[0]?.visible, true);
    sqs.createQueue("empty");
    assert.deepEqual(await receiveAll(run, await resolveQueue(run, "empty")), []);
  });

  test("access denied on ReceiveMessage is exit 4", async () => {
    sqs.createQueue("denied");
    const run = testRun(sqs.endpoint);
    const queue = await resolveQueue(run, "denied");
    sqs.denyOperation("ReceiveMessage");
    try {
      await assert.rejects(receiveAll(run, queue), (e: { exitCode?: number }) => e.exitCode === 4);
    } finally {
      sqs.denyOperation(undefined);
    }
  });
});

describe("S3 source", () => {
  let s3: S3Emulator;
  before(async () => {
    s3 = await startS3();
  });
  after(() => s3.stop());

  test("lists every page of a prefix and reads each object; deletes one", async () => {
    const objects: Record<string, string> = {};
    for (let i = 0; i < 7; i++) {
      objects[`aws/lambda/uuid-1/shardId-1/2026/01/31/2026-01-31T09.14.0${i}-x${i}`] = JSON.stringify(
        onFailureRecord({ batchSize: i }, { payload: JSON.stringify({ Records: [] }) }),
      );
    }
    objects["other/unrelated"] = "{}";
    await s3.bucket("failures", objects);
    const run = testRun(s3.endpoint);
    const loc = parseS3Url("s3://failures/aws/lambda/");
    const keys = await listObjects(run, loc, { pageSize: 3 });
    assert.deepEqual(
      keys,
      Object.keys(objects)
        .filter((k) => k.startsWith("aws/"))
        .sort(),
    );
    const text = await readObject(run, "failures", keys[2] as string);
    assert.equal(JSON.parse(text).DDBStreamBatchInfo.batchSize, 2);
    await deleteObject(run, "failures", keys[0] as string);
    assert.equal((await listObjects(run, loc)).length, 6);
  });

  test("an unknown bucket is NotFound; S3 locations and bucket ARNs are parsed", async () => {
    const run = testRun(s3.endpoint);
    await assert.rejects(listObjects(run, parseS3Url("s3://no-such-bucket/x")), NotFoundError);
    assert.deepEqual(parseS3Url("s3://b-1/"), { bucket: "b-1", prefix: "" });
    assert.deepEqual(parseS3Url("s3://b-1"), { bucket: "b-1", prefix: "" });
    assert.throws(() => parseS3Url("https://b/x"), UsageError);
    assert.equal(bucketOfArn("arn:aws:s3:::my-failures"), "my-failures");
    assert.equal(bucketOfArn("arn:aws:sqs:us-east-1:123456789012:q"), undefined);
  });
});

describe("mappings and their on-failure destinations (Lambda stand-in)", () => {
  let aws: AwsStandin;
  before(async () => {
    aws = await startAwsStandin();
  });
  after(() => aws.stop());

  test("all mappings on a stream, a function's DynamoDB mappings, the mapping of a failure record", async () => {
    const fn = aws.addFunction("order-handler");
    const other = aws.addFunction("audit");
    const onStream = aws.addEventSourceMapping({
      EventSourceArn: DOC_STREAM_ARN,
      FunctionArn: fn,
      DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:123456789012:orders-dlq" } },
      FilterCriteria: { Filters: [{ Pattern: '{"eventName":["INSERT"]}' }] },
    });
    aws.addEventSourceMapping({ EventSourceArn: DOC_STREAM_ARN, FunctionArn: other });
    aws.addEventSourceMapping({
      EventSourceArn: "arn:aws:sqs:us-east-1:123456789012:incoming",
      FunctionArn: fn,
    });
    const run = testRun(aws.endpoint);
    const all = await mappingsOfStream(run, DOC_STREAM_ARN);
    assert.deepEqual(
      all.map((m) => [m.functionArn, m.destination]),
      [
        [fn, "arn:aws:sqs:us-east-1:123456789012:orders-dlq"],
        [other, undefined],
      ],
    );
    const mine = await mappingsOfFunction(run, "order-handler");
    assert.deepEqual(
      mine.map((m) => m.uuid),
      [onStream],
    );
    assert.deepEqual(mine[0]?.filters, [{ Pattern: '{"eventName":["INSERT"]}' }]);
    await assert.rejects(mappingsOfFunction(run, "nobody"), NotFoundError);
    assert.equal((await mappingOfFailure(run, fn, DOC_STREAM_ARN))?.uuid, onStream);
    assert.equal(await mappingOfFailure(run, aws.addFunction("stranger"), DOC_STREAM_ARN), undefined);
  });
});
