// `dynastream filter-test --function` against the Lambda stand-in (ListEventSourceMappings and
// GetEventSourceMapping over the real wire protocol, reached through AWS_ENDPOINT_URL_LAMBDA) with
// DynamoDB Local behind `--table` resolution and the view type; and `--from-stream` sampling a
// DynamoDB Local stream from TRIM_HORIZON.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, type TestContext, test } from "node:test";
import {
  DeleteItemCommand,
  DescribeTableCommand,
  PutItemCommand,
  type StreamViewType,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type { EventSourceMappingConfiguration } from "@aws-sdk/client-lambda";
import { type CliResult, runCli } from "../helpers/cli.js";
import { cliEnv, clients, createTable, ddbEndpoint } from "../helpers/ddb.js";
import { type AwsStandin, startAwsStandin } from "../helpers/standins/cloudwatch-server.js";

let endpoint = "";
let ddb: ReturnType<typeof clients>["ddb"];
const dir = mkdtempSync(join(tmpdir(), "dynastream-filter-fn-"));
before(async () => {
  endpoint = await ddbEndpoint();
  ddb = clients(endpoint).ddb;
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
  ddb?.destroy();
});

const INSERT = '{"eventName":["INSERT"]}';
const SHIPPED = '{"dynamodb":{"NewImage":{"status":{"S":["shipped"]}}}}';

async function standin(t: TestContext, opts: { lambdaPageSize?: number } = {}): Promise<AwsStandin> {
  const s = await startAwsStandin(opts);
  t.after(() => s.stop());
  return s;
}

/** A DynamoDB Local table with a stream; returns its name and stream ARN. */
async function tableWithStream(
  viewType: StreamViewType = "NEW_AND_OLD_IMAGES",
): Promise<{ table: string; streamArn: string }> {
  const table = await createTable(endpoint, { viewType });
  const d = await ddb.send(new DescribeTableCommand({ TableName: table }));
  return { table, streamArn: d.Table?.LatestStreamArn ?? "" };
}

function mapping(
  aws: AwsStandin,
  streamArn: string,
  fn: string,
  patterns: string[] | undefined,
  extra: Partial<EventSourceMappingConfiguration> = {},
): string {
  const arn = aws.lambda.functionArn(fn);
  return aws.addEventSourceMapping({
    EventSourceArn: streamArn,
    FunctionArn: arn,
    ...(patterns ? { FilterCriteria: { Filters: patterns.map((Pattern) => ({ Pattern })) } } : {}),
    ...extra,
  });
}

function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
  return p;
}

const insertRecord = file("insert.json", {
  eventID: "1",
  eventName: "INSERT",
  dynamodb: { Keys: { pk: { S: "a" } }, NewImage: { pk: { S: "a" }, status: { S: "new" } } },
});

function ft(aws: AwsStandin | undefined, args: string[]): Promise<CliResult> {
  return runCli(["filter-test", ...args], {
    env: cliEnv(endpoint, aws ? { AWS_ENDPOINT_URL_LAMBDA: aws.endpoint } : {}),
    timeoutMs: 120_000,
  });
}

interface JsonRun {
  filters: { pattern: string; origin: string }[];
  mapping?: { function: string; uuid: string; streamArn: string; table: string | null; state: string | null };
  stream?: { table: string; streamArn: string; viewType: string | null; sampled: number; truncated: boolean };
  results?: { eventName: string | null; matched: boolean; filter: number | null }[];
  matched: number;
  total: number;
  warnings: { code: string; filter?: number }[];
}

function json(r: CliResult): JsonRun {
  try {
    return JSON.parse(r.stdout) as JsonRun;
  } catch {
    assert.fail(`stdout is not JSON: ${r.stdout}\nstderr: ${r.stderr}`);
  }
}

