// `dlq --delete` on a terminal: it asks after the records were written; yes deletes, no keeps, and
// Ctrl-C at the question keeps every message and makes it visible again (exit 130). In-process with a
// fake terminal; DynamoDB Local for the stream, the SQS stand-in for the queue.
import assert from "node:assert/strict";
import { after, before, describe, type TestContext, test } from "node:test";
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
import { type SqsStandin, startSqsStandin } from "../helpers/standins/sqs-server.js";

let endpoint = "";
let sqs: SqsStandin;
let body = "";
before(async () => {
  endpoint = await ddbEndpoint();
  sqs = await startSqsStandin();
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
  body = JSON.stringify(
    onFailureRecord({
      streamArn,
      shardId,
      startSequenceNumber: seq,
      endSequenceNumber: seq,
      approximateArrivalOfFirstRecord: new Date().toISOString(),
    }),
  );
});
after(() => sqs?.stop());

/** Runs `dlq --queue <queue> --delete` in-process on a fake terminal (the SDK reads process.env). */
function start(t: TestContext, queue: string) {
  const env = cliEnv(endpoint, { AWS_ENDPOINT_URL_SQS: sqs.endpoint });
  const saved = { ...process.env };
  Object.assign(process.env, env);
  t.after(() => {
    for (const k of Object.keys(env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });
  const term = fakeTerminal(process.env);
  const code = run(["dlq", "--queue", queue, "--delete", "--no-color"], term.deps);
  return { term, code };
}

describe("dlq --delete on a terminal", () => {
  test("asks after the records were written; yes deletes", async (t) => {
    sqs.createQueue("t-yes");
    sqs.send("t-yes", body);
    const { term, code } = start(t, "t-yes");
    await term.stderr.until((s) => s.includes("[y/N]"));
    assert.match(term.stdout.text, /FAILED BATCH myfunction/);
    assert.match(term.stdout.text, /INSERT .* pk=order-1/);
    term.stdin.write("y\n");
    assert.equal(await code, 0, term.stderr.text);
    assert.match(term.stderr.text, /deleted 1 message/);
    assert.equal(sqs.messages("t-yes").length, 0);
  });

  test("no keeps the messages, visible again", async (t) => {
    sqs.createQueue("t-no");
    sqs.send("t-no", body);
    const { term, code } = start(t, "t-no");
    await term.stderr.until((s) => s.includes("[y/N]"));
    term.stdin.write("n\n");
    assert.equal(await code, 0, term.stderr.text);
    assert.match(term.stderr.text, /nothing deleted/);
    assert.equal(sqs.messages("t-no").length, 1);
    assert.ok(sqs.messages("t-no").every((m) => m.visible));
  });

  test("Ctrl-C at the question: exit 130, nothing deleted, messages visible again", async (t) => {
    sqs.createQueue("t-int");
    sqs.send("t-int", body);
    const { term, code } = start(t, "t-int");
    await term.stderr.until((s) => s.includes("[y/N]"));
    term.ctrlC();
    assert.equal(await code, 130, term.stderr.text);
    assert.equal(sqs.messages("t-int").length, 1);
    assert.ok(sqs.messages("t-int").every((m) => m.visible));
  });
});
