// The two stand-ins doctor's tests use, checked against the real SDK clients: STS GetCallerIdentity
// (awsQuery: form-encoded request, XML answer and errors) and the IAM-denial proxy in front of
// DynamoDB Local (AWS JSON 1.0 AccessDeniedException for the denied operations, the rest forwarded).
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { DescribeStreamCommand, DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { createTable, ddbEndpoint, TEST_CREDENTIALS, TEST_REGION } from "../../helpers/ddb.js";
import { DENIED_PRINCIPAL, startDenyProxy } from "../../helpers/standins/deny-proxy.js";
import { startStsStandin } from "../../helpers/standins/sts-server.js";

let endpoint = "";
before(async () => {
  endpoint = await ddbEndpoint();
});

test("STS stand-in: GetCallerIdentity for a known key; InvalidClientTokenId (403) for another", async (t) => {
  const identity = { arn: "arn:aws:iam::111122223333:role/R", account: "111122223333", userId: "AROAEX:me" };
  const sts = await startStsStandin({ AKIDKNOWN: identity });
  t.after(() => sts.stop());
  const client = (key: string) =>
    new STSClient({
      endpoint: sts.endpoint,
      region: "eu-west-1",
      credentials: { accessKeyId: key, secretAccessKey: "s" },
      maxAttempts: 1,
    });
  const ok = client("AKIDKNOWN");
  t.after(() => ok.destroy());
  const out = await ok.send(new GetCallerIdentityCommand({}));
  assert.deepEqual([out.Arn, out.Account, out.UserId], [identity.arn, identity.account, identity.userId]);
  const bad = client("AKIDOTHER");
  t.after(() => bad.destroy());
  await assert.rejects(
    bad.send(new GetCallerIdentityCommand({})),
    (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.name, "InvalidClientTokenId");
      assert.equal(e.$metadata?.httpStatusCode, 403);
      return true;
    },
  );
  assert.deepEqual(sts.actions, ["GetCallerIdentity", "GetCallerIdentity"]);
});

test("denial proxy: denied operations get AccessDeniedException, others reach DynamoDB Local", async (t) => {
  const table = await createTable(endpoint);
  const proxy = await startDenyProxy(endpoint, ["DescribeStream"]);
  t.after(() => proxy.stop());
  const cfg = {
    endpoint: proxy.endpoint,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  };
  const { DynamoDBClient } = await import("@aws-sdk/client-dynamodb");
  const ddb = new DynamoDBClient(cfg);
  const streams = new DynamoDBStreamsClient(cfg);
  t.after(() => {
    ddb.destroy();
    streams.destroy();
  });
  const arn = (await ddb.send(new DescribeTableCommand({ TableName: table }))).Table?.LatestStreamArn;
  assert.ok(arn);
  await assert.rejects(streams.send(new DescribeStreamCommand({ StreamArn: arn })), (e: Error) => {
    assert.equal(e.name, "AccessDeniedException");
    assert.match(
      e.message,
      new RegExp(`User: ${DENIED_PRINCIPAL} is not authorized to perform: dynamodb:DescribeStream`),
    );
    return true;
  });
  assert.deepEqual(proxy.operations, ["DescribeTable", "DescribeStream"]);
});