describe("--function", () => {
  test("the deployed FilterCriteria of the function's only DynamoDB mapping", async (t) => {
    const aws = await standin(t);
    const { table, streamArn } = await tableWithStream();
    const uuid = mapping(aws, streamArn, "orders", [SHIPPED, INSERT]);
    mapping(aws, "arn:aws:sqs:us-east-1:123456789012:queue", "orders", ['{"body":{"a":["b"]}}']);
    const r = await ft(aws, ["--function", "orders", "--records", insertRecord, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const j = json(r);
    assert.deepEqual(
      j.filters.map((f) => f.pattern),
      [SHIPPED, INSERT],
    );
    assert.equal(j.filters[0]?.origin, `mapping ${uuid} Filters[0]`);
    assert.equal(j.mapping?.uuid, uuid);
    assert.equal(j.mapping?.table, table);
    assert.equal(j.mapping?.streamArn, streamArn);
    assert.equal(j.results?.[0]?.filter, 1);
    assert.match(
      r.stderr,
      new RegExp(`testing the 2 filters of mapping ${uuid} \\(orders on ${table}, Enabled\\)`),
    );
    const calls = aws.requestsFor("lambda", "ListEventSourceMappings");
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.query.FunctionName, "orders");
  });
  test("the stream's view type (DescribeStream) feeds the lints", async (t) => {
    const aws = await standin(t);
    const { streamArn } = await tableWithStream("KEYS_ONLY");
    mapping(aws, streamArn, "keys-only-fn", [SHIPPED]);
    const r = await ft(aws, ["--function", "keys-only-fn", "--records", insertRecord, "--json"]);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(
      json(r).warnings.some((w) => w.code === "ddb-image-not-in-view"),
      r.stdout,
    );
    assert.match(r.stderr, /KEYS_ONLY does not carry NewImage/);
  });
  test("several DynamoDB mappings: --table picks one (all pages), else the ones that exist are named", async (t) => {
    const aws = await standin(t, { lambdaPageSize: 1 });
    const a = await tableWithStream();
    const b = await tableWithStream();
    mapping(aws, a.streamArn, "multi", [INSERT]);
    const ub = mapping(aws, b.streamArn, "multi", [SHIPPED]);
    const none = await ft(aws, ["--function", "multi", "--records", insertRecord]);
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, /function multi has 2 DynamoDB event source mappings: /);
    assert.match(none.stderr, new RegExp(`${a.table} \\(mapping [0-9a-f-]+, Enabled\\)`));
    assert.match(none.stderr, new RegExp(`${b.table} \\(mapping ${ub}, Enabled\\)`));
    assert.match(none.stderr, /hint: choose one with --table <table>/);
    const r = await ft(aws, ["--function", "multi", "--table", b.table, "--records", insertRecord, "--json"]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(json(r).mapping?.uuid, ub);
    assert.deepEqual(
      json(r).filters.map((f) => f.pattern),
      [SHIPPED],
    );
    assert.ok(aws.requestsFor("lambda", "ListEventSourceMappings").length >= 4, "paged with NextMarker");
  });
  test("--table without a mapping on its stream: not found, naming the mappings that exist", async (t) => {
    const aws = await standin(t);
    const a = await tableWithStream();
    const other = await tableWithStream();
    mapping(aws, a.streamArn, "elsewhere", [INSERT]);
    const r = await ft(aws, ["--function", "elsewhere", "--table", other.table, "--records", insertRecord]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`function elsewhere has no event source mapping on the stream of ${other.table}`),
    );
    assert.match(r.stderr, new RegExp(`hint: its DynamoDB mappings: ${a.table} \\(mapping`));
  });
  test("a function without DynamoDB mappings, or unknown: not found (exit 3)", async (t) => {
    const aws = await standin(t);
    mapping(aws, "arn:aws:sqs:us-east-1:123456789012:q", "sqs-only", ['{"body":{"a":["b"]}}']);
    const a = await ft(aws, ["--function", "sqs-only", "--records", insertRecord]);
    assert.equal(a.code, 3, a.stderr);
    assert.match(
      a.stderr,
      /function sqs-only has no DynamoDB or Kinesis stream event source mapping \(its mappings read arn:aws:sqs:/,
    );
    const b = await ft(aws, ["--function", "nobody", "--records", insertRecord]);
    assert.equal(b.code, 3, b.stderr);
    assert.match(b.stderr, /function nobody has no DynamoDB or Kinesis stream event source mapping/);
  });
  test("a mapping without FilterCriteria: nothing to test (exit 3)", async (t) => {
    const aws = await standin(t);
    const { streamArn } = await tableWithStream();
    mapping(aws, streamArn, "unfiltered", undefined);
    const r = await ft(aws, ["--function", "unfiltered", "--records", insertRecord]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /has no filter criteria: Lambda delivers every record to the function/);
  });
  test("KMS-encrypted criteria that Lambda does not show: GetEventSourceMapping, then a clear error (exit 4)", async (t) => {
    const aws = await standin(t);
    const { streamArn } = await tableWithStream();
    const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const uuid = mapping(aws, streamArn, "encrypted", undefined, {
      KMSKeyArn: key,
      FilterCriteriaError: {
        ErrorCode: "KMSAccessDeniedException",
        Message: "Access denied for kms:Decrypt",
      },
    });
    const r = await ft(aws, ["--function", "encrypted", "--records", insertRecord]);
    assert.equal(r.code, 4, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`filter criteria of mapping ${uuid} .* are encrypted with the KMS key ${key}`),
    );
    assert.match(r.stderr, /KMSAccessDeniedException: Access denied for kms:Decrypt/);
    assert.match(r.stderr, /hint: allow kms:Decrypt on that key/);
    assert.equal(aws.requestsFor("lambda", "GetEventSourceMapping").length, 1);
  });
  test("KMS-encrypted criteria shown by GetEventSourceMapping are used", async (t) => {
    const aws = await standin(t);
    const { streamArn } = await tableWithStream();
    const key = "arn:aws:kms:us-east-1:123456789012:key/k";
    mapping(aws, streamArn, "decryptable", [INSERT], { KMSKeyArn: key });
    // The stand-in shows the criteria in both calls; a FilterCriteriaError makes the listing look
    // encrypted, so the command asks GetEventSourceMapping and uses what it shows.
    const uuid = aws.lambda.listEventSourceMappings().find((m) => m.KMSKeyArn === key)?.UUID as string;
    aws.updateEventSourceMapping(uuid, {
      FilterCriteriaError: { ErrorCode: "x", Message: "listing hides it" },
    });
    const r = await ft(aws, ["--function", "decryptable", "--records", insertRecord]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(aws.requestsFor("lambda", "GetEventSourceMapping").length, 1);
  });
  test("access denied to ListEventSourceMappings: exit 4", async (t) => {
    const aws = await standin(t);
    aws.faults.inject({ service: "lambda", op: "ListEventSourceMappings", kind: "accessDenied" });
    const r = await ft(aws, ["--function", "orders", "--records", insertRecord]);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /access denied to event source mappings of function orders/);
  });
});

