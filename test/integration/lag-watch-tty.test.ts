// `lag --watch` on a terminal refreshes in place, and Ctrl-C ends it with exit 130. Runs the CLI
// in-process with a fake terminal (DynamoDB Local for the table, the stand-in for Lambda/CloudWatch).
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { run } from "../../src/cli.js";
import { cliEnv, clients, createTable, ddbEndpoint } from "../helpers/ddb.js";
import { fakeTerminal } from "../helpers/fake-tty.js";
import { startAwsStandin } from "../helpers/standins/cloudwatch-server.js";

let endpoint = "";
before(async () => {
  endpoint = await ddbEndpoint();
});

const CLEAR = "\u001b[H\u001b[2J";

test("--watch on a terminal clears and redraws in place each interval; Ctrl-C exits 130", async (t) => {
  const aws = await startAwsStandin();
  t.after(() => aws.stop());
  const table = await createTable(endpoint);
  const { ddb } = clients(endpoint);
  const streamArn =
    (await ddb.send(new DescribeTableCommand({ TableName: table }))).Table?.LatestStreamArn ?? "";
  ddb.destroy();
  aws.addEventSourceMapping({ EventSourceArn: streamArn, FunctionArn: aws.addFunction("fn-a") });
  aws.putDatapoints(
    { namespace: "AWS/Lambda", metricName: "IteratorAge", dimensions: { FunctionName: "fn-a" } },
    [{ t: Date.now() - 120_000, value: 1234 }],
  );
  // In-process: the SDK reads endpoints and credentials from process.env.
  const env = cliEnv(endpoint, {
    AWS_ENDPOINT_URL_LAMBDA: aws.endpoint,
    AWS_ENDPOINT_URL_CLOUDWATCH: aws.endpoint,
  });
  Object.assign(process.env, env);
  const term = fakeTerminal(process.env);
  const code = run(["lag", table, "--watch", "--interval", "1s"], term.deps);
  await term.stdout.until((s) => s.split(CLEAR).length >= 3);
  term.ctrlC();
  assert.equal(await code, 130);
  const frames = term.stdout.text.split(CLEAR).slice(1);
  assert.ok(frames.length >= 2);
  assert.ok(term.stdout.text.startsWith(CLEAR), "each refresh starts by clearing the screen");
  for (const f of frames.slice(0, 2)) {
    assert.match(f, /FUNCTION/);
    assert.match(f, /fn-a +Enabled +No records processed +1s +1s /, "age 1234 ms, now and max");
    assert.match(f, /every 1s · Ctrl-C to stop/);
  }
  assert.ok(aws.requestsFor("cloudwatch", "GetMetricData").length >= 2, "one GetMetricData per refresh");
});
