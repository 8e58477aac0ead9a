// `dynastream doctor`, the built binary: against DynamoDB Local (the happy path), the STS stand-in
// (caller identity; no emulator has STS), the denial proxy (a role without an action), the Lambda and
// CloudWatch stand-in, the Kinesis destination (kinesalite behind the destination stand-in), the SQS
// stand-in for on-failure queues, and the three situations a newcomer meets first: no region, an
// endpoint that does not answer, a denied action. Each ✗ line comes with its fix.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { runCli } from "../helpers/cli.js";
import { cliEnv, clients, createTable, ddbEndpoint, TEST_CREDENTIALS } from "../helpers/ddb.js";
import { kinesisEmulator } from "../helpers/kinesis.js";
import { startAwsStandin } from "../helpers/standins/cloudwatch-server.js";
import { startDenyProxy } from "../helpers/standins/deny-proxy.js";
import { startDestinationStandin } from "../helpers/standins/kinesis-destination-server.js";
import { startSqsStandin } from "../helpers/standins/sqs-server.js";
import { type StsStandin, startStsStandin } from "../helpers/standins/sts-server.js";

interface DoctorJson {
  ok: boolean;
  exitCode: number;
  checks: Array<{
    id: string;
    status: string;
    summary: string;
    fix?: string;
    data?: Record<string, unknown>;
  }>;
}

const IDENTITY = {
  arn: "arn:aws:iam::123456789012:user/dev",
  account: "123456789012",
  userId: "AIDAEXAMPLE",
};
let endpoint = "";
let sts: StsStandin;
const home = mkdtempSync(join(tmpdir(), "dynastream-doctor-"));
after(() => rmSync(home, { recursive: true, force: true }));

before(async () => {
  endpoint = await ddbEndpoint();
  sts = await startStsStandin({ [TEST_CREDENTIALS.accessKeyId]: IDENTITY });
});
after(() => sts.stop());

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function parse(stdout: string): DoctorJson {
  return JSON.parse(stdout) as DoctorJson;
}
function check(j: DoctorJson, id: string): DoctorJson["checks"][number] {
  const c = j.checks.find((x) => x.id === id);
  assert.ok(c, `check ${id} in ${JSON.stringify(j.checks.map((x) => x.id))}`);
  return c;
}

