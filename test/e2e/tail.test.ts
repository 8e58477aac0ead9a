// The built `dynastream tail` binary end to end: exit codes and messages, a closed pipe (`| head -1`)
// ending quietly with 0, Ctrl-C with its summary and 130, --input in every shape, --filter.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { BatchWriteItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { goV1 } from "../helpers/attr.js";
import { BIN, runCli, startCli } from "../helpers/cli.js";
import { cliEnv, clients, createTable, ddbEndpoint } from "../helpers/ddb.js";
import { lambdaRecord } from "../helpers/records.js";

let endpoint = "";
let ddb: ReturnType<typeof clients>["ddb"];
let table = "";
const dir = mkdtempSync(join(tmpdir(), "dynastream-tail-e2e-"));
after(() => {
  rmSync(dir, { recursive: true, force: true });
  ddb?.destroy();
});
before(async () => {
  endpoint = await ddbEndpoint();
  ddb = clients(endpoint).ddb;
  table = await createTable(endpoint);
  await put(table, "o1", "pending");
  await ddb.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { pk: { S: "o1" } },
      UpdateExpression: "SET #s = :s",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":s": { S: "shipped" } },
    }),
  );
});

async function put(t: string, pk: string, status = "new"): Promise<void> {
  await ddb.send(new PutItemCommand({ TableName: t, Item: { pk: { S: pk }, status: { S: status } } }));
}

function tail(args: string[], input?: string) {
  return runCli(["tail", ...args], {
    env: cliEnv(endpoint),
    timeoutMs: 120_000,
    ...(input ? { input } : {}),
  });
}

test("exit codes: unknown table 3, table without a stream 3, bad flags 2 with a hint", async () => {
  const missing = await tail(["NoSuchTable-dynastream", "--until-end"]);
  assert.equal(missing.code, 3, missing.stderr);
  assert.match(missing.stderr, /error: table NoSuchTable-dynastream not found/);

  const noStream = await createTable(endpoint, { viewType: null });
  const r = await tail([noStream]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /has no stream/);
  assert.match(r.stderr, /hint: enable one: dynastream enable/);

  const cases: Array<[string[], RegExp]> = [
    [[table, "--count", "0"], /--count must be at least 1/],
    [[table, "--from", "yesterday"], /invalid --from "yesterday"[\s\S]*hint: use latest, trim-horizon/],
    [[table, "--after-sequence", "42"], /needs exactly one --shard/],
    [[table, "--idle-timeout", "soon"], /invalid --idle-timeout/],
    [[table, "--output", "xml"], /invalid --output "xml"[\s\S]*pretty, json, dynamodb-json, raw/],
    [[table, "--json", "--output", "raw"], /--json conflicts with --output raw/],
    [[], /missing <table\|stream-arn>/],
    [[table, "--filter", "{not json"], /invalid --filter/],
    [["arn:aws:dynamodb:nope"], /malformed stream ARN/],
  ];
  for (const [args, re] of cases) {
    const c = await tail(args);
    assert.equal(c.code, 2, `${args.join(" ")}: ${c.stderr}`);
    assert.match(c.stderr, re, args.join(" "));
    assert.match(c.stderr, /hint:/, args.join(" "));
  }
});

test("not a TTY: NDJSON by default; -q silences the informational lines", async () => {
  const r = await tail([table, "--from", "trim-horizon", "--until-end", "-q"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.length, 2);
  for (const l of lines) assert.equal((JSON.parse(l) as { type: string }).type, "record");
});

test("| head -1: the closed pipe ends tail quietly with exit 0", async () => {
  const t = await createTable(endpoint);
  // Enough records that tail is still writing when head has gone (a pipe holds 64 KiB).
  for (let b = 0; b < 16; b++) {
    await ddb.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [t]: Array.from({ length: 25 }, (_, i) => ({
            PutRequest: { Item: { pk: { S: `k${b}-${i}` }, pad: { S: "x".repeat(400) } } },
          })),
        },
      }),
    );
  }
  const env = cliEnv(endpoint);
  const sh = spawnSync(
    "bash",
    [
      "-c",
      `"${process.execPath}" "${BIN}" tail "${t}" --from trim-horizon | head -1; echo "status=\${PIPESTATUS[0]}" >&2`,
    ],
    { env, encoding: "utf8", timeout: 120_000 },
  );
  assert.equal(sh.stdout.trim().split("\n").length, 1, sh.stdout);
  assert.match(sh.stderr, /status=0/);
  assert.doesNotMatch(sh.stderr, /error|EPIPE|tail stopped/i);

  // The same when the reader goes away while tail is idle: the next record ends it.
  const child = spawn(process.execPath, [BIN, "tail", t, "--from", "trim-horizon", "--count", "1000"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    err += d;
  });
  const done = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
  child.stdout.destroy();
  for (let i = 0; i < 3; i++) await put(t, `late-${i}`);
  const code = await done;
  assert.equal(code, 0, err);
  assert.doesNotMatch(err, /error|tail stopped/i);
});

