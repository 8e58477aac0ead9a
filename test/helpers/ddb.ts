/**
 * DynamoDB Local for tests. `npm test` starts one for the whole run and passes its endpoint in
 * DYNASTREAM_TEST_DDB_ENDPOINT; a test file run on its own starts (and stops) its own.
 */
import { randomBytes } from "node:crypto";
import { after } from "node:test";
import {
  type AttributeDefinition,
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  type KeySchemaElement,
  type StreamViewType,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { CODE_CACHE_HOME } from "./cli.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

let started: Promise<string> | undefined;

/** The DynamoDB Local endpoint for this test process. */
export function ddbEndpoint(): Promise<string> {
  const fromEnv = process.env.DYNASTREAM_TEST_DDB_ENDPOINT;
  if (fromEnv) return Promise.resolve(fromEnv);
  started ??= (async () => {
    // @ts-expect-error: plain ESM script without types
    const { startDynamoDBLocal } = await import("../../scripts/dynamodb-local.mjs");
    const ddb = (await startDynamoDBLocal()) as { endpoint: string; stop(): void };
    after(() => ddb.stop());
    return ddb.endpoint;
  })();
  return started;
}

export const TEST_CREDENTIALS = { accessKeyId: "dynastreamtest", secretAccessKey: "dynastreamtest" };
export const TEST_REGION = "us-east-1";

/**
 * Environment for running the CLI against DynamoDB Local (no real AWS config can leak in; the
 * launcher's code cache in the test process's temporary directory; no Node end-of-life notice).
 */
export function cliEnv(endpoint: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: TEST_REGION,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_CONFIG_FILE: "/nonexistent/dynastream-test-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/dynastream-test-credentials",
    AWS_EC2_METADATA_DISABLED: "true",
    XDG_CACHE_HOME: CODE_CACHE_HOME,
    DYNASTREAM_NO_NODE_NOTICE: "1", // the one-time Node end-of-life notice: tests assert exact stderr
    ...extra,
  };
}

/** SDK clients pointed at DynamoDB Local. */
export function clients(endpoint: string): { ddb: DynamoDBClient; streams: DynamoDBStreamsClient } {
  const cfg = { endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS };
  return { ddb: new DynamoDBClient(cfg), streams: new DynamoDBStreamsClient(cfg) };
}

/** A unique table name for one test. */
export function uniqueName(prefix = "t"): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
}

const created: Array<{ name: string; ddb: DynamoDBClient }> = [];
// Registered once, at the file's top level, so it runs when the test file ends — wherever
// createTable was called from (a test, or a before hook).
after(async () => {
  for (const { name, ddb } of created.splice(0)) {
    await ddb.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined);
    ddb.destroy();
  }
});

/**
 * Creates a table (hash key `pk` S, optional range key `sk`), with a stream of `viewType` unless
 * `null`; deletes it when the test file ends.
 */
export async function createTable(
  endpoint: string,
  opts: { name?: string; viewType?: StreamViewType | null; rangeKey?: boolean; hashKey?: string } = {},
): Promise<string> {
  const name = opts.name ?? uniqueName();
  const { ddb } = clients(endpoint);
  const hash = opts.hashKey ?? "pk";
  const KeySchema: KeySchemaElement[] = [{ AttributeName: hash, KeyType: "HASH" }];
  const AttributeDefinitions: AttributeDefinition[] = [{ AttributeName: hash, AttributeType: "S" }];
  if (opts.rangeKey) {
    KeySchema.push({ AttributeName: "sk", KeyType: "RANGE" });
    AttributeDefinitions.push({ AttributeName: "sk", AttributeType: "S" });
  }
  const viewType = opts.viewType === undefined ? "NEW_AND_OLD_IMAGES" : opts.viewType;
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema,
      AttributeDefinitions,
      BillingMode: "PAY_PER_REQUEST",
      ...(viewType ? { StreamSpecification: { StreamEnabled: true, StreamViewType: viewType } } : {}),
    }),
  );
  created.push({ name, ddb });
  return name;
}