test("happy path: DynamoDB Local and the STS stand-in, every probe allowed, exit 0", async () => {
  const table = await createTable(endpoint);
  const env = cliEnv(endpoint, { AWS_ENDPOINT_URL_STS: sts.endpoint });
  const r = await runCli(["doctor", table], { env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /✓ credentials +environment variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY/);
  assert.match(r.stdout, /✓ region +us-east-1 \(from AWS_REGION\)/);
  assert.match(
    r.stdout,
    new RegExp(
      `✓ endpoint +DynamoDB, DynamoDB Streams, Lambda, CloudWatch, Kinesis, SQS: ${endpoint} \\(AWS_ENDPOINT_URL\\) answers`,
    ),
  );
  assert.match(r.stdout, new RegExp(`✓ endpoint +STS: ${sts.endpoint} \\(AWS_ENDPOINT_URL_STS\\) answers`));
  assert.match(r.stdout, /✓ identity +arn:aws:iam::123456789012:user\/dev \(account 123456789012\)/);
  for (const a of ["DescribeTable", "ListStreams", "DescribeStream", "GetShardIterator", "GetRecords"])
    assert.match(r.stdout, new RegExp(`✓ dynamodb:${a} +allowed`));
  assert.match(r.stdout, /- lambda:ListEventSourceMappings +not checked: DynamoDB Local has no Lambda/);
  assert.match(
    r.stdout,
    /- dynamodb:DescribeKinesisStreamingDestination +not checked: the DynamoDB endpoint has no Kinesis destination operations \(DynamoDB Local\)/,
  );
  assert.match(
    r.stdout,
    /- sqs +on-failure queues not checked: the stream's Lambda mappings were not listed/,
  );
  assert.doesNotMatch(r.stdout + r.stderr, new RegExp(TEST_CREDENTIALS.secretAccessKey));
  assert.doesNotMatch(r.stderr, /NodeVersionSupportWarning/);
  assert.deepEqual(sts.actions.slice(-1), ["GetCallerIdentity"]);

  const j = await runCli(["doctor", table, "--json"], { env });
  assert.equal(j.code, 0, j.stderr);
  const doc = parse(j.stdout);
  assert.equal(doc.ok, true);
  assert.deepEqual(check(doc, "identity").data, {
    arn: IDENTITY.arn,
    account: IDENTITY.account,
    userId: IDENTITY.userId,
  });
  assert.equal(check(doc, "credentials").data?.source, "environment");
  assert.equal(check(doc, "dynamodb:GetRecords").data?.allowed, true);
  assert.equal(j.stdout.includes("\x1b"), false);
});

test("without a table: identity and setup only; DynamoDB Local as STS is a warning, not a failure", async () => {
  const r = await runCli(["doctor", "--json"], { env: cliEnv(endpoint) });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const doc = parse(r.stdout);
  assert.equal(check(doc, "identity").status, "warn");
  assert.match(check(doc, "identity").fix ?? "", /AWS_ENDPOINT_URL_STS/);
  assert.equal(
    doc.checks.some((c) => c.id.includes(":")),
    false,
  );
});

test("missing region: ✗ region with the fix, exit 1, nothing asked of AWS", async () => {
  const env = cliEnv(endpoint, { AWS_ENDPOINT_URL_STS: sts.endpoint });
  delete (env as Record<string, string | undefined>).AWS_REGION;
  const calls = (): number => sts.actions.filter((a) => a === "GetCallerIdentity").length;
  const before = calls();
  const r = await runCli(["doctor", "Orders"], { env });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    /✗ region +no region: not in --region, AWS_REGION, AWS_DEFAULT_REGION or the profile/,
  );
  assert.match(
    r.stdout,
    /fix: pass --region, export AWS_REGION=us-east-1, or run: aws configure set region <region>/,
  );
  assert.match(r.stdout, /- identity +sts:GetCallerIdentity not checked: no region/);
  assert.equal(calls(), before); // only the endpoint was probed (GET /)
  // The profile's region counts.
  const config = join(home, "config-region");
  writeFileSync(config, "[default]\nregion = eu-west-1\n");
  const withProfile = await runCli(["doctor", "--json"], {
    env: { ...env, AWS_CONFIG_FILE: config, AWS_ENDPOINT_URL_STS: sts.endpoint },
  });
  assert.equal(
    check(parse(withProfile.stdout), "region").summary,
    `eu-west-1 (from profile default in ${config})`,
  );
});

test("unreachable endpoint: ✗ endpoint naming the variable to unset, its calls skipped, exit 1", async () => {
  const dead = `http://127.0.0.1:${await closedPort()}`;
  const r = await runCli(["doctor", "Orders"], { env: cliEnv(dead, { AWS_ENDPOINT_URL_STS: sts.endpoint }) });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    new RegExp(
      `✗ endpoint +DynamoDB, DynamoDB Streams, Lambda, CloudWatch, Kinesis, SQS: ${dead} \\(AWS_ENDPOINT_URL\\) does not answer: ECONNREFUSED`,
    ),
  );
  assert.match(r.stdout, /fix: start the server it names, or unset AWS_ENDPOINT_URL to use AWS/);
  assert.match(r.stdout, /- dynamodb:DescribeTable +not checked: the DynamoDB endpoint does not answer/);
  assert.match(r.stdout, /✓ identity/);
  // --endpoint-url overrides the variables, and its fix says so.
  const flag = await runCli(["doctor", "--endpoint-url", dead, "--json"], { env: cliEnv(endpoint) });
  assert.equal(flag.code, 1);
  const ep = check(parse(flag.stdout), "endpoint");
  assert.equal(ep.status, "fail");
  assert.deepEqual(ep.data?.source, ["--endpoint-url"]);
  assert.match(ep.fix ?? "", /check the URL/);
});