test("Ctrl-C: stops at once, one-line summary on stderr, exit 130", async () => {
  const p = startCli(["tail", table, "--from", "trim-horizon", "--json"], { env: cliEnv(endpoint) });
  try {
    await p.waitForLines(2, 60_000);
    p.child.kill("SIGINT");
    const r = await p.done;
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /^tail stopped: 2 records from 1 shard, 0 gaps$/m);
  } finally {
    p.child.kill("SIGKILL");
  }
});

test("Ctrl-C during a large --input written to a file: stops within the read, exit 130", async () => {
  // A regular file is read synchronously in chunks and stdout to a file is written synchronously:
  // only the reader's turns of the event loop let the signal in before the end of the input.
  const records = 200_000;
  const line = JSON.stringify(lambdaRecord());
  const input = join(dir, "large.ndjson");
  writeFileSync(input, `${Array.from({ length: records }, () => line).join("\n")}\n`);
  const out = join(dir, "large-out.ndjson");
  const fd = openSync(out, "w");
  const child = spawn(process.execPath, [BIN, "tail", "--input", input, "--json"], {
    env: cliEnv(endpoint),
    stdio: ["ignore", fd, "pipe"],
  });
  closeSync(fd);
  let err = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    err += d;
  });
  const done = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  try {
    while (statSync(out).size === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill("SIGINT");
    assert.equal(await done, 130, err);
    const m = /^tail stopped: (\d+) records$/m.exec(err);
    assert.ok(m, err);
    assert.ok(Number(m[1]) < records, err);
  } finally {
    child.kill("SIGKILL");
  }
});

