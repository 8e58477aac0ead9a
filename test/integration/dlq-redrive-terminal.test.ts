// `dlq --redrive` on a terminal: redriving to the deployed function asks first (no: nothing invoked,
// exit 2, the message visible again; yes: invoked, then --delete asks for the batches that
// succeeded); a local --handler is not asked about. In-process with a fake terminal; DynamoDB Local
// for the stream, the SQS stand-in for the queue, the Lambda stand-in for the deployed function.
import assert from "node:assert/strict";
import { after, before, describe, type TestContext, test } from "node:test";
import { fileURLToPath } from "node:url";
import { DescribeTableCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";
import { run } from "../../src/cli.js";
import { cliEnv, clients, createTable, ddbEndpoint } from "../helpers/ddb.js";
import { onFailureRecord } from "../helpers/dlq.js";
import { fakeTerminal } from "../helpers/fake-tty.js";
import { type AwsStandin, startAwsStandin } from "../helpers/standins/cloudwatch-server.js";
import { type SqsStandin, startSqsStandin } from "../helpers/standins/sqs-server.js";

const ACTIONS = fileURLToPath(new URL("../fixtures/handlers/actions.mjs", import.meta.url));

let endpoint = "";
let sqs: SqsStandin;
let aws: AwsStandin;
let body = "";
const invoked: unknown[] = [];
before(async () => {
  endpoint = await ddbEndpoint();
  [sqs, aws] = await Promise.all([startSqsStandin(), startAwsStandin()]);
  const fnArn = aws.addFunction("order-handler", {
    invoke: (event) => {
      invoked.push(event);
      return { response: null };
    },
  });
  const c = clients(endpoint);
  const table = await createTable(endpoint);
  await c.ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "order-1" } } }));
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
  const seq = (await c.streams.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }))).Records?.[0]
    ?.dynamodb?.SequenceNumber as string;
  c.ddb.destroy();
  c.streams.destroy();
  const rec = onFailureRecord({
    streamArn,
    shardId,
    startSequenceNumber: seq,
    endSequenceNumber: seq,
    approximateArrivalOfFirstRecord: new Date().toISOString(),
  });
  (rec.requestContext as Record<string, unknown>).functionArn = fnArn;
  body = JSON.stringify(rec);
});
after(async () => {
  await Promise.all([sqs?.stop(), aws?.stop()]);
});

/** Runs `dlq --queue <queue> ...extra` in-process on a fake terminal (the SDK reads process.env). */
function start(t: TestContext, queue: string, extra: string[]) {
  const env = cliEnv(endpoint, { AWS_ENDPOINT_URL_SQS: sqs.endpoint, AWS_ENDPOINT_URL_LAMBDA: aws.endpoint });
  const saved = { ...process.env };
  Object.assign(process.env, env);
  t.after(() => {
    for (const k of Object.keys(env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });
  const term = fakeTerminal(process.env);
  const code = run(["dlq", "--queue", queue, "--no-color", ...extra], term.deps);
  return { term, code };
}

describe("dlq --redrive on a terminal", () => {
  test("the deployed function: asks first; no invokes nothing and keeps the message (exit 2)", async (t) => {
    sqs.createQueue("rt-no");
    sqs.send("rt-no", body);
    invoked.length = 0;
    const { term, code } = start(t, "rt-no", ["--redrive", "--delete"]);
    await term.stderr.until((s) => s.includes("[y/N]"));
    assert.match(
      term.stderr.text,
      /Invoke the deployed function order-handler \(production code\) with the records of 1 failed batch\?/,
    );
    assert.match(term.stdout.text, /FAILED BATCH order-handler/);
    term.stdin.write("n\n");
    assert.equal(await code, 2, term.stderr.text);
    assert.match(term.stderr.text, /not confirmed: nothing was invoked/);
    assert.equal(invoked.length, 0);
    assert.equal(sqs.messages("rt-no").length, 1);
    assert.ok(sqs.messages("rt-no").every((m) => m.visible));
  });

  test("yes invokes it; --delete then asks about the batches that succeeded", async (t) => {
    sqs.createQueue("rt-yes");
    sqs.send("rt-yes", body);
    invoked.length = 0;
    const { term, code } = start(t, "rt-yes", ["--redrive", "--delete"]);
    await term.stderr.until((s) => s.includes("[y/N]"));
    term.stdin.write("y\n");
    await term.stderr.until((s) => s.includes("redriven successfully?"));
    assert.equal(invoked.length, 1);
    assert.match(term.stderr.text, /redriven batch .* to order-handler: 1 record delivered in 1 invocation/);
    term.stdin.write("y\n");
    assert.equal(await code, 0, term.stderr.text);
    assert.match(term.stderr.text, /deleted 1 message/);
    assert.equal(sqs.messages("rt-yes").length, 0);
  });

  test("a local --handler is not asked about", async (t) => {
    sqs.createQueue("rt-local");
    sqs.send("rt-local", body);
    invoked.length = 0;
    const { term, code } = start(t, "rt-local", ["--redrive", "--handler", ACTIONS]);
    assert.equal(await code, 0, term.stderr.text);
    assert.doesNotMatch(term.stderr.text, /\[y\/N\]/);
    assert.match(term.stderr.text, /batch of 1, invocation 1 of this process, order-handler/);
    assert.match(term.stderr.text, /redriven batch .* to a local handler as order-handler/);
    assert.equal(invoked.length, 0);
    assert.equal(sqs.messages("rt-local").length, 1);
    assert.ok(sqs.messages("rt-local").every((m) => m.visible));
  });
});