test("denied action: ✗ with the IAM action to allow and the principal; the probes only read", async (t) => {
  const table = await createTable(endpoint);
  const proxy = await startDenyProxy(endpoint, ["DescribeStream"]);
  t.after(() => proxy.stop());
  const aws = await startAwsStandin();
  t.after(() => aws.stop());
  aws.faults.inject({ service: "lambda", op: "ListEventSourceMappings", kind: "accessDenied" });
  const env = cliEnv(proxy.endpoint, {
    AWS_ENDPOINT_URL_STS: sts.endpoint,
    AWS_ENDPOINT_URL_LAMBDA: aws.endpoint,
    AWS_ENDPOINT_URL_CLOUDWATCH: aws.endpoint,
  });
  const r = await runCli(["doctor", table], { env });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /✗ dynamodb:DescribeStream +denied \(AccessDeniedException\)/);
  assert.match(
    r.stdout,
    /fix: allow dynamodb:DescribeStream on arn:aws:dynamodb:ddblocal:000000000000:table\/[^ ]+\/stream\/\* to arn:aws:iam::123456789012:user\/dev \(used by describe, shards, tail/,
  );
  assert.match(r.stdout, /- dynamodb:GetShardIterator +not checked: DescribeStream failed/);
  assert.match(r.stdout, /✗ lambda:ListEventSourceMappings +denied \(AccessDeniedException\)/);
  assert.match(r.stdout, /fix: allow lambda:ListEventSourceMappings on \*/);
  assert.match(r.stdout, /✓ cloudwatch:GetMetricData +allowed/);
  assert.match(r.stdout, /✓ dynamodb:DescribeTable +allowed/);
  // Read-only: every DynamoDB operation it sent is a Describe, List or Get.
  assert.ok(proxy.operations.length >= 3);
  for (const op of proxy.operations) assert.match(op, /^(Describe|List|Get)|^$/); // "": the endpoint probe (GET /)
  // ("unknown.Unknown": the endpoint probe's GET /, which the stand-in answers 404.)
  assert.deepEqual(
    Object.keys(aws.stats())
      .filter((k) => k !== "unknown.Unknown")
      .sort(),
    ["cloudwatch.GetMetricData", "lambda.ListEventSourceMappings"],
  );
});

test("no credentials: ✗ credentials with the fix, exit 4", async () => {
  const env = cliEnv(endpoint);
  delete (env as Record<string, string | undefined>).AWS_ACCESS_KEY_ID;
  delete (env as Record<string, string | undefined>).AWS_SECRET_ACCESS_KEY;
  const r = await runCli(["doctor"], { env });
  assert.equal(r.code, 4, r.stdout + r.stderr);
  assert.match(r.stdout, /✗ credentials +no usable credentials/);
  assert.match(r.stdout, /fix: run `aws configure` or `aws configure sso`/);
  const missing = await runCli(["doctor", "--profile", "nope"], { env });
  assert.equal(missing.code, 4);
  assert.match(missing.stdout, /profile nope is in neither/);
  assert.match(missing.stdout, /fix: check the name, or create it: aws configure --profile nope/);
});

test("credentials rejected by STS (unknown key): exit 4 with the fix", async () => {
  const r = await runCli(["doctor"], {
    env: cliEnv(endpoint, { AWS_ENDPOINT_URL_STS: sts.endpoint, AWS_ACCESS_KEY_ID: "AKIDUNKNOWN" }),
  });
  assert.equal(r.code, 4, r.stdout + r.stderr);
  assert.match(r.stdout, /✗ identity +AWS rejects the credentials: InvalidClientTokenId/);
  const withTable = await runCli(["doctor", "Orders"], {
    env: cliEnv(endpoint, { AWS_ENDPOINT_URL_STS: sts.endpoint, AWS_ACCESS_KEY_ID: "AKIDUNKNOWN" }),
  });
  assert.equal(withTable.code, 4);
  assert.match(withTable.stdout, /- permissions +permissions not checked: AWS rejects the credentials/);
});