test("--filter: only records a Lambda filter pattern matches; a FilterCriteria file works too", async () => {
  const r = await tail([
    table,
    "--from",
    "trim-horizon",
    "--until-end",
    "--filter",
    '{"eventName":["MODIFY"]}',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.length, 1);
  assert.equal((JSON.parse(lines[0] as string) as { eventName: string }).eventName, "MODIFY");
  const f = join(dir, "criteria.json");
  writeFileSync(
    f,
    JSON.stringify({
      Filters: [{ Pattern: JSON.stringify({ dynamodb: { NewImage: { status: { S: ["pending"] } } } }) }],
    }),
  );
  const byFile = await tail([table, "--from", "trim-horizon", "--until-end", "--filter", `@${f}`]);
  assert.equal(byFile.code, 0, byFile.stderr);
  const got = byFile.stdout.trim().split("\n");
  assert.equal(got.length, 1);
  assert.equal((JSON.parse(got[0] as string) as { eventName: string }).eventName, "INSERT");
});

test("--filter reads what filter-test --criteria reads (a SAM template) and prints its DynamoDB lints", async () => {
  const template = join(dir, "template.json");
  const pattern = JSON.stringify({ dynamodb: { NewImage: { status: { S: ["shipped"] } } } });
  writeFileSync(
    template,
    JSON.stringify({
      Resources: {
        Fn: {
          Type: "AWS::Serverless::Function",
          Properties: {
            Events: {
              Stream: {
                Type: "DynamoDB",
                Properties: { FilterCriteria: { Filters: [{ Pattern: pattern }] } },
              },
            },
          },
        },
      },
    }),
  );
  const r = await tail([table, "--from", "trim-horizon", "--until-end", "--filter", `@${template}`]);
  assert.equal(r.code, 0, r.stderr);
  const got = r.stdout.trim().split("\n");
  assert.equal(got.length, 1);
  assert.equal((JSON.parse(got[0] as string) as { eventName: string }).eventName, "MODIFY");
  // A lint: a plain string where DynamoDB JSON has {"S": ...} never matches a stream record.
  const lint = await tail(
    ["--input", "-", "--filter", '{"dynamodb":{"NewImage":{"status":["shipped"]}}}'],
    "{}",
  );
  assert.match(lint.stderr, /warning: filter #1 \(--filter 1\).*status/);
});

test("-o raw with --input: each record as the input held it, one per line", async () => {
  const event = join(dir, "raw-event.json");
  writeFileSync(event, JSON.stringify(lambdaEvent, null, 2));
  const r = await tail(["--input", event, "-o", "raw"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l)),
    lambdaEvent.Records,
  );
  const line = `{"type":"record","shardId":"s-1","record":${JSON.stringify(lambdaEvent.Records[0])}}`;
  const fromTail = await tail(["--input", "-", "-o", "raw"], `${line}\n`);
  assert.equal(fromTail.code, 0, fromTail.stderr);
  assert.deepEqual(JSON.parse(fromTail.stdout), lambdaEvent.Records[0]);
});

test("--input: tail's own NDJSON round-trips byte for byte (file and stdin)", async () => {
  const live = await tail([table, "--from", "trim-horizon", "--until-end", "--json"]);
  assert.equal(live.code, 0, live.stderr);
  const f = join(dir, "captured.ndjson");
  writeFileSync(f, live.stdout);
  const fromFile = await tail(["--input", f, "--json"]);
  assert.equal(fromFile.code, 0, fromFile.stderr);
  assert.equal(fromFile.stdout, live.stdout);
  const fromStdin = await tail(["--input", "-", "--json"], live.stdout);
  assert.equal(fromStdin.code, 0, fromStdin.stderr);
  assert.equal(fromStdin.stdout, live.stdout);
  const typed = await tail(["--input", f, "-o", "dynamodb-json", "--count", "1"]);
  assert.equal(typed.stdout.trim().split("\n").length, 1);
  assert.match(typed.stdout, /"newImage":\{"pk":\{"S":"o1"\}/);
});

const lambdaEvent = {
  Records: [
    {
      eventID: "1",
      eventName: "MODIFY",
      eventVersion: "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: "us-east-1",
      dynamodb: {
        ApproximateCreationDateTime: 1767225600,
        Keys: { orderId: { S: "order-123" } },
        OldImage: {
          orderId: { S: "order-123" },
          status: { S: "pending" },
          n: { N: "12345678901234567890.5" },
        },
        NewImage: {
          orderId: { S: "order-123" },
          status: { S: "shipped" },
          n: { N: "12345678901234567890.5" },
        },
        SequenceNumber: "111",
        SizeBytes: 26,
        StreamViewType: "NEW_AND_OLD_IMAGES",
      },
      eventSourceARN: "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2026-01-01T00:00:00.000",
    },
    {
      eventID: "2",
      eventName: "REMOVE",
      dynamodb: {
        ApproximateCreationDateTime: 1767225601,
        Keys: { orderId: { S: "order-9" } },
        SequenceNumber: "112",
      },
      userIdentity: { principalId: "dynamodb.amazonaws.com", type: "Service" },
    },
  ],
};

test("--input: a pretty-printed Lambda event, a JSON array and SDK-shaped NDJSON render alike", async () => {
  const f = join(dir, "event.json");
  writeFileSync(f, JSON.stringify(lambdaEvent, null, 2));
  const pretty = await tail(["--input", f, "-o", "pretty"]);
  assert.equal(pretty.code, 0, pretty.stderr);
  assert.equal(
    pretty.stdout,
    [
      "2026-01-01 00:00:00Z MODIFY Orders orderId=order-123",
      '  ~ status: "pending" → "shipped"',
      "2026-01-01 00:00:01Z REMOVE orderId=order-9 [ttl]",
      "",
    ].join("\n"),
  );
  const json = await tail(["--input", f]);
  const first = JSON.parse(json.stdout.split("\n")[0] as string) as { changes: unknown; table: string };
  assert.deepEqual(first.changes, [{ path: ["status"], kind: "changed", old: "pending", new: "shipped" }]);
  assert.equal(first.table, "Orders");
  assert.ok(json.stdout.includes('"n":12345678901234567890.5'), json.stdout);

  const arr = join(dir, "array.json");
  writeFileSync(arr, JSON.stringify(lambdaEvent.Records));
  const fromArray = await tail(["--input", arr]);
  assert.equal(fromArray.stdout, json.stdout);

  const sdkShape = lambdaEvent.Records.map((r) =>
    JSON.stringify({
      ...r,
      dynamodb: {
        ...r.dynamodb,
        ApproximateCreationDateTime: new Date(r.dynamodb.ApproximateCreationDateTime * 1000),
      },
    }),
  ).join("\n");
  const fromSdk = await tail(["--input", "-", "-o", "pretty"], `${sdkShape}\n`);
  assert.equal(fromSdk.code, 0, fromSdk.stderr);
  assert.match(fromSdk.stdout, /MODIFY Orders orderId=order-123/);

  const filtered = await tail(["--input", f, "--filter", '{"eventName":["REMOVE"]}', "-o", "pretty"]);
  assert.equal(filtered.stdout.trim().split("\n").length, 1);
  assert.match(filtered.stdout, /REMOVE/);
});

test("--input: values with every type descriptor and the unused ones null (Go v1) render as their one descriptor", async () => {
  const plain = lambdaEvent.Records[0] as (typeof lambdaEvent.Records)[0];
  const img = (status: string) => ({
    orderId: goV1("S", "order-123"),
    status: goV1("S", status),
    n: goV1("N", "12345678901234567890.5"),
    m: goV1("M", { gift: goV1("BOOL", false), note: goV1("NULL", true), l: goV1("L", [goV1("N", "1")]) }),
  });
  const go = {
    ...plain,
    dynamodb: {
      ...plain.dynamodb,
      Keys: { orderId: goV1("S", "order-123") },
      OldImage: img("pending"),
      NewImage: img("shipped"),
    },
  };
  const m = { M: { gift: { BOOL: false }, note: { NULL: true }, l: { L: [{ N: "1" }] } } };
  const same = {
    ...plain,
    dynamodb: {
      ...plain.dynamodb,
      OldImage: { ...plain.dynamodb.OldImage, m },
      NewImage: { ...plain.dynamodb.NewImage, m },
    },
  };
  for (const format of ["json", "dynamodb-json", "pretty"]) {
    const fromGo = await tail(["--input", "-", "-o", format], `${JSON.stringify(go)}\n`);
    assert.equal(fromGo.code, 0, fromGo.stderr);
    const expected = await tail(["--input", "-", "-o", format], `${JSON.stringify(same)}\n`);
    assert.equal(fromGo.stdout, expected.stdout, format);
  }
  const line = JSON.parse((await tail(["--input", "-"], `${JSON.stringify(go)}\n`)).stdout) as {
    newImage: Record<string, unknown>;
  };
  assert.deepEqual(line.newImage.m, { gift: false, note: null, l: [1] });
});

test("--input: wrong shapes and bad JSON are exit 2 with the line number", async () => {
  const good = JSON.stringify(lambdaEvent.Records[0]);
  const cases: Array<[string, RegExp]> = [
    [`${good}\n{"Item":{"pk":{"S":"x"}}}\n`, /line 2: not a DynamoDB stream record.*looks like an item/],
    [`${good}\n${good}\n{oops\n`, /line 3: invalid JSON/],
    [`${good}\n{"dynamodb":{"NewImage":{"a":{"Q":"1"}}}}\n`, /line 2: /],
    ["", /--input \(stdin\) is empty/],
  ];
  for (const [input, re] of cases) {
    const r = await tail(["--input", "-"], input || " ");
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, re);
  }
  const missing = await tail(["--input", join(dir, "nope.ndjson")]);
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /cannot read --input .*nope.ndjson: no such file/);
  const both = await tail([table, "--input", "-"]);
  assert.equal(both.code, 2);
});
