// describe and lag show each mapping's on-failure destination and, for an SQS queue, how many failed
// batches wait there (GetQueueAttributes ApproximateNumberOfMessages); lag warns while any wait.
// DynamoDB Local for the table, the Lambda + CloudWatch stand-in for the mappings, the SQS stand-in.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { runCli } from "../helpers/cli.js";
import { cliEnv, clients, createTable, ddbEndpoint } from "../helpers/ddb.js";
import { onFailureRecord } from "../helpers/dlq.js";
import { type AwsStandin, startAwsStandin } from "../helpers/standins/cloudwatch-server.js";
import { type SqsStandin, startSqsStandin } from "../helpers/standins/sqs-server.js";

let endpoint = "";
let aws: AwsStandin;
let sqs: SqsStandin;
before(async () => {
  endpoint = await ddbEndpoint();
  [aws, sqs] = await Promise.all([startAwsStandin(), startSqsStandin()]);
});
after(async () => {
  await Promise.all([aws?.stop(), sqs?.stop()]);
});

test("describe and lag: the on-failure queue and the failed batches waiting in it", async () => {
  const table = await createTable(endpoint);
  const { ddb } = clients(endpoint);
  const streamArn = (await ddb.send(new DescribeTableCommand({ TableName: table }))).Table
    ?.LatestStreamArn as string;
  ddb.destroy();
  sqs.createQueue("orders-dlq");
  sqs.send("orders-dlq", JSON.stringify(onFailureRecord()));
  sqs.send("orders-dlq", JSON.stringify(onFailureRecord({ batchSize: 2 })));
  const uuid = aws.addEventSourceMapping({
    EventSourceArn: streamArn,
    FunctionArn: aws.addFunction("order-handler"),
    DestinationConfig: { OnFailure: { Destination: sqs.queueArn("orders-dlq") } },
    MaximumRetryAttempts: 2,
  });
  const env = cliEnv(endpoint, {
    AWS_ENDPOINT_URL_LAMBDA: aws.endpoint,
    AWS_ENDPOINT_URL_CLOUDWATCH: aws.endpoint,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
  });
  const d = await runCli(["describe", table, "--json"], { env });
  assert.equal(d.code, 0, d.stderr);
  const consumers = (JSON.parse(d.stdout) as { consumers: Array<Record<string, unknown>> }).consumers;
  assert.equal(consumers[0]?.uuid, uuid);
  assert.equal(consumers[0]?.onFailureDestination, sqs.queueArn("orders-dlq"));
  assert.equal(consumers[0]?.onFailureWaiting, 2);
  const pretty = await runCli(["describe", table], { env });
  assert.match(pretty.stdout, /order-handler +Enabled +No records processed +orders-dlq \(2 waiting\)/);

  const lag = await runCli(["lag", table, "--json"], { env });
  assert.equal(lag.code, 0, lag.stderr);
  const c = (JSON.parse(lag.stdout) as { consumers: Array<Record<string, unknown>> }).consumers[0];
  assert.equal(c?.onFailureWaiting, 2);
  assert.ok(
    ((c?.warnings ?? []) as string[]).some((w) =>
      /^2 failed batches wait in the on-failure queue orders-dlq: .*dynastream dlq --queue orders-dlq$/.test(
        w,
      ),
    ),
    JSON.stringify(c?.warnings),
  );
  // Reading the queue does not change what waits there.
  assert.equal(sqs.messages("orders-dlq").filter((m) => m.visible).length, 2);

  // Without an SQS endpoint for DynamoDB Local, the count is not asked for (null), nothing fails.
  const noSqs = await runCli(["describe", table, "--json"], {
    env: cliEnv(endpoint, { AWS_ENDPOINT_URL_LAMBDA: aws.endpoint }),
  });
  assert.equal(noSqs.code, 0, noSqs.stderr);
  assert.equal(
    (JSON.parse(noSqs.stdout) as { consumers: Array<Record<string, unknown>> }).consumers[0]
      ?.onFailureWaiting,
    null,
  );
});