test("SSO: the cached token's expiry; expired is exit 4 with `aws sso login --profile`; valid, its role credentials", async () => {
  const h = join(home, "sso");
  mkdirSync(join(h, ".aws", "sso", "cache"), { recursive: true });
  writeFileSync(
    join(h, ".aws", "config"),
    "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\nregion = us-east-1\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n",
  );
  const tokenFile = join(
    h,
    ".aws",
    "sso",
    "cache",
    `${createHash("sha1").update("corp").digest("hex")}.json`,
  );
  writeFileSync(
    tokenFile,
    JSON.stringify({
      accessToken: "SECRET-TOKEN",
      expiresAt: "2020-01-01T00:00:00Z",
      region: "us-east-1",
      startUrl: "https://corp.awsapps.com/start",
    }),
  );
  const env = cliEnv(endpoint, { HOME: h, AWS_CONFIG_FILE: join(h, ".aws", "config") });
  delete (env as Record<string, string | undefined>).AWS_ACCESS_KEY_ID;
  delete (env as Record<string, string | undefined>).AWS_SECRET_ACCESS_KEY;
  const r = await runCli(["doctor", "--profile", "dev"], { env });
  assert.equal(r.code, 4, r.stdout + r.stderr);
  assert.match(r.stdout, /profile dev in .*config: IAM Identity Center \(SSO session corp\)/);
  assert.match(r.stdout, /✗ sso-token +the cached SSO token expired at 2020-01-01T00:00:00Z/);
  assert.match(r.stdout, /fix: sign in again: aws sso login --profile dev/);
  assert.doesNotMatch(r.stdout + r.stderr, /SECRET-TOKEN/);

  // A valid token: its expiry, and the role credentials the SDK gets for it from the portal (a
  // stand-in answering GetRoleCredentials, GET /federation/credentials with the token in
  // x-amz-sso_bearer_token: https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html).
  const expiresAt = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, "Z");
  writeFileSync(
    tokenFile,
    JSON.stringify({
      accessToken: "SECRET-TOKEN",
      expiresAt,
      region: "us-east-1",
      startUrl: "https://corp.awsapps.com/start",
    }),
  );
  const roleExpiry = Date.now() + 3_600_000;
  const portal = createHttpServer((req, res) => {
    const ok =
      req.url?.startsWith("/federation/credentials?") &&
      req.headers["x-amz-sso_bearer_token"] === "SECRET-TOKEN";
    res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
    res.end(
      JSON.stringify(
        ok
          ? {
              roleCredentials: {
                accessKeyId: TEST_CREDENTIALS.accessKeyId,
                secretAccessKey: "ROLE-SECRET",
                sessionToken: "ROLE-SESSION",
                expiration: roleExpiry,
              },
            }
          : { message: "bad token" },
      ),
    );
  });
  await new Promise<void>((resolve) => portal.listen(0, "127.0.0.1", resolve));
  try {
    const valid = await runCli(["doctor", "--profile", "dev", "--json"], {
      env: {
        ...env,
        AWS_ENDPOINT_URL_SSO: `http://127.0.0.1:${(portal.address() as { port: number }).port}`,
        AWS_ENDPOINT_URL_STS: sts.endpoint,
      },
    });
    assert.equal(valid.code, 0, valid.stdout + valid.stderr);
    const doc = parse(valid.stdout);
    assert.equal(check(doc, "sso-token").status, "ok");
    assert.equal(check(doc, "sso-token").summary, `cached SSO token valid until ${expiresAt}`);
    assert.equal(check(doc, "credentials").data?.sdkSource, "SSO");
    assert.equal(check(doc, "credentials").data?.expiresAt, new Date(roleExpiry).toISOString());
    assert.equal(check(doc, "identity").status, "ok");
    assert.doesNotMatch(valid.stdout + valid.stderr, /SECRET-TOKEN|ROLE-SECRET|ROLE-SESSION/);
  } finally {
    await new Promise<void>((resolve) => portal.close(() => resolve()));
  }
});