describe("--from-stream", () => {
  async function writes(table: string): Promise<void> {
    await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "a" }, status: { S: "new" } } }));
    await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "b" }, status: { S: "new" } } }));
    await ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: "a" } },
        UpdateExpression: "SET #s = :s",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":s": { S: "shipped" } },
      }),
    );
    await ddb.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: "b" } } }));
  }

  test("samples the stream from TRIM_HORIZON and tests its records", async () => {
    const { table, streamArn } = await tableWithStream();
    await writes(table);
    const r = await ft(undefined, [
      "--from-stream",
      table,
      "--pattern",
      SHIPPED,
      "--pattern",
      INSERT,
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const j = json(r);
    assert.equal(j.total, 4);
    assert.deepEqual(
      j.results?.map((x) => [x.eventName, x.filter]),
      [
        ["INSERT", 1],
        ["INSERT", 1],
        ["MODIFY", 0],
        ["REMOVE", null],
      ],
    );
    assert.deepEqual(j.stream, {
      table,
      streamArn,
      viewType: "NEW_AND_OLD_IMAGES",
      sampled: 4,
      truncated: false,
    });
    assert.match(r.stderr, new RegExp(`sampled 4 records of ${table} from TRIM_HORIZON`));
  });
  test("--limit bounds the sample; pretty output explains", async () => {
    const { table } = await tableWithStream();
    await writes(table);
    const r = await ft(undefined, [
      "--from-stream",
      table,
      "--limit",
      "2",
      "--pattern",
      '{"eventName":["REMOVE"]}',
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /2 records: 0 matched, 2 filtered out/);
    assert.match(r.stdout, /eventName: "INSERT" is not one of \["REMOVE"\]/);
    assert.match(r.stderr, /sampled 2 records .*\(--limit 2; more follow\)/);
  });
  test("the stream's view type feeds the lints; --expect over the sample", async () => {
    const { table } = await tableWithStream("KEYS_ONLY");
    await writes(table);
    const r = await ft(undefined, [
      "--from-stream",
      table,
      "--pattern",
      SHIPPED,
      "--expect",
      "no-match",
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const j = json(r);
    assert.equal(j.stream?.viewType, "KEYS_ONLY");
    assert.ok(j.warnings.some((w) => w.code === "ddb-image-not-in-view"));
    assert.equal(j.matched, 0);
  });
  test("an empty stream: 0 records, exit 1; a table without a stream: exit 3", async () => {
    const { table } = await tableWithStream();
    const r = await ft(undefined, ["--from-stream", table, "--pattern", INSERT]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /0 records: 0 matched, 0 filtered out/);
    const plain = await createTable(endpoint, { viewType: null });
    const n = await ft(undefined, ["--from-stream", plain, "--pattern", INSERT]);
    assert.equal(n.code, 3, n.stderr);
    assert.match(n.stderr, /has no stream/);
  });
  test("--function with --from-stream: the deployed criteria against live records", async (t) => {
    const aws = await standin(t);
    const { table, streamArn } = await tableWithStream();
    mapping(aws, streamArn, "live", ['{"eventName":["MODIFY"]}']);
    await writes(table);
    const r = await ft(aws, ["--function", "live", "--table", table, "--from-stream", table, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const j = json(r);
    assert.equal(j.total, 4);
    assert.equal(j.matched, 1);
  });
});
