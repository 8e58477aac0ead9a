// `describe` lists a stream's Lambda consumers and `disable` names the mappings that would lose their
// stream before it asks for confirmation: DynamoDB Local for the table, the Lambda stand-in (through
// AWS_ENDPOINT_URL_LAMBDA) for mappings seeded on DynamoDB Local's `ddblocal` stream ARN. The prompt
// needs a terminal, so that test runs the CLI in-process with a fake one.
import assert from "node:assert/strict";
import { before, describe, type TestContext, test } from "node:test";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { run } from "../../src/cli.js";
import { runCli } from "../helpers/cli.js";
import { cliEnv, clients, createTable, ddbEndpoint } from "../helpers/ddb.js";
import { fakeTerminal } from "../helpers/fake-tty.js";
import { type AwsStandin, startAwsStandin } from "../helpers/standins/cloudwatch-server.js";

let endpoint = "";
before(async () => {
  endpoint = await ddbEndpoint();
});

async function setup(
  t: TestContext,
): Promise<{ aws: AwsStandin; table: string; streamArn: string; uuids: string[] }> {
  const aws = await startAwsStandin();
  t.after(() => aws.stop());
  const table = await createTable(endpoint);
  const { ddb } = clients(endpoint);
  const streamArn =
    (await ddb.send(new DescribeTableCommand({ TableName: table }))).Table?.LatestStreamArn ?? "";
  ddb.destroy();
  const uuids = [
    aws.addEventSourceMapping({
      EventSourceArn: streamArn,
      FunctionArn: aws.addFunction("fn-a"),
      LastProcessingResult: "OK",
    }),
    aws.addEventSourceMapping({
      EventSourceArn: streamArn,
      FunctionArn: aws.addFunction("fn-b"),
      State: "Disabled",
    }),
  ];
  return { aws, table, streamArn, uuids };
}

describe("consumers in describe and disable", () => {
  test("describe lists the Lambda consumers (JSON and a table); without a Lambda endpoint for DynamoDB Local, says so", async (t) => {
    const { aws, table, uuids } = await setup(t);
    const env = cliEnv(endpoint, { AWS_ENDPOINT_URL_LAMBDA: aws.endpoint });
    const j = await runCli(["describe", table, "--json"], { env });
    assert.equal(j.code, 0, j.stderr);
    const consumers = (JSON.parse(j.stdout) as { consumers: unknown }).consumers;
    assert.deepEqual(consumers, [
      {
        uuid: uuids[0],
        functionArn: "arn:aws:lambda:us-east-1:123456789012:function:fn-a",
        state: "Enabled",
        lastProcessingResult: "OK",
        onFailureDestination: null,
        onFailureWaiting: null,
      },
      {
        uuid: uuids[1],
        functionArn: "arn:aws:lambda:us-east-1:123456789012:function:fn-b",
        state: "Disabled",
        lastProcessingResult: "No records processed",
        onFailureDestination: null,
        onFailureWaiting: null,
      },
    ]);
    const pretty = await runCli(["describe", table], { env });
    assert.equal(pretty.code, 0, pretty.stderr);
    assert.match(
      pretty.stdout,
      /^consumers: +2 Lambda event source mappings \(listed below; lag: dynastream lag \S+\)$/m,
    );
    assert.match(pretty.stdout, /^ +FUNCTION +STATE +LAST RESULT +ON-FAILURE +MAPPING UUID$/m);
    assert.match(pretty.stdout, new RegExp(`^ +fn-a +Enabled +OK +none +${uuids[0]}$`, "m"));
    assert.match(
      pretty.stdout,
      new RegExp(`^ +fn-b +Disabled +No records processed +none +${uuids[1]}$`, "m"),
    );

    const local = await runCli(["describe", table, "--json"], { env: cliEnv(endpoint) });
    assert.equal(local.code, 0, local.stderr);
    assert.equal((JSON.parse(local.stdout) as { consumers: unknown }).consumers, null);
    assert.equal(
      aws.requestsFor("lambda").length,
      2,
      "only the two runs with AWS_ENDPOINT_URL_LAMBDA asked Lambda",
    );
  });

  test("disable --yes names the mappings that lose their stream", async (t) => {
    const { aws, table, uuids } = await setup(t);
    const r = await runCli(["disable", table, "--yes"], {
      env: cliEnv(endpoint, { AWS_ENDPOINT_URL_LAMBDA: aws.endpoint }),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `these event source mappings will lose their stream: fn-a \\(${uuids[0]}, Enabled\\), fn-b \\(${uuids[1]}, Disabled\\)`,
      ),
    );
  });

  test("disable on a terminal names the mappings BEFORE it asks; answering no changes nothing", async (t) => {
    const { aws, table, uuids } = await setup(t);
    // In-process: the SDK reads endpoints and credentials from process.env.
    const env = cliEnv(endpoint, { AWS_ENDPOINT_URL_LAMBDA: aws.endpoint });
    const saved = { ...process.env };
    Object.assign(process.env, env);
    t.after(() => {
      for (const k of Object.keys(env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    });
    const term = fakeTerminal(process.env);
    const code = run(["disable", table, "--no-color"], term.deps);
    await term.stderr.until((s) => s.includes("[y/N]"));
    term.stdin.write("n\n");
    assert.equal(await code, 2);
    const err = term.stderr.text;
    const named = err.indexOf(`fn-a (${uuids[0]}, Enabled)`);
    const asked = err.indexOf(`Disable the stream of ${table}? [y/N]`);
    assert.ok(named >= 0, err);
    assert.ok(asked > named, `the mappings are named before the question:\n${err}`);
    assert.match(err, /cancelled; nothing was changed/);
    const still = await runCli(["describe", table, "--json"], { env });
    assert.equal((JSON.parse(still.stdout) as { status: string }).status, "ENABLED");
  });
});