test("credential_process: named (not run twice, never printed), its credentials used", async () => {
  const h = join(home, "proc");
  mkdirSync(h, { recursive: true });
  const script = join(h, "creds.sh");
  writeFileSync(
    script,
    `#!/bin/sh\necho '{"Version":1,"AccessKeyId":"${TEST_CREDENTIALS.accessKeyId}","SecretAccessKey":"PROCESS-SECRET"}'\n`,
    { mode: 0o755 },
  );
  writeFileSync(join(h, "config"), `[profile proc]\ncredential_process = ${script}\nregion = us-east-1\n`);
  const env = cliEnv(endpoint, { AWS_CONFIG_FILE: join(h, "config"), AWS_ENDPOINT_URL_STS: sts.endpoint });
  delete (env as Record<string, string | undefined>).AWS_ACCESS_KEY_ID;
  delete (env as Record<string, string | undefined>).AWS_SECRET_ACCESS_KEY;
  delete (env as Record<string, string | undefined>).AWS_REGION;
  const r = await runCli(["doctor", "--profile", "proc", "--json"], { env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const doc = parse(r.stdout);
  assert.equal(check(doc, "credentials").data?.source, "credential-process");
  assert.equal(check(doc, "credentials").data?.sdkSource, "credential_process");
  assert.equal(check(doc, "identity").status, "ok");
  assert.doesNotMatch(r.stdout, /PROCESS-SECRET/);
});

test("container role: named by its variable, its credentials used; never printed", async (t) => {
  // The container credentials endpoint (ECS, EKS Pod Identity) as the SDK asks it: GET on
  // AWS_CONTAINER_CREDENTIALS_FULL_URI (loopback allowed), JSON keys back
  // (https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html).
  const expiration = new Date(Date.now() + 3_600_000).toISOString();
  const server = createHttpServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        AccessKeyId: TEST_CREDENTIALS.accessKeyId,
        SecretAccessKey: "CONTAINER-SECRET",
        Token: "CONTAINER-TOKEN",
        Expiration: expiration,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  const env = cliEnv(endpoint, {
    AWS_ENDPOINT_URL_STS: sts.endpoint,
    AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${(server.address() as { port: number }).port}/creds`,
  });
  delete (env as Record<string, string | undefined>).AWS_ACCESS_KEY_ID;
  delete (env as Record<string, string | undefined>).AWS_SECRET_ACCESS_KEY;
  const r = await runCli(["doctor", "--json"], { env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const doc = parse(r.stdout);
  assert.equal(check(doc, "credentials").data?.source, "container-role");
  assert.equal(check(doc, "credentials").data?.sdkSource, "container role");
  assert.match(check(doc, "credentials").summary, /^container role .*, expire at /);
  assert.equal(check(doc, "identity").status, "ok");
  assert.doesNotMatch(r.stdout + r.stderr, /CONTAINER-SECRET|CONTAINER-TOKEN/);
});

test("a malformed table name is a usage error (exit 2) before any AWS call", async () => {
  const r = await runCli(["doctor", "a b"], { env: cliEnv(endpoint) });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /invalid table name/);
});

/**
 * A table with an ACTIVE Kinesis destination (the destination stand-in in front of DynamoDB Local,
 * kinesalite behind `kinesisEndpoint`) and a Lambda mapping on its stream whose on-failure destination
 * is an SQS queue holding one message.
 */
async function kinesisAndQueueSetup(t: { after(fn: () => Promise<void> | void): void }): Promise<{
  table: string;
  kinesisArn: string;
  queueArn: string;
  ddb: string;
  kinesis: string;
  sqs: Awaited<ReturnType<typeof startSqsStandin>>;
  lambda: string;
}> {
  const k = await kinesisEmulator();
  const standin = await startDestinationStandin({
    ddbEndpoint: endpoint,
    kinesisEndpoint: k.endpoint,
    transitionMs: 50,
  });
  t.after(() => standin.stop());
  const table = await createTable(endpoint);
  const stream = await k.createStream();
  const en = await runCli(["enable", table, "--kinesis", stream.name, "--wait"], {
    env: cliEnv(standin.endpoint, { AWS_ENDPOINT_URL_KINESIS: k.endpoint }),
  });
  assert.equal(en.code, 0, en.stderr);
  const sqs = await startSqsStandin();
  t.after(() => sqs.stop());
  sqs.createQueue("orders-dlq");
  sqs.send("orders-dlq", JSON.stringify({ DDBStreamBatchInfo: {} }));
  const aws = await startAwsStandin();
  t.after(() => aws.stop());
  const streamArn = (await clients(endpoint).ddb.send(new DescribeTableCommand({ TableName: table }))).Table
    ?.LatestStreamArn as string;
  aws.addEventSourceMapping({
    EventSourceArn: streamArn,
    FunctionArn: aws.addFunction("order-handler"),
    DestinationConfig: { OnFailure: { Destination: sqs.queueArn("orders-dlq") } },
  });
  return {
    table,
    kinesisArn: stream.arn,
    queueArn: sqs.queueArn("orders-dlq"),
    ddb: standin.endpoint,
    kinesis: k.endpoint,
    sqs,
    lambda: aws.endpoint,
  };
}

test("Kinesis destination and on-failure queue: each read-only probe ✓; ReceiveMessage not probed, said why", async (t) => {
  const s = await kinesisAndQueueSetup(t);
  const k = await kinesisEmulator();
  const callsBefore = new Map(k.calls);
  const env = cliEnv(s.ddb, {
    AWS_ENDPOINT_URL_STS: sts.endpoint,
    AWS_ENDPOINT_URL_KINESIS: s.kinesis,
    AWS_ENDPOINT_URL_LAMBDA: s.lambda,
    AWS_ENDPOINT_URL_CLOUDWATCH: s.lambda,
    AWS_ENDPOINT_URL_SQS: s.sqs.endpoint,
  });
  const r = await runCli(["doctor", s.table], { env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    new RegExp(`✓ endpoint +Kinesis: ${s.kinesis} \\(AWS_ENDPOINT_URL_KINESIS\\) answers`),
  );
  assert.match(r.stdout, new RegExp(`✓ endpoint +SQS: ${s.sqs.endpoint} \\(AWS_ENDPOINT_URL_SQS\\) answers`));
  assert.match(
    r.stdout,
    new RegExp(
      `✓ dynamodb:DescribeKinesisStreamingDestination +allowed \\(Kinesis destinations of ${s.table}: ${s.kinesisArn} ACTIVE\\)`,
    ),
  );
  assert.match(
    r.stdout,
    new RegExp(`✓ kinesis:DescribeStreamSummary +allowed \\(Kinesis stream ${s.kinesisArn}\\)`),
  );
  assert.match(r.stdout, new RegExp(`✓ kinesis:ListShards +allowed \\(shards of ${s.kinesisArn}\\)`));
  assert.match(r.stdout, /✓ kinesis:GetShardIterator +allowed \(Kinesis shard shardId-000000000000\)/);
  assert.match(r.stdout, /✓ kinesis:GetRecords +allowed \(Kinesis shard shardId-000000000000\)/);
  assert.match(r.stdout, /✓ lambda:ListEventSourceMappings +allowed/);
  assert.match(r.stdout, new RegExp(`✓ sqs:GetQueueUrl +allowed \\(on-failure queue ${s.queueArn}\\)`));
  assert.match(
    r.stdout,
    new RegExp(
      `✓ sqs:GetQueueAttributes +allowed \\(on-failure queue ${s.queueArn}: 1 message waiting\\); sqs:ReceiveMessage and sqs:ChangeMessageVisibility \\(dlq\\) not probed: receiving is not read-only`,
    ),
  );
  // Read-only: SQS saw only GetQueueUrl and GetQueueAttributes, the message was never received;
  // Kinesis saw one call of each read operation (and the endpoint probe's GET /).
  assert.deepEqual([...new Set(s.sqs.log.map((e) => e.op))].filter((op) => op !== "").sort(), [
    "GetQueueAttributes",
    "GetQueueUrl",
  ]);
  assert.deepEqual(
    s.sqs.messages("orders-dlq").map((m) => m.receiveCount),
    [0],
  );
  const delta = [...k.calls]
    .map(([op, n]) => [op, n - (callsBefore.get(op) ?? 0)] as const)
    .filter(([op, n]) => n > 0 && op !== "");
  assert.deepEqual(Object.fromEntries(delta), {
    DescribeStreamSummary: 1,
    ListShards: 1,
    GetShardIterator: 1,
    GetRecords: 1,
  });

  const j = await runCli(["doctor", s.table, "--json"], { env });
  assert.equal(j.code, 0, j.stderr);
  const doc = parse(j.stdout);
  assert.deepEqual(check(doc, "kinesis:GetRecords").data, { action: "kinesis:GetRecords", allowed: true });
  assert.equal(check(doc, "sqs:GetQueueAttributes").status, "ok");

  // A table without a destination, a stream without a queue-bound mapping: nothing more to probe.
  const plain = await createTable(endpoint);
  const p = await runCli(["doctor", plain, "--json"], { env });
  assert.equal(p.code, 0, p.stderr);
  const pdoc = parse(p.stdout);
  assert.equal(check(pdoc, "dynamodb:DescribeKinesisStreamingDestination").status, "ok");
  assert.match(
    check(pdoc, "dynamodb:DescribeKinesisStreamingDestination").summary,
    new RegExp(`table ${plain} has no active Kinesis destination`),
  );
  assert.equal(
    pdoc.checks.some((c) => c.id.startsWith("kinesis:") || c.id.startsWith("sqs:")),
    false,
  );
  assert.match(
    check(pdoc, "sqs").summary,
    /none of the stream's Lambda mappings sends failures to an SQS queue/,
  );
});

test("denied kinesis:GetRecords and sqs:GetQueueAttributes: ✗ with the action, the stream or queue, and the caller", async (t) => {
  const s = await kinesisAndQueueSetup(t);
  const kProxy = await startDenyProxy(s.kinesis, ["kinesis:GetRecords"]);
  t.after(() => kProxy.stop());
  // (The SQS client sends a queue's calls to its QueueUrl's host: the stand-in denies them itself.)
  s.sqs.denyOperation("GetQueueAttributes");
  const env = cliEnv(s.ddb, {
    AWS_ENDPOINT_URL_STS: sts.endpoint,
    AWS_ENDPOINT_URL_KINESIS: kProxy.endpoint,
    AWS_ENDPOINT_URL_LAMBDA: s.lambda,
    AWS_ENDPOINT_URL_CLOUDWATCH: s.lambda,
    AWS_ENDPOINT_URL_SQS: s.sqs.endpoint,
  });
  const r = await runCli(["doctor", s.table], { env });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /✓ kinesis:GetShardIterator +allowed/);
  assert.match(
    r.stdout,
    /✗ kinesis:GetRecords +denied \(AccessDeniedException\) for Kinesis shard shardId-000000000000/,
  );
  assert.match(
    r.stdout,
    new RegExp(
      `fix: allow kinesis:GetRecords on ${s.kinesisArn} to arn:aws:iam::123456789012:user/dev \\(used by tail --kinesis, invoke --kinesis, lag --kcl-table\\)`,
    ),
  );
  assert.match(r.stdout, /✓ sqs:GetQueueUrl +allowed/);
  assert.match(
    r.stdout,
    new RegExp(
      `✗ sqs:GetQueueAttributes +denied \\(AccessDenied\\) for on-failure queue ${s.queueArn}; sqs:ReceiveMessage and sqs:ChangeMessageVisibility \\(dlq\\) not probed`,
    ),
  );
  assert.match(
    r.stdout,
    new RegExp(
      `fix: allow sqs:GetQueueAttributes on ${s.queueArn} to arn:aws:iam::123456789012:user/dev \\(used by describe, lag`,
    ),
  );
  assert.ok(kProxy.actions.includes("kinesis:GetRecords"));
  for (const a of kProxy.actions) assert.match(a, /^kinesis:(Describe|List|Get)|^dynamodb:$/); // "dynamodb:": GET /
});
